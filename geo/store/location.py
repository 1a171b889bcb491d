"""Where a store is: a folder (or ``.sqlite`` file) for the embedded store, a
``postgresql://`` URL for the shared one. :func:`open_store` is what the CLI, the pipeline
and the page call with ``--store`` / ``CONFLICT_MAP_STORE``.

A location that looks like a URL of any other scheme is refused with one line, instead of
becoming a folder named ``mysql:``. (A ``pathlib.Path`` cannot hold ``//``: a URL that went
through one, ``postgresql:/user@host/db``, is read as the URL it was.)
"""

from __future__ import annotations

import re
from pathlib import Path

from geo.store.base import Store, StoreError

#: URL schemes of the PostGIS store.
POSTGIS_SCHEMES = ("postgresql", "postgres")
# a scheme of two letters or more ("C:/" is a Windows drive), then "/" or "//"
_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]+):(?P<slashes>/{1,2})(?P<rest>.*)$",
                  re.DOTALL)


def store_url(location: str | Path) -> str | None:
    """The URL a location names, or None for a path. Raises StoreError for a URL of a scheme
    no store speaks."""
    text = str(location).strip()
    match = _URL.match(text)
    if match is None:
        return None
    scheme = match["scheme"].lower()
    if scheme not in POSTGIS_SCHEMES:
        raise StoreError(f"{text}: not a store location: give a folder, a .sqlite file or a "
                         f"postgresql:// URL (scheme {match['scheme']!r} is not supported)")
    return f"{scheme}://{match['rest']}"


def is_url(location: str | Path) -> bool:
    """Whether ``location`` is a database URL (not a folder)."""
    return store_url(location) is not None


def describe(location: str | Path) -> str:
    """The location for messages: a URL without its password, a path as given."""
    url = store_url(location)
    if url is None:
        return str(location)
    from geo.store.postgis import redact

    return redact(url)


def open_store(location: str | Path, *, create: bool = True, timeout: float = 60.0) -> Store:
    """The store at ``location``: :class:`~geo.store.postgis.PostgisStore` for a
    ``postgresql://`` URL, else :class:`~geo.store.sqlite.EventStore` (a folder or file).
    ``create=False`` refuses to create one where there is none."""
    url = store_url(location)
    if url is not None:
        from geo.store.postgis import PostgisStore

        return PostgisStore(url, create=create, timeout=timeout)
    from geo.store.sqlite import EventStore

    return EventStore(location, create=create, timeout=timeout)
