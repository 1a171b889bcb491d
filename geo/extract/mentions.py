"""Place mentions of an article, as the extractor reads them: a :class:`Resolved` each, in
the :class:`Sentence` that holds it."""

from __future__ import annotations

from dataclasses import dataclass, field

from geo.model import Place

#: Kinds that are places where an event can happen at a point (not countries, rivers).
POINT_KINDS = frozenset({"city", "town", "military_base", "airfield", "airport",
                          "border_crossing", "facility"})


@dataclass
class Resolved:
    """A place mention in the article, resolved."""

    start: int
    end: int
    surface: str
    place: Place | None
    score: float = 0.0
    reasons: tuple[str, ...] = ()
    near: bool = False  # "near X": geo_precision 2
    reference: bool = False  # "27 km north of X": X locates another place
    stay: bool = False  # "remain in X": forces stay there, they do not leave it
    origin: bool = False  # "Hamid from X": where someone comes from
    #: for a name the gazetteer lacks ("Pazi Gyi, a village in the Sagaing region"): the
    #: known place that contains it, for its country (and, a town, a point near it)
    container: Place | None = None


@dataclass
class Sentence:
    start: int
    end: int
    text: str
    places: list[Resolved] = field(default_factory=list)


def is_specific(res: Resolved) -> bool:
    """A site or a town (a name the gazetteer lacks but the text says is one counts)."""
    return res.place.kind in POINT_KINDS if res.place is not None else bool(res.surface)
