"""Events from articles.

Takes an :class:`~geo.articles.Article` and a :class:`~geo.gazetteer.Gazetteer`; gives
:class:`~geo.model.Event` s, each with its evidence sentence and the notes that say how its
type, place and date were decided. ``extractor`` reads an article sentence by sentence:
``places`` (and ``kinds``, ``mentions``) resolves the sentence's places with the article's
geography, ``sentence`` reads its ``clauses`` (event words from ``triggers``, their status),
``when`` dates them, ``build`` makes each event, ``follow`` and ``merge`` join the reports of
one event. ``lexicon`` names the vocabularies (``triggers``, ``actors``, ``counts``, spun
synonyms); ``evaluate`` scores the extractor against gold events.
"""

from geo.extract.evaluate import Report, evaluate
from geo.extract.extractor import Extractor

__all__ = ["Extractor", "Report", "evaluate"]
