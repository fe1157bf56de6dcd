"""The dataset for a run: from the cache when the data files are unchanged, else parsed and
validated by `loaders` (imported only then: its checks cost more start-up than the answer).

The cache is a pickle beside the user's cache, named by a hash of the files' paths, sizes and
mtimes, the package version and CACHE_FORMAT; the full fingerprint is stored inside and
compared, so a collision only costs a reparse.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from icc_travel.data import paths
from icc_travel.data.models import Dataset
from icc_travel.errors import DataError, Problem

if TYPE_CHECKING:
    from pathlib import Path

try:  # the C unpickler alone: `pickle` itself, Python code around it, costs a check ~1 ms to import
    from _pickle import load as _unpickle
except ImportError:  # an interpreter without it (PyPy)
    from pickle import load as _unpickle

CACHE_FORMAT = 4  # bump when the pickled records change shape


class _FromEnvironment:
    """`facts`' default: the run's facts file, from $ICC_TRAVEL_FACTS."""

    def __repr__(self) -> str:
        return "$" + paths.FACTS_ENV


FACTS_FROM_ENVIRONMENT: Any = _FromEnvironment()


def load(directory: str | Path | None = None, *, facts: str | Path | None = FACTS_FROM_ENVIRONMENT) -> Dataset:
    """Load and validate all data, with a local facts file merged in; raise DataError listing
    every problem found. The facts file is `facts` when given (None: no facts file), else the
    run's: `--facts`, or $ICC_TRAVEL_FACTS. Paths are handled as strings until the files must be
    parsed: a cached dataset is found without importing `pathlib` (see paths)."""
    folder = os.fspath(directory) if directory else paths.data_folder()
    files = [os.path.join(folder, name) for name in paths.DATA_FILES]
    overlay = paths.facts_name() if facts is FACTS_FROM_ENVIRONMENT else facts and os.fspath(facts)
    try:
        fingerprint = _fingerprint([*files, *([overlay] if overlay else [])])
    except OSError as error:
        if overlay is not None and error.filename == str(overlay):
            origin = f" (local facts file, from --facts or ${paths.FACTS_ENV})"
        else:
            origin = f" (from ${paths.DATA_ENV})" if os.environ.get(paths.DATA_ENV) else ""
        raise DataError(
            [Problem(str(error.filename or folder), "data file", f"cannot read: {error.strerror}{origin}")]
        ) from None
    target = os.path.join(paths.cache_folder(), f"dataset-{_digest(fingerprint)}.pickle")
    dataset = _cached(target, fingerprint)
    if dataset is None:
        from pathlib import Path

        from icc_travel.data import loaders

        dataset = loaders.parse(*map(Path, files), overlay_file=Path(overlay) if overlay is not None else None)
        _remember(Path(target), fingerprint, dataset)
    return dataset


# The code that turns the files into the cached records: an edit to it invalidates the cache too
# (with every module of the data/loaders package, listed when the fingerprint is taken).
PARSER_FILES = (
    "data/binding.py",
    "data/models.py",
    "data/sources.py",
    "vocabulary.py",
)


def _fingerprint(files: Sequence[str]) -> str:
    """Names the cache by what the data is and what read it: each file's path, size, mtime and
    ctime (which no tool can set back, so an edit in place that keeps size and mtime still
    changes it), and the same for the parser's own modules, plus the version."""
    from icc_travel import __version__

    package = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    loaders = os.path.join(package, "data", "loaders")
    parts = [__version__, str(CACHE_FORMAT)]
    parser = [
        *(os.path.join(package, name) for name in PARSER_FILES),
        *(os.path.join(loaders, name) for name in sorted(os.listdir(loaders)) if name.endswith(".py")),
    ]
    folders: dict[str, str] = {}  # each folder resolved once (a realpath is an lstat per component)
    for path in [*files, *parser]:
        stat = os.stat(path)  # follows a linked file: its target's size, times and inode
        folder, name = os.path.split(path)
        if folder not in folders:
            folders[folder] = os.path.realpath(folder)
        where = os.path.join(folders[folder], name)
        parts.append(f"{where}:{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ctime_ns}:{stat.st_ino}")
    return "|".join(parts)


def _digest(fingerprint: str) -> str:
    """16 hex digits naming the cache: the fingerprint's bytes read as one number, modulo the prime
    2**61 - 1 (a polynomial hash, computed in C by int.from_bytes; zlib's CRC needed its extension
    module loaded, 0.3 ms of every check's start-up)."""
    return f"{int.from_bytes(fingerprint.encode(), 'big') % (2**61 - 1):016x}"


def _cached(target: str, fingerprint: str) -> Dataset | None:
    try:
        with open(target, "rb") as handle:
            if not paths.trusted_cache_file(handle.fileno()):
                return None  # not written by this user: never unpickled (parsed again, and replaced)
            stored, dataset = _unpickle(handle)
    except Exception:  # missing, damaged or from another version: parse again
        return None
    return dataset if stored == fingerprint and isinstance(dataset, Dataset) else None


def _remember(target: Path, fingerprint: str, dataset: Dataset) -> None:
    """A new dataset cache (the data or the package changed); the older ones are pruned."""
    import pickle

    paths.write_cache(target, pickle.dumps((fingerprint, dataset), protocol=pickle.HIGHEST_PROTOCOL))
