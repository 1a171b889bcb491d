"""Realistic synthetic events for testing and measuring the map page at scale.

Why not uniform noise: the page's costs depend on how events bunch up (binning, clusters),
on the mix of types and datasets (facets), and on the share of events the map cannot draw
(undated, country-only, aggregates). So events here gather around real places of the
Iraq-Syria theatre with a Gaussian spread, types follow an attack-heavy mix, dates cluster in
campaigns, a few percent are undated or country-only, and actors, casualties and evidence
sentences look like imported records. Deterministic for a seed: event ``i`` is the same
whatever batch it is made in.

Command line (fills a store, e.g. the 1,000,000-event store the map figures were measured on)::

    .venv/bin/python -m tests.synthetic_events /tmp/store1m 1000000 --no-news
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from geo.model import Event, Evidence

#: (name, country, lat, lon, weight, spread in degrees): hotspots of the theatre.
HOTSPOTS: tuple[tuple[str, str, float, float, float, float], ...] = (
    ("Baghdad", "IQ", 33.31, 44.37, 9.0, 0.25),
    ("Mosul", "IQ", 36.34, 43.13, 7.0, 0.2),
    ("Ramadi", "IQ", 33.42, 43.30, 4.0, 0.2),
    ("Fallujah", "IQ", 33.35, 43.78, 4.0, 0.15),
    ("Tikrit", "IQ", 34.61, 43.68, 3.0, 0.2),
    ("Kirkuk", "IQ", 35.47, 44.39, 3.0, 0.2),
    ("Erbil", "IQ", 36.19, 44.01, 2.0, 0.2),
    ("Al-Qaim", "IQ", 34.37, 41.09, 2.0, 0.15),
    ("Basra", "IQ", 30.51, 47.81, 2.0, 0.25),
    ("Deir ez-Zor", "SY", 35.34, 40.14, 6.0, 0.3),
    ("Raqqa", "SY", 35.95, 39.01, 5.0, 0.2),
    ("Aleppo", "SY", 36.20, 37.16, 8.0, 0.25),
    ("Idlib", "SY", 35.93, 36.63, 7.0, 0.3),
    ("Homs", "SY", 34.73, 36.72, 4.0, 0.25),
    ("Damascus", "SY", 33.51, 36.29, 6.0, 0.3),
    ("Daraa", "SY", 32.63, 36.10, 3.0, 0.2),
    ("Abu Kamal", "SY", 34.45, 40.92, 2.0, 0.15),
    ("Hasakah", "SY", 36.50, 40.75, 3.0, 0.3),
)
#: Event types with their share of records (attacks dominate, as in ACLED/UCDP).
TYPE_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("armed_clash", 30), ("air_strike", 18), ("bombing", 14), ("rocket_attack", 10),
    ("drone_strike", 7), ("missile_attack", 4), ("other_attack", 8), ("base", 2),
    ("border_crossing", 1), ("withdrawal", 2), ("handover", 2), ("territory_change", 2),
)
ACTORS: tuple[str, ...] = (
    "Islamic State", "Iraqi Security Forces", "Syrian Arab Army", "Syrian Democratic Forces",
    "US-led coalition", "Kataib Hezbollah", "Turkish Armed Forces", "Hay'at Tahrir al-Sham",
    "Russian Air Force", "Popular Mobilization Forces", "Peshmerga", "unidentified militants",
)
DATASETS: tuple[tuple[str, float], ...] = (("acled", 60), ("ucdp", 35), ("news", 5))
FIRST_DAY = date(2012, 1, 1)
DAYS = 13 * 365


def synthetic_event(i: int, seed: int = 0) -> Event:
    """Event number ``i`` of the synthetic set for ``seed``."""
    rng = random.Random(seed * 1_000_003 + i)
    name, country, lat0, lon0, _w, spread = rng.choices(
        HOTSPOTS, weights=[h[4] for h in HOTSPOTS])[0]
    etype = rng.choices([t for t, _ in TYPE_WEIGHTS], weights=[w for _, w in TYPE_WEIGHTS])[0]
    dataset = rng.choices([d for d, _ in DATASETS], weights=[w for _, w in DATASETS])[0]
    roll = rng.random()
    located, aggregate = roll >= 0.02, 0.02 <= roll < 0.03  # 2 % country-only, 1 % aggregate
    lat = round(min(89.0, max(-89.0, rng.gauss(lat0, spread))), 5) if located else None
    lon = round(min(179.0, max(-179.0, rng.gauss(lon0, spread))), 5) if located else None
    # campaigns: most events fall in a few busy years
    day = None
    if rng.random() >= 0.03:  # 3 % undated
        centre = rng.choice((900, 1800, 2200, 2600, 3900))
        offset = int(min(DAYS - 1, max(0, rng.gauss(centre, 300))))
        day = (FIRST_DAY + timedelta(days=offset)).isoformat()
    actors = rng.sample(ACTORS, rng.choice((0, 1, 1, 2)))
    killed = rng.choice((None, 0, 0, 1, 1, 2, 3, 4, 6, 10, 25)) if etype not in {
        "base", "border_crossing", "handover"} else None
    place = f"{name} district {i % 97}" if located else ("Iraq" if country == "IQ" else "Syria")
    label = etype.replace("_", " ")
    text = (f"A {label} was reported near {place} on {day or 'an unknown date'}"
            + (f"; {killed} people were killed" if killed else "")
            + (f", attributed to {' and '.join(actors)}." if actors else "."))
    source = f"https://synthetic.example.org/{dataset}/{seed}/{i}"
    return Event(
        event_type=etype, date=day, time_precision=1 if day else None, place=place,
        place_name=place, place_id=f"synthetic:{name}:{i % 97}" if located else None,
        place_kind="town" if located else "country", country=country, lat=lat, lon=lon,
        geo_precision=rng.choice((1, 1, 2)) if located else None, killed=killed,
        wounded=rng.choice((None, 0, 2, 5)), actors=actors, evidence=text,
        evidence_start=0, evidence_end=len(text), source=source,
        confidence=round(rng.uniform(0.5, 1.0), 2), aggregate=aggregate and located,
        dataset=dataset, sources=[Evidence(text, 0, len(text), source, f"report {i}", day)],
    )


def synthetic_events(n: int, seed: int = 0, offset: int = 0,
                     news: bool = True) -> Iterator[Event]:
    """Events ``offset`` .. ``offset + n - 1``; with ``news=False`` the news reports are
    labelled ``acled`` instead (the store's bulk path: no merge search, much faster)."""
    for i in range(offset, offset + n):
        event = synthetic_event(i, seed)
        if not news and event.dataset == "news":
            event.dataset = "acled"
        yield event


def fill_store(path: str | Path, n: int, *, seed: int = 0, batch: int = 50_000,
               start: int = 0, news: bool = True) -> int:
    """Add synthetic events ``start`` .. ``start + n - 1`` to the store at ``path`` in
    batches; returns how many the store added. Every dataset goes through the store's bulk
    path except ``news``, merged as real news reports are (the store may hold a few fewer,
    and merging costs a search per report: ``news=False`` skips it for big stores)."""
    from geo.store import EventStore

    if n < 0 or start < 0:
        raise ValueError(f"number of events and start must be >= 0, got {n}, {start}")
    added = 0
    with EventStore(path) as store:
        for offset in range(start, start + n, batch):
            size = min(batch, start + n - offset)
            added += store.add_events(synthetic_events(size, seed, offset, news)).added
    return added


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fill an event store with synthetic events.")
    parser.add_argument("store", help="store folder (created if missing)")
    parser.add_argument("n", type=int, help="number of events")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--start", type=int, default=0, help="first event number (resume)")
    parser.add_argument("--no-news", action="store_true",
                        help="store news reports as acled (no merging: fast for big stores)")
    args = parser.parse_args(argv)
    try:
        added = fill_store(args.store, args.n, seed=args.seed, start=args.start,
                           news=not args.no_news)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{args.store}: added {added:,} events")
    return 0


if __name__ == "__main__":
    sys.exit(main())
