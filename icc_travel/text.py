"""Text normalisation and close-match suggestions shared by place and subject lookup."""

from __future__ import annotations

import re
from collections.abc import Iterable

_NON_WORD = re.compile(r"[^\w]+")


def normalise(text: str) -> str:
    """Case-, accent- and punctuation-insensitive key: 'Côte d'Ivoire' -> 'cote d ivoire'.
    ASCII text has nothing to decompose and no combining marks, so `unicodedata` (an extension
    module, a millisecond of start-up to load) is imported only for other text."""
    folded = text.casefold()
    if folded.isascii():
        stripped = folded
    else:
        import unicodedata

        decomposed = unicodedata.normalize("NFKD", folded)
        stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("&", " and ")
    return " ".join(_NON_WORD.sub(" ", stripped).replace("_", " ").split())


class HintIndex:
    """Candidates for `suggest` (normalised key, text shown; of two with one key, the later is
    shown) with each key's letters counted once. `close` answers as difflib.get_close_matches
    does, but rules out by the counts, for all candidates at once, the ones difflib's own quick
    bound would: a batch asks once per unknown place, and difflib spent a millisecond on each
    place checking a thousand country and town names one by one."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        import numpy as np

        self.shown: dict[str, str] = {}
        for key, text in pairs:
            self.shown[key] = text
        self.keys = list(self.shown)
        self._column = {letter: n for n, letter in enumerate(sorted({c for key in self.keys for c in key}))}
        self._counts = np.zeros((len(self.keys), len(self._column)), dtype=np.int32)
        for row, key in enumerate(self.keys):
            for letter in key:
                self._counts[row, self._column[letter]] += 1
        self._lengths = np.array([len(key) for key in self.keys], dtype=np.int64)

    def close(self, word: str, cutoff: float = 0.6) -> list[str]:
        """The keys `difflib.get_close_matches(word, keys, n=len(keys), cutoff)` returns, in its
        order (ratio, then key, descending)."""
        import difflib
        import heapq

        import numpy as np

        wanted = np.zeros(len(self._column), dtype=np.int32)
        for letter in word:
            if letter in self._column:
                wanted[self._column[letter]] += 1
        total = (self._lengths + len(word)).astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):  # two empty strings: ratio 1, as difflib has it
            real_quick = np.where(total > 0, 2.0 * np.minimum(self._lengths, len(word)) / total, 1.0)
            quick = np.where(total > 0, 2.0 * np.minimum(self._counts, wanted).sum(axis=1) / total, 1.0)
        matcher = difflib.SequenceMatcher()
        matcher.set_seq2(word)
        scored = []
        for row in np.flatnonzero((real_quick >= cutoff) & (quick >= cutoff)).tolist():
            matcher.set_seq1(self.keys[row])
            ratio = matcher.ratio()
            if ratio >= cutoff:
                scored.append((ratio, self.keys[row]))
        return [key for _, key in heapq.nlargest(len(scored), scored)]


def suggest(word: str, candidates: Iterable[str] | HintIndex, *, limit: int = 3) -> list[str]:
    """Close matches by spelling, best first, for 'did you mean' hints. The candidates are names,
    or a `HintIndex` counted beforehand (each matched by one text and shown as another, a town
    by its name as "Budapest, HU") for a caller that asks about many words."""
    import difflib  # only when something was not found

    if len(word) > 100:  # no name is this long; comparing a megabyte against every name takes minutes
        return []
    key = normalise(word)
    if isinstance(candidates, HintIndex):
        pool = candidates.shown
        close = candidates.close(key)
    else:
        pool = {normalise(c): c for c in candidates}
        close = difflib.get_close_matches(key, list(pool), n=len(pool), cutoff=0.6)
    # a name begun ("Kinsh", "Budap": three letters or more) is offered the names it begins first;
    # difflib finds the near ones, and the fewest letters changed, swapped or added ranks them
    # ("Lybia" is two letters from Libya, three from Liberia, which difflib alone put first)
    # (names before towns, "Name, CC"; the shortest name first, the towns in the pool's order:
    # most populous first, as `Gazetteer.populous` gives them)
    begun = [k for k in pool if len(key) >= 3 and k.startswith(key) and k != key]
    begun = sorted(begun, key=lambda k: ("," in pool[k], 0 if "," in pool[k] else len(k)))[:limit]
    found = (
        begun + sorted(close, key=lambda k: (_edits(key, k), k[:1] != key[:1]))[:limit]
    )  # typos keep the first letter
    found += [k for k in pool if key and (k.startswith(key) or key in k.split()) and k not in found]
    return list(dict.fromkeys(pool[k] for k in found))[:limit]


def _edits(a: str, b: str) -> int:
    """Letters inserted, deleted, replaced or swapped with the next to make `b` of `a` (the
    optimal string alignment distance)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]


# Control characters and bidirectional overrides, each with the escape that shows it instead. A
# translation table, not a regular expression: compiling the character class (its ranges reach
# past 256, so re builds a 64 KiB bitmap) cost a millisecond of every run's start-up.
_CONTROL = [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_ESCAPES = {code: repr(chr(code))[1:-1] if code < 0x100 else f"\\u{code:04x}" for code in _CONTROL}


def printable(text: str) -> str:
    """Text safe to print on a terminal: control characters (an ANSI escape in a data file or an
    input row, bidirectional overrides) shown as escapes instead of acting on the terminal."""
    return text.translate(_ESCAPES)
