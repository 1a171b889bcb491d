"""Configuration, in one place.

Every setting has a default, can be overridden by an environment variable, and is passed
explicitly (``Settings`` is a value, not a global). The CLI and the app call
:func:`Settings.from_env` once and hand the result down.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

#: The project folder (where pyproject.toml lives) for an editable install or a clone.
PROJECT_DIR = Path(__file__).resolve().parent.parent
#: Reference data shipped with the project (gazetteer layers, basemap), with SOURCES.md.
DATA_DIR = PROJECT_DIR / "data"
GAZETTEER_DATA_DIR = DATA_DIR / "gazetteer"
BASEMAP_DATA_DIR = DATA_DIR / "basemap"
SEEDS_DIR = PROJECT_DIR / "seeds"
STATIC_DIR = PROJECT_DIR / "static"


@dataclass(frozen=True)
class Settings:
    #: The embedded event store (a folder).
    store_dir: Path = PROJECT_DIR / "var" / "store"
    #: Where compiled indexes and online-geocoder answers are cached.
    cache_dir: Path = PROJECT_DIR / "var" / "cache"
    #: Online geocoder chained behind the gazetteer: "" (off, the default) or "nominatim".
    online_geocoder: str = ""
    #: User agent for the online geocoder (Nominatim's policy requires one).
    user_agent: str = "conflict-map/0.1 (offline-first conflict map)"
    #: Seconds between online geocoder requests (Nominatim allows one per second).
    online_min_delay: float = 1.0
    #: Seconds before an online request gives up (it must never block when offline).
    online_timeout: float = 3.0
    #: Largest article the reader accepts, in bytes.
    max_article_bytes: int = 5_000_000
    #: Most events the map draws one by one; above it, counted cells (docs/map.md: a fresh
    #: page of 10,000 points is drawn in about 4.7 s, one of cells in under 3 s).
    map_max_points: int = 20_000
    #: Seconds between the open page's checks for events a watcher or an ingest stored (it
    #: redraws when there are some); 0 turns the checks off.
    page_refresh_seconds: int = 30

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        s = cls()
        if env.get("CONFLICT_MAP_STORE"):
            s = replace(s, store_dir=Path(env["CONFLICT_MAP_STORE"]).expanduser())
        if env.get("CONFLICT_MAP_CACHE"):
            s = replace(s, cache_dir=Path(env["CONFLICT_MAP_CACHE"]).expanduser())
        if env.get("CONFLICT_MAP_MAX_POINTS", "").strip():
            s = replace(s, map_max_points=_count(env, "CONFLICT_MAP_MAX_POINTS"))
        if env.get("CONFLICT_MAP_REFRESH_SECONDS", "").strip():
            s = replace(s, page_refresh_seconds=_count(env, "CONFLICT_MAP_REFRESH_SECONDS"))
        if env.get("CONFLICT_MAP_ONLINE_GEOCODER"):
            s = replace(s, online_geocoder=env["CONFLICT_MAP_ONLINE_GEOCODER"].strip().lower())
        return s

    def with_store(self, store_dir: str | Path | None) -> Settings:
        return self if store_dir is None else replace(self, store_dir=Path(store_dir).expanduser())


def _count(env: dict[str, str], name: str) -> int:
    raw = env[name].strip()
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a whole number") from None
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return value
