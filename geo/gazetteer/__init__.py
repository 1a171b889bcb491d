"""The gazetteer: place names to places, worldwide and offline.

Takes names (with the text around them) or whole texts; gives ranked
:class:`Candidate` places with the reasons for their scores, and the :class:`Mention` s of
places in a text. ``build`` compiles the sources in ``data/gazetteer`` and the GeoNames
packages into the cached index (``index``); ``geocoder`` wraps it as a geopy geocoder, with an
optional online fallback chained behind it; ``demonyms`` maps "Iraqi" to IQ.
"""

from geo.gazetteer.geocoder import (
    ChainedGeocoder,
    GazetteerGeocoder,
    cached_online_geocoder,
    default_geocoder,
)
from geo.gazetteer.index import Candidate, Gazetteer, GazetteerError, Mention

__all__ = ["Candidate", "ChainedGeocoder", "Gazetteer", "GazetteerError", "GazetteerGeocoder",
           "Mention", "cached_online_geocoder", "default_geocoder"]
