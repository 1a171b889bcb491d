"""Actor recall on the news gold: of the gold events that name an actor, the share whose
matched extracted event names at least one of the same actors.

A gold actor is free text ("Rapid Support Forces (RSF) (target)"); it is read with the
extractor's own :func:`find_actors`, so "the same actor" is the same canonical name. A gold
event the extractor misses (no pair, as :func:`geo.extract.evaluate.score_article` pairs them)
counts as not found. ``python -m tests.actor_recall`` prints the figures.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from geo.articles import read_article
from geo.extract import Extractor
from geo.extract.evaluate import _date_ok, _pairs, _place_ok
from geo.extract.lexicon import find_actors

NEWS = Path(__file__).parent / "fixtures" / "news"
_ROLE = re.compile(r"\s*\((?:target|receiving|accused|claimed|allied|implied)\)\s*$")


@dataclass
class ActorRecall:
    with_actors: int = 0  # gold events naming an actor the extractor's table knows
    paired: int = 0  # ... of them matched to an extracted event
    found: int = 0  # ... whose extracted event names one of the gold's actors

    @property
    def recall(self) -> float:
        return self.found / self.with_actors if self.with_actors else 0.0


def gold_actor_names(gold: dict) -> set[str]:
    return {a.name for text in gold.get("actors") or ()
            for a in find_actors(_ROLE.sub("", str(text)))}


def actor_recall(extractor: Extractor, halves: tuple[str, ...] = ("dev", "test")) -> ActorRecall:
    score = ActorRecall()
    by_article: dict[str, list[dict]] = {}
    for half in halves:
        for line in (NEWS / f"gold_{half}.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                g = json.loads(line)
                by_article.setdefault(g["article"], []).append(g)
    for name, gold in sorted(by_article.items()):
        events = [e for e in extractor.extract(read_article(NEWS / "articles" / name))
                  if e.status == "reported"]
        pairs = dict((id(g), p) for g, p in _pairs(
            gold, events, lambda g, p: _place_ok(g, p) is not False
            and _date_ok(g, p) is not False))
        for g in gold:
            wanted = gold_actor_names(g)
            if not wanted:
                continue
            score.with_actors += 1
            event = pairs.get(id(g))
            if event is None:
                continue
            score.paired += 1
            named = {_ROLE.sub("", a) for a in event.actors}
            score.found += bool(named & wanted)
    return score


def all_gold_with_actors(halves: tuple[str, ...] = ("dev", "test")) -> int:
    """Gold events whose ``actors`` field lists anyone at all (known to the table or not)."""
    return sum(bool(json.loads(line).get("actors"))
               for half in halves
               for line in (NEWS / f"gold_{half}.jsonl").read_text(encoding="utf-8").splitlines()
               if line.strip())


if __name__ == "__main__":
    from geo.config import Settings
    from geo.pipeline import load_extractor

    r = actor_recall(load_extractor(Settings()))
    total = all_gold_with_actors()
    print(f"gold events with actors: {total}; with an actor the table knows: {r.with_actors}; "
          f"paired with an extracted event: {r.paired}; same actor named: {r.found}; "
          f"recall {r.found / total:.3f} of all, {r.recall:.3f} of known, "
          f"{r.found / max(r.paired, 1):.3f} of paired")
