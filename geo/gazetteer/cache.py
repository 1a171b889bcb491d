"""The compiled index on disk: its cache key, atomic writes and stale-cache pruning.

``gazetteer-<key>.pickle`` holds the columns and key indexes; ``-skeleton.pickle`` beside it
the transliteration index, read only when first needed. ``<key>`` hashes the sizes and mtimes
of every source file and of the modules that shape the compiled index
(:func:`geo.gazetteer.build.source_files`), plus :data:`FORMAT_VERSION`.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Iterable
from pathlib import Path

from geo.config import GAZETTEER_DATA_DIR
from geo.gazetteer.columns import GazetteerError

#: Bump when the cached layout or the build rules change.
FORMAT_VERSION = 9
COMMON_WORDS_FILE = "common_words.txt"


def cache_key(files: Iterable[Path]) -> str:
    """A hash of the sources' sizes and mtimes plus the format version."""
    h = hashlib.sha1(f"v{FORMAT_VERSION}".encode())
    for f in files:
        st = f.stat() if f.exists() else None
        h.update(f"{f}:{st.st_size if st else -1}:{st.st_mtime_ns if st else -1}".encode())
    return h.hexdigest()[:16]


def prune_caches(folder: Path, keep: Path, spare: int = 1) -> None:
    """Drop stale index caches, sparing the newest ``spare`` others (another checkout or
    process may still be using them)."""
    mains = sorted((p for p in folder.glob("gazetteer-*.pickle")
                    if not p.name.endswith("-skeleton.pickle") and p != keep),
                   key=lambda p: p.stat().st_mtime, reverse=True)
    for old in mains[spare:]:
        old.unlink(missing_ok=True)
        skeleton_path(old).unlink(missing_ok=True)


def skeleton_path(path: Path) -> Path:
    return path.with_name(path.stem + "-skeleton.pickle")


def dump_atomic(obj: object, path: Path) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def read_common_words(data_dir: Path = GAZETTEER_DATA_DIR) -> frozenset[str]:
    """English words that are also place names ("hit", "mobile", "reading"): gated in text."""
    path = data_dir / COMMON_WORDS_FILE
    if not path.is_file():
        raise GazetteerError(f"gazetteer word list missing: {path}")
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))
