"""Reports of one event within an article, merged into one event.

Two events of one article that are the same (same type family and site, one of them undated or
both of one date) merge, so a caption's "rocket attack on Camp Taji" and the body's "two
assaults on the Taji base last week" become one rocket attack with the date; a loose report
(placed only by its country, or an undated one in a town) joins the one placed attack it fits.
Indexes keep this linear in the number of events.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from datetime import date

from geo.extract.mentions import POINT_KINDS
from geo.extract.triggers import ATTACK_CONCEPTS
from geo.geodesy import PointGrid
from geo.model import ATTACK_TYPES, Event
from geo.text.names import fold

#: Type specificity when two reports of one event are merged (lower wins).
_TYPE_RANK = {t: i for i, t in enumerate(dict.fromkeys(t for _, t in ATTACK_CONCEPTS))}
#: How far apart an undated report of an attack in a town and a dated one in the same
#: article may be and still be one attack (the store merges across articles at 25 km).
SAME_ATTACK_KM = 25.0


def _same_report(a: Event, b: Event) -> bool:
    """Two events of one article that describe the same thing: the same type family, site
    and status, one undated or both of one date (a day within the month of the other's)."""
    same_family = (a.event_type == b.event_type
                   or a.event_type in ATTACK_TYPES and b.event_type in ATTACK_TYPES)
    if not same_family or a.aggregate != b.aggregate or a.status != b.status:
        return False
    key = _place_key(a)
    if key is None or key != _place_key(b):
        return False
    return a.date is None or b.date is None or _same_time(a.date, b.date)


def _place_key(ev: Event) -> str | None:
    """What says two reports are at one place: the site's id; for a name the gazetteer
    lacks ("Tal Hpyar village"), the name; a region or a country says too little."""
    if ev.place_id is not None:
        return ev.place_id if ev.place_kind in POINT_KINDS else None
    return "name:" + fold(ev.place) if ev.place else None


def _same_time(a: str, b: str) -> bool:
    """One date, or a day of the other's month ("2014-11-21" and "2014-11")."""
    return a == b or len(a) == 7 and b[:7] == a or len(b) == 7 and a[:7] == b


def merge_within_article(events: list[Event]) -> list[Event]:
    """Each event joins the first earlier one that reports the same thing (:func:`_same_report`),
    found through an index by type family and place, so an article of thousands of events
    costs time linear in their number."""
    merged: list[Event] = []
    reports: dict[tuple[str, bool, str], _Reports] = {}
    spans: dict[int, set[tuple[int, int]]] = {}
    for ev in events:
        key = _place_key(ev)
        if key is None:
            merged.append(ev)
            continue
        family = "attack" if ev.event_type in ATTACK_TYPES else ev.event_type
        at_place = reports.setdefault((family, ev.aggregate, ev.status, key), _Reports())
        twin = at_place.twin(ev)
        if twin is None:
            at_place.add(ev, len(merged))
            merged.append(ev)
            continue
        before = twin.date
        _absorb(twin, ev, spans)
        if before is None and twin.date is not None:
            at_place.dated(twin)
        elif twin.date != before:
            at_place.add_date(twin, before)
    return _fold_vague(merged, spans)


class _Reports:
    """The merged events of one type family at one place, in article order. A new report
    joins the first of them (:func:`_same_report`): when undated, the first of all; when
    dated, the first undated one or the first of its date, whichever is earlier."""

    def __init__(self) -> None:
        self.order: dict[int, int] = {}  # id(event) -> its position among the merged events
        self.first: Event | None = None
        self.undated: deque[Event] = deque()  # in article order
        self.by_date: dict[str, Event] = {}  # the first event of each date

    def add(self, ev: Event, position: int) -> None:
        self.order[id(ev)] = position
        self.first = self.first or ev
        if ev.date is None:
            self.undated.append(ev)
        else:
            self._dated(ev)

    def _dated(self, ev: Event) -> None:
        """Indexes ``ev`` by its date, and a day or a month by its month too."""
        for key in (ev.date, "m:" + ev.date[:7]) if len(ev.date) >= 7 else (ev.date,):
            first = self.by_date.get(key)
            if first is None or self.order[id(ev)] < self.order[id(first)]:
                self.by_date[key] = ev

    def twin(self, ev: Event) -> Event | None:
        if ev.date is None:
            return self.first
        # a day joins a report of its month, a month any report of a day in it
        month = self.by_date.get("m:" + ev.date) if len(ev.date) == 7 else \
            self.by_date.get(ev.date[:7]) if len(ev.date) == 10 else None
        found = [e for e in (self.undated[0] if self.undated else None,
                             self.by_date.get(ev.date), month) if e is not None]
        return min(found, key=lambda e: self.order[id(e)], default=None)

    def add_date(self, ev: Event, before: str) -> None:
        """``ev`` took a finer date (a day in its month) from a report it absorbed: it is no
        longer the report of ``before`` alone."""
        if self.by_date.get(before) is ev:
            del self.by_date[before]
        self._dated(ev)

    def dated(self, ev: Event) -> None:
        """``ev``, undated until now, took a date from a report it absorbed (only the first
        undated event ever absorbs one)."""
        assert self.undated[0] is ev
        self.undated.popleft()
        self._dated(ev)


def _fold_vague(events: list[Event], spans: dict[int, set[tuple[int, int]]]) -> list[Event]:
    """Two loose reports of an attack that the article places more exactly elsewhere (often
    its headline's) become sources of that report, when it is the only one that fits:

    * one placed only by its country ("Turkish drone strike kills three SDF fighters in
      northeast Syria") is the attack placed in that country that shares a day or a count
      with it and contradicts none ("A Turkish drone struck a vehicle near Qamishli on Sunday,
      killing three");
    * an undated one in a town ("Rocket assault on Erbil kills contractor") is the dated
      attack within :data:`SAME_ATTACK_KM` of it whose counts do not contradict it ("A
      rocket attack on a base in Erbil on Monday killed a contractor", at Erbil Air Base);
    * one placed by its region ("a hospital in western Rakhine state") is the attack placed
      in a town of the region (within :data:`_REGION_KM` of its centre) that agrees with it
      (sharing a day or a count when it is dated).

    The placed attacks are indexed by country and by point; a loose report that could be any
    of more than :data:`_MAX_LOOSE_FITS` of them is left as it is.
    """
    placed = [e for e in events if e.has_point and e.event_type in ATTACK_TYPES
              and not e.aggregate and e.place_kind != "region"]
    by_country: dict[str | None, list[Event]] = {}
    for e in placed:
        by_country.setdefault(e.country, []).append(e)
    near: PointGrid[Event] | None = None
    wide: PointGrid[Event] | None = None
    out: list[Event] = []
    for ev in events:
        fits = None
        if ev.event_type in ATTACK_TYPES and not ev.aggregate and ev.status == "reported":
            if ev.place_kind == "country":
                fits = _fits(ev, (e for e in by_country.get(ev.country, ())
                                  if e.evidence_start != ev.evidence_start),
                             positive=True, slack=True)
            elif ev.place_kind == "region" and ev.has_point:
                # "an air strike on a hospital in western Rakhine state": the attack placed
                # in a town of that region that agrees with it
                if wide is None:
                    wide = PointGrid(((e.lat, e.lon, e) for e in placed), _REGION_KM)
                fits = _fits(ev, (e for _, e in wide.within(ev.lat, ev.lon)
                                  if e.country == ev.country
                                  and e.evidence_start != ev.evidence_start),
                             positive=ev.date is not None, slack=True)
            elif ev.date is None and ev.place_kind in ("city", "town") and ev.has_point:
                if near is None:
                    near = PointGrid(((e.lat, e.lon, e) for e in placed), SAME_ATTACK_KM)
                fits = _fits(ev, (e for _, e in near.within(ev.lat, ev.lon)
                                  if e.date is not None), positive=False)
        if fits is not None and len(fits) == 1:
            _absorb(fits[0], ev, spans)
            continue
        out.append(ev)
    return out


#: How far from a region's centre an attack placed in one of its towns may be.
_REGION_KM = 150.0
#: How many placed attacks a loose report is compared with before it is left alone.
_MAX_LOOSE_FITS = 200


def _fits(ev: Event, pool: Iterable[Event], positive: bool,
          slack: bool = False) -> list[Event] | None:
    """Up to two events of ``pool`` that agree with ``ev`` (two are enough to say it is not
    the only one), or None when ``pool`` is too large to read. Their types agree (one of them
    an attack of unstated kind, or the same). ``slack``: days a day apart agree (a report
    dated by its line, "Dec 11 - ...", of an attack "late on Wednesday")."""
    fits: list[Event] = []
    for n, e in enumerate(pool):
        if n == _MAX_LOOSE_FITS:
            return None
        if _agree(e, ev, positive=positive, slack=slack) and (
                e.event_type == ev.event_type or "other_attack" in (e.event_type, ev.event_type)):
            fits.append(e)
            if len(fits) == 2:
                break
    return fits


def _agree(a: Event, b: Event, positive: bool = True, slack: bool = False) -> bool:
    """No day or count of one contradicts the other's, and (``positive``) both have the
    same day or count."""
    da, db = a.date, b.date
    if slack and da and db and len(da) == len(db) == 10 and da != db \
            and abs((date.fromisoformat(da) - date.fromisoformat(db)).days) <= 1:
        db = da
    pairs = ((da, db), (a.killed, b.killed), (a.wounded, b.wounded))
    return ((not positive or any(x is not None and x == y for x, y in pairs))
            and all(x is None or y is None or x == y for x, y in pairs))


def _absorb(keep: Event, other: Event, spans: dict[int, set[tuple[int, int]]]) -> None:
    """Folds ``other`` into ``keep``: the more specific type and date, counts, actors, evidence.
    ``spans``: the evidence spans of each event that has absorbed another, by ``id``."""
    if _TYPE_RANK.get(other.event_type, 99) < _TYPE_RANK.get(keep.event_type, 99):
        keep.event_type = other.event_type
    if other.date is not None and (keep.date is None or len(other.date) > len(keep.date)
                                   and other.date.startswith(keep.date)):
        keep.date, keep.time_precision = other.date, other.time_precision
        keep.date_start, keep.date_end = other.date_start, other.date_end
    keep.killed = max_count(keep.killed, other.killed)
    keep.wounded = max_count(keep.wounded, other.wounded)
    keep.actors = unique([*keep.actors, *other.actors])
    keep.confidence = max(keep.confidence, other.confidence)
    known = spans.get(id(keep))
    if known is None:
        known = spans[id(keep)] = {(s.start, s.end) for s in keep.sources}
    for s in other.sources:
        if (s.start, s.end) not in known:
            known.add((s.start, s.end))
            keep.sources.append(s)
    if other.notes and other.notes not in keep.notes:
        add_note(keep, f"merged: {other.notes}" if keep.notes else other.notes)


#: Notes beyond this length are cut short ("; ..."): an event merged from thousands of
#: reports does not carry thousands of notes.
_NOTES_MAX = 2000


def add_note(ev: Event, note: str) -> None:
    if len(ev.notes) < _NOTES_MAX:
        ev.notes = f"{ev.notes}; {note}" if ev.notes else note
    elif not ev.notes.endswith("; ..."):
        ev.notes += "; ..."


def max_count(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else max(a, b)


def unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
