"""Text normalisation and close-match suggestions shared by place and subject lookup."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_NON_WORD = re.compile(r"[^\w]+")


def normalise(text: str) -> str:
    """Case-, accent- and punctuation-insensitive key: 'Côte d'Ivoire' -> 'cote d ivoire'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("&", " and ")
    return " ".join(_NON_WORD.sub(" ", stripped).replace("_", " ").split())


def suggest(word: str, candidates: Iterable[str], *, limit: int = 3) -> list[str]:
    """Close matches by spelling, best first, for 'did you mean' hints."""
    import difflib  # only when something was not found

    if len(word) > 100:  # no name is this long; comparing a megabyte against every name takes minutes
        return []
    pool = {normalise(c): c for c in candidates}
    key = normalise(word)
    found = difflib.get_close_matches(key, list(pool), n=limit, cutoff=0.6)
    found += [k for k in pool if key and (k.startswith(key) or key in k.split()) and k not in found]
    return list(dict.fromkeys(pool[k] for k in found))[:limit]


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Text safe to print on a terminal: control characters (an ANSI escape in a data file or an
    input row, bidirectional overrides) shown as escapes instead of acting on the terminal."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1] if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text)
