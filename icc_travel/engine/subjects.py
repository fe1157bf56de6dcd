"""Find a warrant subject by id, name or alias, tolerant of case, accents and 'al-' prefixes."""

from __future__ import annotations

from functools import cached_property

from icc_travel.data.models import Dataset, Subject
from icc_travel.errors import InputError
from icc_travel.text import normalise, suggest

_PARTICLES = ("al ", "el ", "abu ", "ag ")


def _keys(text: str) -> set[str]:
    key = normalise(text)
    keys = {key, key.replace(" ", "")}
    for particle in _PARTICLES:
        keys.add(key.replace(particle, ""))
    return {k.strip() for k in keys if k.strip()}


class SubjectFinder:
    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset

    @cached_property
    def _exact(self) -> dict[str, set[str]]:
        index: dict[str, set[str]] = {}
        for subject in self.dataset.subjects:
            for text in (subject.id, subject.name, *subject.aliases):
                for key in _keys(text):
                    index.setdefault(key, set()).add(subject.id)
        return index

    @cached_property
    def _surnames(self) -> dict[str, set[str]]:
        """Single words of names and aliases: 'Gbagbo' is two people and must say so."""
        index: dict[str, set[str]] = {}
        for subject in self.dataset.subjects:
            for text in (subject.name, *subject.aliases):
                for word in normalise(text).split():
                    if len(word) > 3:
                        index.setdefault(word, set()).add(subject.id)
        return index

    def _by_id(self, text: str) -> Subject | None:
        """The subject with this id, when no other subject's name or alias contains it (the
        common case, answered without indexing every name: 'gbagbo' is an id and a surname)."""
        found = next((s for s in self.dataset.subjects if s.id == text), None)
        if found is None:
            return None
        word = text.lower()
        others = (n for s in self.dataset.subjects if s is not found for n in (s.name, *s.aliases))
        return None if any(word in name.lower() for name in others) else found

    def find(self, text: str) -> Subject:
        if not text.strip():
            raise InputError("empty subject: give an id, name or alias, e.g. putin")
        if (by_id := self._by_id(text.strip())) is not None:
            return by_id
        for key in _keys(text):
            ids = self._exact.get(key)
            if ids and len(ids) == 1:
                return self.dataset.subject(next(iter(ids)))
        words = normalise(text).split()
        ids = self._surnames.get(words[0], set()) if len(words) == 1 else set()
        if len(ids) == 1:
            return self.dataset.subject(next(iter(ids)))
        if len(ids) > 1:
            raise InputError(f"ambiguous subject {text!r}", sorted(f"{i}" for i in ids))
        pool = [s.id for s in self.dataset.subjects] + [s.name for s in self.dataset.subjects]
        pool += [a for s in self.dataset.subjects for a in s.aliases]
        hints = suggest(text, pool)
        by_text = {normalise(x): s.id for s in self.dataset.subjects for x in (s.id, s.name, *s.aliases)}
        ids_hinted = list(dict.fromkeys(by_text.get(normalise(h), h) for h in hints))
        raise InputError(
            f"unknown subject {text!r}: no public ICC arrest warrant or Prosecutor's application for this "
            f"person is on record as of {self.dataset.warrants_as_of} (see 'icc-travel subjects')",
            ids_hinted,
        )
