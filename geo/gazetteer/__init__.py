"""The gazetteer: place names to places, worldwide and offline.

Takes names (with the text around them), whole texts, or known spans of a text; gives ranked
:class:`Candidate` places with the reasons for their scores (``precision`` 2 for a street or
building placed in its town), and the :class:`Mention` s of places in a text. ``build`` (with
``areas`` and ``userdata``) compiles the sources in ``data/gazetteer``, the GeoNames packages
and the user's own files into the cached index (``columns``, ``cache``); ``index`` is the
:class:`Gazetteer` facade over ``records``, ``matching``, ``ranking``, ``scan``, ``document``
and ``containment``; ``geocoder`` wraps it as a geopy geocoder, with an optional online
fallback chained behind it; ``demonyms`` maps "Iraqi" to IQ; ``evaluate`` measures it on
Gritta et al.'s corpora.
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
