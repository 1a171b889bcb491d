"""The event store: an embedded SQLite file by default.

Takes events (with the article they come from); keeps them with a versioned schema, atomic
writes, deduplication and merging of the same event reported twice; gives them back filtered
(type, date, bounding box, text), as frames for the page and exports, and as a numpy
snapshot for the map. :class:`Store` is the interface every store implements; callers type
against it.
"""

from geo.store.base import AddResult, Filters, Store, StoreError
from geo.store.rules import merge_events
from geo.store.snapshot import EventColumns
from geo.store.sqlite import EventStore

__all__ = ["AddResult", "EventColumns", "EventStore", "Filters", "Store", "StoreError",
           "merge_events"]
