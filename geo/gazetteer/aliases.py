"""Which alternative names of a place the index keeps: those that can match English or
Arabic-script news, deduplicated by their folded form."""

from __future__ import annotations

import re
from collections.abc import Iterable

from geo.text.names import fold

_LATIN = re.compile(r"^[0-9A-Za-z\u00C0-\u024F\u1E00-\u1EFF\u02B0-\u02FF\s'’‘`.,()\-]+$")
_ARABIC = re.compile(r"^[\u0600-\u06FF\s]+$")
_CODE_LIKE = re.compile(r"^[A-Z0-9]{2,4}$")


def useful_alias(alias: str) -> bool:
    """Keep aliases that can match English/Latin-script or Arabic-script text.

    GeoNames alternatenames also hold lowercase romanisations of CJK/Arabic ("krkwk"), airport
    codes ("KIK") and names in other scripts: none helps reading English news, all cost memory.
    """
    alias = alias.strip()
    if not alias or len(alias) > 60:
        return False
    if _ARABIC.match(alias):
        return True
    if not _LATIN.match(alias) or _CODE_LIKE.match(alias):
        return False
    return any(c.isupper() for c in alias)


def clean_aliases(name: str, aliases: Iterable[str], trusted: Iterable[str] = ()
                  ) -> tuple[str, ...]:
    """Useful aliases, deduplicated by folded form, without the name itself.

    ``trusted`` aliases (curated ones, e.g. "US") skip the usefulness filter.
    """
    seen = {fold(name)}
    out: list[str] = []
    keep = dict.fromkeys(trusted)  # ordered: a set's order changes with the hash seed
    for alias in [*aliases, *keep]:
        key = fold(alias)
        if key and key not in seen and (alias in keep or useful_alias(alias)):
            seen.add(key)
            out.append(alias.strip())
    return tuple(out)
