"""Events from articles.

Takes an :class:`~geo.articles.Article` and a :class:`~geo.gazetteer.Gazetteer`; gives
:class:`~geo.model.Event` s, each with its evidence sentence and the notes that say how its
type, place and date were decided. ``lexicon`` holds the words (triggers, actors, counts,
spun synonyms), ``extractor`` reads an article sentence by sentence, ``evaluate`` scores it
against gold events.
"""

from geo.extract.evaluate import Report, evaluate
from geo.extract.extractor import Extractor

__all__ = ["Extractor", "Report", "evaluate"]
