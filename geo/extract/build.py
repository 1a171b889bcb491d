"""One :class:`~geo.model.Event` from what a clause states: its type, place, date, counts and
actors, with the notes that say how each was decided."""

from __future__ import annotations

from collections.abc import Iterable

from geo.articles import Article
from geo.extract import lexicon
from geo.extract.places import POINT_KINDS, Resolved, Sentence
from geo.model import ATTACK_TYPES, Event, Evidence, Place
from geo.text.date_base import DateRef


def new_event(article: Article, sent: Sentence, etype: str, res: Resolved | None,
              date_ref: DateRef | None, actors: list[str], hedged: bool,
              date_note: str = "") -> Event:
    """An event of ``sent``; ``date_note`` says how the date was found when not in the
    sentence ("the day after the event before", "the line's date")."""
    ev = Event(
        event_type=etype, actors=list(actors), evidence=sent.text,
        evidence_start=sent.start, evidence_end=sent.end, source=article.source,
        sources=[evidence(article, sent)],
    )
    notes: list[str] = []
    if date_ref is not None:
        # a week or a range is dated by its first day, ACLED-style; the precision says so
        ev.date = date_ref.first.isoformat() if date_ref.precision == 2 else date_ref.date
        ev.time_precision = date_ref.precision
        ev.date_start, ev.date_end = date_ref.first.isoformat(), date_ref.last.isoformat()
        notes.append(f"date from '{date_ref.text}' ({date_ref.rule}"
                     + (f"; {date_note})" if date_note else ")"))
    confidence = 0.5
    if res is not None:
        ev.place = res.surface
        if res.place is not None:
            set_place(ev, res)
            notes.append(f"place '{res.surface}' -> {res.place.name}: "
                         + ", ".join(res.reasons))
            confidence += 0.2 if res.score >= 1.0 else 0.1
        else:
            notes.append(f"place '{res.surface}' unresolved"
                         + (f" ({', '.join(res.reasons)})" if res.reasons else ""))
            if res.container is not None:
                _near_container(ev, res.container)
    if date_ref is not None:
        confidence += 0.1 if date_ref.precision == 1 else 0.05
    if hedged:
        confidence -= 0.2
        notes.append("hedged statement")
    ev.confidence = round(min(max(confidence, 0.05), 0.95), 2)
    ev.notes = "; ".join(notes)
    return ev


def _near_container(ev: Event, container: Place) -> None:
    """A place the gazetteer lacks, in a known one: its country, and, a town, its point as
    near (geo_precision 2); a region or a country gives no point (never a guess)."""
    ev.country = container.country or None
    if container.kind in ("city", "town") and container.has_point:
        ev.lat, ev.lon, ev.geo_precision = container.lat, container.lon, 2


def evidence(article: Article, sent: Sentence) -> Evidence:
    return Evidence(sent.text, sent.start, sent.end, article.source, article.title,
                    article.published.isoformat() if article.published else None)


def set_place(ev: Event, res: Resolved) -> None:
    place = res.place
    assert place is not None
    ev.place_name, ev.place_id, ev.place_kind = place.name, place.id, place.kind
    ev.country = place.country or None
    if place.kind == "country" or not place.has_point:
        return  # country-only: no point
    ev.lat, ev.lon = place.lat, place.lon
    if place.kind == "region":
        ev.geo_precision = 3
    elif res.near or place.kind == "river":
        ev.geo_precision = 2
    else:
        ev.geo_precision = 1


def informative(ev: Event) -> bool:
    """Worth reporting: a site or a town; a region or a country with a date (without one, "the
    attacks" there are an allusion, not an event); a name the gazetteer lacks ("Pazi Gyi");
    and, placed nowhere, a day and a named weapon."""
    if ev.place_kind in POINT_KINDS:
        return True  # a known site, even one without coordinates
    if ev.place is not None and ev.place_id is None:
        return True  # a named place the gazetteer does not know: "unresolved", not nothing
    if ev.place is None:  # no place at all: only a dated attack with a specific type
        return ev.time_precision == 1 and ev.event_type in ATTACK_TYPES and not ev.aggregate
    # a region or a country: an event there needs a date or a count ("Armed clashes ... went
    # on while the parties debated" across the Kurdistan Region is no event of its own)
    return ev.date is not None or ev.killed is not None or ev.wounded is not None


def set_roles(ev: Event, actors: Iterable[lexicon.Actor]) -> None:
    """ACLED's roles from the actors of the event's clause: ``actor1`` the first side that
    acted (or claimed it), ``actor2`` the first side hit, ``claimant`` who says it did it."""
    chosen = list(actors)
    ev.actor1 = next((a.name for a in chosen if a.role != "target"), None)
    ev.actor2 = next((a.name for a in chosen if a.role == "target" and a.name != ev.actor1),
                     None)
    ev.claimant = next((a.name for a in chosen if a.role == "claimant"), None)


def actor_names(actors: Iterable[lexicon.Actor]) -> list[str]:
    """Each actor once, with its first role: "Houthis", "US forces (target)"."""
    named: dict[str, str] = {}
    for a in actors:
        named.setdefault(a.name, a.name + (" (target)" if a.role == "target" else ""))
    return list(named.values())
