"""The event store: an embedded SQLite file by default, a shared PostGIS database for a team.

Takes events (with the article they come from); keeps them with a versioned schema, atomic
writes, deduplication and merging of the same event reported twice; gives them back filtered
(type, date, bounding box, status, text), as frames for the page and exports, and as a numpy
snapshot for the map. :class:`Store` is the interface both stores implement and every caller
types against; :func:`open_store` opens the one a location names (a folder or file: SQLite;
``postgresql://``: PostGIS).
"""

from geo.store.base import AddResult, Filters, Store, StoreError
from geo.store.location import describe, is_url, open_store, store_url
from geo.store.postgis import PostgisStore
from geo.store.rules import merge_events
from geo.store.snapshot import EventColumns
from geo.store.sqlite import EventStore

__all__ = ["AddResult", "EventColumns", "EventStore", "Filters", "PostgisStore", "Store",
           "StoreError", "describe", "is_url", "merge_events", "open_store", "store_url"]
