"""The event store: an embedded SQLite file by default.

Takes events (with the article they come from); keeps them with a versioned schema, atomic
writes, deduplication and merging of the same event reported twice; gives them back filtered
(type, date, bounding box, text), as frames for the page and exports, and as a numpy
snapshot for the map.
"""

from geo.store.sqlite import AddResult, EventStore, Filters, StoreError, merge_events

__all__ = ["AddResult", "EventStore", "Filters", "StoreError", "merge_events"]
