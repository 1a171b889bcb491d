"""Places named by their kind: "the city", "the base", "Sanaa airport", "a base in Mekelle",
and names the gazetteer does not know but the text says are places ("Pazi Gyi, a village in
the central Sagaing region", "the Hnone Buu hilltop outpost", "taken Gwer, Makhmour and ...").

* A definite description ("the city", "the town", "the base", "the airport", "the crossing",
  "the prison", "the capital") refers to the last place of that kind the article named (its
  title and lead first): the event is placed there, with a note saying so.
* A site named by its kind and a town ("Sanaa airport", "Goma's military airport", "a base in
  Mekelle", "the Rafah crossing") is the one site of that kind the gazetteer has within a few
  kilometres of the town; with none or several, the town, near (geo_precision 2).
* A name with a kind word ("Tal Hpyar village", "the village of Canaqci", "Baba Gurgur oil
  field") or a name in a list with known places ("Gwer, Makhmour and ...") that the gazetteer
  lacks is a place all the same: "unresolved", never guessed, in the country of the place
  that contains it when the text names one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from geo.extract.mentions import Resolved, Sentence
from geo.gazetteer import Gazetteer
from geo.gazetteer.demonyms import DEMONYMS
from geo.geodesy import PointGrid
from geo.model import SITE_KINDS, Place

#: Kind words and the place kinds they name.
_KIND_PLACES: dict[str, frozenset[str]] = {
    "city": frozenset({"city", "town"}), "town": frozenset({"town", "city"}),
    "village": frozenset({"town", "city"}), "capital": frozenset({"city"}),
    "base": frozenset({"military_base", "airfield", "airport"}),
    "airbase": frozenset({"military_base", "airfield", "airport"}),
    "outpost": frozenset({"military_base"}), "camp": frozenset({"military_base"}),
    "garrison": frozenset({"military_base"}),
    "airport": frozenset({"airport", "airfield"}), "airfield": frozenset({"airfield", "airport"}),
    "crossing": frozenset({"border_crossing"}), "prison": frozenset(), "port": frozenset(),
    "facility": frozenset({"facility"}), "compound": frozenset(), "field": frozenset(),
}
_KIND_WORD = (r"(?:city|town|village|capital|base|air\s*base|airport|airfield|outpost|camp|"
              r"garrison|crossing|prison|port|facility|compound|oil\s+field|gas\s+field|field)")
#: "the city", "the besieged town", "the Ukrainian capital" (not "the city of Tikrit", not
#: "the city's population").
_DEFINITE = re.compile(rf"\b[Tt]he\s+(?:(?:[\w-]+)\s+)?(?P<kind>{_KIND_WORD})\b"
                       r"(?!\s+of\b|['’]s\b|\s+[A-Z])")
#: Kind words around a name that say what it is: "the northern Iraqi city of Mosul",
#: "Tessit, a town in the Gao region", "al-Sina'a prison", "Erbil airport".
_KIND_BEFORE = re.compile(rf"(?i)\b(?P<kind>{_KIND_WORD})\s+of\s+(?:the\s+)?$")
_KIND_AFTER = re.compile(rf"(?i)^(?:,\s+(?:a|an|the)\s+(?:[\w-]+\s+){{0,3}}?|\s+(?:[\w-]+\s+)?)"
                         rf"(?P<kind>{_KIND_WORD})\b")
#: A name the gazetteer lacks, said to be a place by a kind word: "Tal Hpyar village", "the
#: Hnone Buu hilltop outpost", "the village of Canaqci", "Pazi Gyi, a village in ...".
_NAME = r"(?:(?:al|el|ad|ar|as|ash|an|at|az|ul|de|du|la|le)-)?[A-Z][\w'’]*(?:-[\w'’]+)*"
_NAMES = rf"{_NAME}(?:\s+(?:{_NAME}|\d{{1,3}}))*"
_SITE_WORD = (r"(?:village|town|outpost|hilltop\s+outpost|hilltop\s+post|post|base|territory|"
              r"forward\s+operating\s+base|FOB|camp|oil\s+field|gas\s+field|field|"
              r"border\s+crossing|crossing|mountains|neighbou?rhood|district|township|"
              r"airport|airbase|air\s+base|prison|bridge)")
#: How every site word of _SITE_WORD starts (a quick test before the pattern).
_SITE_STARTS = ("village", "town", "outpost", "hilltop", "post", "base", "territory",
                "forward", "fob", "camp", "oil", "gas", "field", "border", "crossing",
                "mountains", "neighbo", "district", "township", "airport", "airbase", "air",
                "prison", "bridge")
#: A run of capitalised words (a name, perhaps with "The" or a title before it).
_NAME_RUN = re.compile(_NAMES)
#: What around a run says it names a place: a kind word after it ("Tal Hpyar village"), "the
#: village of" before it, an apposition after it ("Pazi Gyi, a village in"), a preposition
#: before it and a place that contains it after ("in Komanda, in Ituri province", "of
#: Bashiqa, near Mosul", "Tarhouna, southeast of Tripoli").
_KIND_NEXT = re.compile(rf"\s+(?P<k>{_SITE_WORD})\b")
_KIND_OF_BEFORE = re.compile(r"\b(?:village|town|city|locality|hamlet)\s+of\s+$")
_APPOSITION_NEXT = re.compile(r",\s+(?:a|the)\s+(?:[\w-]+\s+){0,2}?(?P<k>village|town|city|"
                              r"locality|hamlet|base|outpost|camp)\b")
_PREPOSITION_BEFORE = re.compile(r"\b(?:in|at|near|into|on|of|from|to)\s+$")
_CONTAINER_NEXT = re.compile(
    r",?\s+(?:in|near|outside|(?:\d+\s*(?:km|kilomet\w+|miles)\s+)?(?:north|south|east|west)"
    r"(?:-?(?:east|west))?(?:ern)?\s+of)\s+(?:the\s+)?[A-Z]")
#: "the Red Sea", "the Gulf of Aden", "the Bab el-Mandeb Strait": a sea is a place.
_SEA = re.compile(
    rf"\b(?:(?:Gulf|Sea|Strait|Straits|Bay)\s+of\s+{_NAME}|(?:{_NAME}\s+){{1,2}}"
    r"(?:Sea|Strait|Gulf|Ocean))\b(?!\s+(?:crisis|war|conflict|region|states|countries|"
    r"Cooperation|Arab|nations|monarchies)\b)")
#: Words that start a capitalised run but are not names.
_NOT_NAMES = frozenset({
    "The", "A", "An", "This", "That", "These", "Those", "It", "Its", "Their", "His", "Her",
    "In", "On", "At", "By", "From", "To", "Of", "For", "With", "After", "Before", "When",
    "While", "As", "And", "But", "Or", "Since", "During", "Under", "Over", "Near", "Into",
    "Another", "Other", "Some", "Several", "Two", "Three", "Four", "Five", "Six", "Seven",
    "Eight", "Nine", "Ten", "Both", "Each", "Every", "All", "Many", "Most", "Once", "Our",
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January",
    "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December", "US", "U.S", "UN", "Army", "Air", "Military", "Government",
    "State", "Regional", "Provincial", "National", "International", "Main", "Former", "New",
    "Old", "Central", "North", "South", "East", "West", "Northern", "Southern", "Eastern",
    "Western", "Upper", "Lower", "Greater", "Date", "Location", "Result", "Next", "Recap",
    "Background", "Attack", "Battle", "Aftermath", "Live", "Updates",
})
#: Media and platforms: "a Telegram post", "a Facebook post", "on its X account" name no place.
_MEDIA = frozenset({"Telegram", "Facebook", "Twitter", "X", "Instagram", "TikTok", "YouTube",
                    "WhatsApp", "Truth", "Social", "VKontakte", "Weibo", "LinkedIn", "Signal"})
#: A list of names joined by commas and "and": "Gwer, Makhmour and the Parvezkhan border
#: crossing", "Khurmatu, Daquq and Jalawla".
_LIST_ITEM = re.compile(rf"(?:,\s+(?:and\s+|or\s+)?|\s+(?:and|or)\s+)(?:the\s+)?(?P<n>{_NAMES})")
#: How far a site of a kind may lie from the town that names it ("Sanaa airport").
_SITE_KM = 15.0


@dataclass
class KindMemory:
    """The last place of each kind word the article named, for "the city" and "the base"."""

    last: dict[str, Resolved] = field(default_factory=dict)

    def remember(self, res: Resolved, text: str, sent: Sentence) -> None:
        words = set()
        if res.place is not None:
            words |= {w for w, kinds in _KIND_PLACES.items() if res.place.kind in kinds}
        before = text[max(sent.start, res.start - 40):res.start]
        after = text[res.end:min(sent.end, res.end + 40)]
        around = (before + " " + after).lower()
        if any(k in around for k in _KIND_STEMS):
            for m in (_KIND_BEFORE.search(before), _KIND_AFTER.match(after)):
                if m:
                    words.add(_key(m["kind"]))
        for w in words:
            self.last[w] = res


#: One of these is in every kind word (a quick test before the patterns).
_KIND_STEMS = ("city", "town", "village", "capital", "base", "airport", "airfield", "outpost",
               "camp", "garrison", "crossing", "prison", "port", "facility", "compound", "field")


def _key(kind: str) -> str:
    low = " ".join(kind.lower().split())
    return {"air base": "airbase", "oil field": "field", "gas field": "field"}.get(low, low)


def kind_references(sent: Sentence, memory: KindMemory) -> list[Resolved]:
    """"the city", "the base", "the crossing": the last place of that kind named before."""
    out = []
    taken = [(p.start - sent.start, p.end - sent.start) for p in sent.places]
    for m in _DEFINITE.finditer(sent.text):
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        ref = memory.last.get(_key(m["kind"]))
        if ref is None:
            continue
        out.append(replace(ref, start=sent.start + m.start(), end=sent.start + m.end(),
                           near=False, reference=False, stay=False, origin=False,
                           reasons=(*ref.reasons, f"'{m[0]}' names {ref.surface}, named before")))
    return out


def unknown_places(sent: Sentence) -> list[Resolved]:
    """Names the gazetteer lacks that the text says are places (see the module's doc)."""
    text = sent.text
    known = [(p.start - sent.start, p.end - sent.start) for p in sent.places]
    out: list[Resolved] = []

    def add(start: int, name_end: int, end: int, why: str) -> None:
        """A name at ``start``..``name_end`` (its kind word runs to ``end``)."""
        words = text[start:name_end].split()
        while words and words[0] in _NOT_NAMES:
            start += len(words[0]) + 1
            words = words[1:]
        if not words or start >= name_end or any(s < end and start < e for s, e in known):
            return
        if any(_not_a_name(w) for w in words) or _MEDIA.intersection(words):
            return  # "Israeli town", "Myanmar's", "TPLF", "Autonomous Region", "Telegram post"
        if any(s < end and start < e
               for s, e in ((r.start - sent.start, r.end - sent.start) for r in out)):
            return
        out.append(Resolved(sent.start + start, sent.start + end, text[start:end], None, 0.0,
                            (why,)))

    for run in _NAME_RUN.finditer(text):
        start, end = run.span()
        nxt = text[end:end + 2]
        # the patterns only where the words around can start them: most runs are not places
        if nxt[:1] == " " and text[end + 1:end + 12].lower().startswith(_SITE_STARTS):
            kind = _KIND_NEXT.match(text, end)
            if kind:
                word = " ".join(kind["k"].lower().split())
                add(start, end, kind.end(), f"a {word} the gazetteer does not know")
                continue
        before = text[max(0, start - 25):start]
        if before.endswith(" of ") and _KIND_OF_BEFORE.search(before):
            add(start, end, end, "a place the gazetteer does not know")
            continue
        if nxt not in (", ", " i", " n", " o", " s", " e", " w") and nxt[:1] != ",":
            continue
        apposition = _APPOSITION_NEXT.match(text, end) if nxt == ", " else None
        if apposition:
            add(start, end, end, f"a {apposition['k'].lower()} the gazetteer does not know")
        elif _PREPOSITION_BEFORE.search(before) and _CONTAINER_NEXT.match(text, end):
            add(start, end, end, "a place the gazetteer does not know")
    if any(w in text for w in ("Sea", "Gulf", "Strait", "Ocean", "Bay")):
        for m in _SEA.finditer(text):
            add(m.start(), m.end(), m.end(), "a sea or a strait")
    # names listed with known towns, in a list of three or more: "taken Gwer, Makhmour and
    # the Parvezkhan border crossing", "withdrawn from Khurmatu, Daquq and Jalawla"
    towns = [p for p in sent.places if p.place is not None and p.place.kind in ("city", "town")]
    for p in towns:
        items: list[tuple[int, int]] = []
        head = _LIST_HEAD.search(text, max(0, p.start - sent.start - 60), p.start - sent.start)
        if head is not None:
            items.append((head.start("n"), head.end("n")))
        pos = p.end - sent.start
        while (m := _LIST_ITEM.match(text, pos)) is not None:
            items.append((m.start("n"), m.end("n")))
            pos = m.end()
        if len(items) >= 2:
            for start, end in items:
                add(start, end, end, "listed with known places")
    return out


#: Words that are not part of a place's name: demonyms ("Israeli town"), possessives,
#: acronyms of groups ("TPLF"), and the words of organisations and regions.
_NOT_NAME_WORDS = frozenset({"Autonomous", "Region", "Regional", "Government", "Forces",
                             "Army", "Ministry", "Council", "Committee", "Committees",
                             "Authority", "Front", "Movement", "Party", "Group", "Brigade",
                             "Brigades", "Division", "Command", "Target", "Location", "Date"})


def _not_a_name(word: str) -> bool:
    return (word in DEMONYMS or word.endswith(("'s", "’s")) or word in _NOT_NAME_WORDS
            or word.isupper() and len(word) > 1 and word.isalpha())


#: A name right before a known town in a list: "Gwer, Makhmour".
_LIST_HEAD = re.compile(rf"(?P<n>{_NAMES})(?:,\s+|\s+and\s+)$")


class Sites:
    """Every site the gazetteer has (bases, airfields, airports, border crossings, facilities),
    in a point grid read once, lazily: "the one airport within 15 km of Sanaa" reads a few
    cells, not every place of the gazetteer."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self._grid: PointGrid[Place] | None = None

    def _sites(self) -> PointGrid[Place]:
        if self._grid is None:
            kinds = SITE_KINDS | {"border_crossing"}
            found = self.gazetteer.nearest(0.0, 0.0, kinds=kinds, limit=_ALL_SITES)
            self._grid = PointGrid(((p.lat, p.lon, p) for p, _ in found), _SITE_KM)
        return self._grid

    def of_kind(self, res: Resolved, kind: str) -> Place | None:
        """The one site of a kind within :data:`_SITE_KM` of a town ("Sanaa airport" ->
        Sanaa International Airport), or None when there is none or more than one."""
        place = res.place
        if place is None or not place.has_point or place.kind not in ("city", "town"):
            return None
        kinds = _KIND_PLACES.get(_key(kind), frozenset()) & SITE_KINDS | (
            {"border_crossing"} if _key(kind) == "crossing" else set())
        if not kinds:
            return None
        near = [p for _, p in self._sites().within(place.lat, place.lon) if p.kind in kinds]
        return near[0] if len(near) == 1 else None


#: More sites than any gazetteer holds: nearest() then returns them all.
_ALL_SITES = 10_000_000


#: A kind word right after a town's name, or "a base in X": the site of that kind there.
_SITE_AFTER = re.compile(r"(?i)^(?:['’]s)?\s+(?:(?:military|international|main|civilian|"
                         r"federal|US|U\.S\.)\s+)*(?P<kind>airport|air\s*base|airfield|"
                         r"crossing|base)\b")
_SITE_BEFORE = re.compile(r"(?i)\b(?P<kind>airport|air\s*base|airfield|base)\s+(?:in|at|"
                          r"near|outside|beside|of)\s+$")


def sites_by_kind(sites: Sites, sent: Sentence, text: str) -> None:
    """Moves each town named with a kind word of a site ("Sanaa airport", "a base in
    Mekelle") to that site when the gazetteer has exactly one of that kind near it; else the
    town stays, near (geo_precision 2), with a note."""
    low = sent.text.lower()
    if not any(w in low for w in ("airport", "base", "airfield", "crossing")):
        return
    for i, res in enumerate(sent.places):
        if res.place is None or res.place.kind not in ("city", "town"):
            continue
        after = _SITE_AFTER.match(text[res.end:res.end + 40])
        before = _SITE_BEFORE.search(text[max(sent.start, res.start - 30):res.start])
        m = after or before
        if m is None:
            continue
        site = sites.of_kind(res, m["kind"])
        kind = " ".join(m["kind"].lower().split())
        if site is not None:
            sent.places[i] = replace(res, place=site, near=False, reasons=(
                *res.reasons, f"the {kind} of {res.place.name}: {site.name}"))
        else:
            sent.places[i] = replace(res, near=True, reasons=(
                *res.reasons, f"a {kind} at {res.place.name} the gazetteer does not know"))
