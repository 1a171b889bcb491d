"""The live monitor: feeds on a schedule, alerts near watched places.

Takes sources (RSS/Atom feeds by URL or file, folders of saved pages, files of URLs) and a
store; each cycle gives the new entries read once (HTML to text with :mod:`geo.articles`,
events with :mod:`geo.extract`, stored with :mod:`geo.pipeline`), the feeds' last success and
error, and alerts for new events within the radius of a watched place (recorded in the store,
sent to the terminal, a JSON Lines file or a webhook). Nothing here touches the network
unless the user names a feed or a webhook.
"""

from geo.monitor.alerts import JsonlSink, PrintSink, Sink, WebhookSink, parse_radius, within
from geo.monitor.feeds import Entry, FeedError, parse_feed
from geo.monitor.fetch import Fetcher, FetchError, Response
from geo.monitor.schedule import parse_every
from geo.monitor.sources import Poll, Source, SourceError, source_for
from geo.monitor.watch import CycleReport, Monitor, WatchOptions

__all__ = ["CycleReport", "Entry", "FeedError", "FetchError", "Fetcher", "JsonlSink",
           "Monitor", "Poll", "PrintSink", "Response", "Sink", "Source", "SourceError",
           "WatchOptions", "WebhookSink", "parse_every", "parse_feed", "parse_radius",
           "source_for", "within"]
