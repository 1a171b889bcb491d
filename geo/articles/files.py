"""Article files: which files of a folder are articles, and their bytes decoded to text.

Encoding policy: UTF-8 (with or without BOM) and UTF-16 with a BOM are read as such; other bytes
are decoded as Windows-1252 (a superset of Latin-1 for printable text, the usual legacy encoding
of saved web pages). Bytes that look binary (NUL bytes or many control characters) are refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from geo.articles.article import ArticleError

ARTICLE_SUFFIXES: frozenset[str] = frozenset({".txt", ".text", ".html", ".htm", ".md"})


#: A folder's own documentation (its README, licence, sources) is not an article in it.
_FOLDER_DOCS = re.compile(r"(?i)^(?:readme|licen[cs]e|copying|attribution|sources|changelog|"
                          r"notice|authors)(?:\.[\w.]+)?$")


def iter_article_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Article files named by ``paths``: files as given, folders searched recursively for
    .txt/.text/.html/.htm/.md files (sorted; hidden files and folders, and a folder's README,
    licence, sources and attribution files skipped)."""
    found: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            inside = sorted(
                f for f in p.rglob("*")
                if f.is_file() and f.suffix.lower() in ARTICLE_SUFFIXES
                and not any(part.startswith(".") for part in f.relative_to(p).parts)
                and not _FOLDER_DOCS.match(f.name)
            )
            if not inside:
                raise ArticleError(f"{p}: folder has no article files "
                                   f"({', '.join(sorted(ARTICLE_SUFFIXES))})")
            found.extend(inside)
        elif p.exists():  # a file, or a pipe or device named on purpose: read_article copes
            found.append(p)
        else:
            raise ArticleError(f"{p}: no such file or folder")
    unique: dict[Path, None] = {}
    for f in found:
        unique.setdefault(f, None)
    return list(unique)


def decode(data: bytes, p: Path) -> tuple[str, str]:
    """Text and encoding name, or ArticleError for binary data (see the module docstring)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise ArticleError(f"{p}: not valid UTF-16 despite its byte-order mark") from None
        if "\x00" in text:  # the NUL test below only sees UTF-8 and single-byte encodings
            raise ArticleError(f"{p}: binary file, not text (NUL characters in UTF-16)")
        return text, "utf-16"
    if looks_binary(data):
        raise ArticleError(f"{p}: binary file, not text")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    text = data.decode("cp1252", errors="replace")
    if text.count("\ufffd") > max(3, len(text) // 100):
        raise ArticleError(f"{p}: not UTF-8 and not readable as Windows-1252 text")
    return text, "cp1252"


#: Every byte but the control bytes that no text has (all below 32 but tab, LF, FF and CR).
_NOT_CONTROL = bytes([9, 10, 12, 13, *range(32, 256)])


def looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head:
        return True
    control = len(head.translate(None, _NOT_CONTROL))
    return control > len(head) * 0.05

