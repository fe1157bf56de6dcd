"""The dataset for a run: from the cache when the data files are unchanged, else parsed and
validated by `loaders` (imported only then: its checks cost more start-up than the answer).

The cache is a pickle beside the user's cache, named by a CRC of the files' paths, sizes and
mtimes, the package version and CACHE_FORMAT; the full fingerprint is stored inside and
compared, so a CRC collision only costs a reparse.
"""

from __future__ import annotations

import os
import pickle
import zlib
from collections.abc import Sequence
from pathlib import Path

from icc_travel.data import paths
from icc_travel.data.models import Dataset
from icc_travel.errors import DataError, Problem

CACHE_FORMAT = 4  # bump when the pickled records change shape
FACTS_FROM_ENVIRONMENT = Path("$" + paths.FACTS_ENV)  # `facts` default: the environment says


def load(directory: Path | None = None, *, facts: Path | None = FACTS_FROM_ENVIRONMENT) -> Dataset:
    """Load and validate all data, with a local facts file merged in; raise DataError listing
    every problem found. The facts file is `facts` when given (None: no facts file), else the
    run's: `--facts`, or $ICC_TRAVEL_FACTS."""
    directory = directory or paths.data_dir()
    files = [directory / name for name in paths.DATA_FILES]
    overlay = paths.facts_file() if facts is FACTS_FROM_ENVIRONMENT else facts
    try:
        fingerprint = _fingerprint([*files, *([overlay] if overlay else [])])
    except OSError as error:
        if overlay is not None and error.filename == str(overlay):
            origin = f" (local facts file, from --facts or ${paths.FACTS_ENV})"
        else:
            origin = f" (from ${paths.DATA_ENV})" if os.environ.get(paths.DATA_ENV) else ""
        raise DataError(
            [Problem(str(error.filename or directory), "data file", f"cannot read: {error.strerror}{origin}")]
        ) from None
    target = paths.cache_dir() / f"dataset-{zlib.crc32(fingerprint.encode()):08x}.pickle"
    dataset = _cached(target, fingerprint)
    if dataset is None:
        from icc_travel.data import loaders

        dataset = loaders.parse(*files, overlay_file=overlay)
        _remember(target, fingerprint, dataset)
    return dataset


# The code that turns the files into the cached records: an edit to it invalidates the cache too
# (with every module of the data/loaders package, listed when the fingerprint is taken).
PARSER_FILES = (
    "data/binding.py",
    "data/models.py",
    "data/sources.py",
    "vocabulary.py",
)


def _fingerprint(files: Sequence[Path]) -> str:
    """Names the cache by what the data is and what read it: each file's path, size, mtime and
    ctime (which no tool can set back, so an edit in place that keeps size and mtime still
    changes it), and the same for the parser's own modules, plus the version."""
    from icc_travel import __version__

    package = Path(__file__).resolve().parent.parent
    parts = [__version__, str(CACHE_FORMAT)]
    parser = [*(package / name for name in PARSER_FILES), *sorted((package / "data" / "loaders").glob("*.py"))]
    for path in [*files, *parser]:
        stat = path.stat()
        parts.append(f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ctime_ns}:{stat.st_ino}")
    return "|".join(parts)


def _cached(target: Path, fingerprint: str) -> Dataset | None:
    try:
        with target.open("rb") as handle:
            stored, dataset = pickle.load(handle)
    except Exception:  # missing, damaged or from another version: parse again
        return None
    return dataset if stored == fingerprint and isinstance(dataset, Dataset) else None


def _remember(target: Path, fingerprint: str, dataset: Dataset) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(pickle.dumps((fingerprint, dataset), protocol=pickle.HIGHEST_PROTOCOL))
        temporary.replace(target)
    except OSError:
        return
    paths.prune_caches(target.parent, written=target)  # a new dataset cache: the data or the package changed
