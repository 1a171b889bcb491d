"""Reading files a user names: bounded in size, pipes and devices allowed, printable messages.

Shared by the article reader and the dataset importers, so a 100 MB file, a FIFO nobody
writes to or a file name holding a terminal escape is refused the same way everywhere.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path


class InputError(ValueError):
    """A file that cannot be read; the message is one printable line naming it."""

    def __init__(self, message: str) -> None:
        super().__init__(printable(message))


def printable(text: str) -> str:
    """``text`` with control characters and line/paragraph separators written as escapes:
    a file name may hold a newline or an escape sequence that would repaint the terminal."""
    return "".join(ch.encode("unicode_escape").decode("ascii")
                   if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in text)


def read_limited(p: Path, max_bytes: int, error: type[Exception] = InputError) -> bytes:
    """The bytes of a file, pipe or device, refused (``error``) when larger than ``max_bytes``
    (a regular file by its size, before reading), missing, a folder, unreadable or empty."""
    if not p.exists():
        raise error(f"{p}: no such file")
    if p.is_dir():
        raise error(f"{p}: is a folder, not a file")
    try:
        if p.is_file():
            size = p.stat().st_size
            if size > max_bytes:
                raise error(f"{p}: too large ({size:,} bytes; the limit is {max_bytes:,})")
            data = p.read_bytes()
        else:
            data = _read_stream(p, max_bytes, error)
    except PermissionError:
        raise error(f"{p}: not readable (permission denied)") from None
    except OSError as exc:
        raise error(f"{p}: cannot be read ({exc.strerror or exc})") from None
    if not data.strip():
        raise error(f"{p}: empty file")
    return data


def _read_stream(p: Path, max_bytes: int, error: type[Exception]) -> bytes:
    """A pipe or device (``<(curl ...)``, a FIFO, /dev/zero): its size is unknown, so read at
    most ``max_bytes`` + 1 bytes. Opened non-blocking because opening a FIFO that no process
    writes to would otherwise wait forever; reads then block as usual (EOF when no writer)."""
    nonblock = getattr(os, "O_NONBLOCK", 0)
    fd = os.open(p, os.O_RDONLY | nonblock)
    try:
        if nonblock:
            os.set_blocking(fd, True)
        chunks: list[bytes] = []
        total = 0
        while total <= max_bytes:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    finally:
        os.close(fd)
    if total > max_bytes:
        raise error(f"{p}: too large (more than {max_bytes:,} bytes, the limit)")
    return b"".join(chunks)
