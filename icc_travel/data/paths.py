"""Where the data files live: bundled in the wheel, beside the source tree, or overridden.

Every `check` starts here, so the folders are found as strings with `os.path`: importing
`pathlib` (with `urllib.parse`, `ipaddress` and `fnmatch` behind it) would cost a code check
about 4 ms of its start-up. The Path forms are for the callers that need them.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

DATA_ENV = "ICC_TRAVEL_DATA"
FACTS_ENV = "ICC_TRAVEL_FACTS"  # a local facts file merged over the bundled data (--facts)
TERRITORIES_FILE = "member_states.geojson"
WARRANTS_FILE = "warrants.yaml"
PRECEDENTS_FILE = "precedents.yaml"
PARTIES_FILE = "states_parties.yaml"
SOURCES_FILE = "sources.yaml"
# Every file the dataset is built from, in the order loaders.parse takes them.
DATA_FILES = (TERRITORIES_FILE, WARRANTS_FILE, PRECEDENTS_FILE, PARTIES_FILE, SOURCES_FILE)


def data_folder() -> str:
    """The data directory: $ICC_TRAVEL_DATA, the wheel's bundled copy, or the checkout's data/."""
    override = os.environ.get(DATA_ENV)
    if override:
        return override
    package = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))  # icc_travel/
    bundled = os.path.join(package, "_data")
    if os.path.exists(os.path.join(bundled, WARRANTS_FILE)):
        return bundled
    return os.path.join(os.path.dirname(package), "data")


def data_dir() -> Path:
    """data_folder() as a Path."""
    from pathlib import Path

    return Path(data_folder())


def facts_name() -> str | None:
    """The local facts file, if one is set: facts a newsroom has verified ahead of a release."""
    return os.environ.get(FACTS_ENV) or None


def facts_file() -> Path | None:
    """facts_name() as a Path."""
    value = facts_name()
    if value is None:
        return None
    from pathlib import Path

    return Path(value)


def cache_folder() -> str:
    """$XDG_CACHE_HOME/icc-travel (a relative $XDG_CACHE_HOME is ignored, as the XDG spec says),
    made private to this user; where that folder belongs to another user, a private folder for
    this run instead (see _own_folder)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")
    configured = os.path.join(base, "icc-travel")
    chosen = _chosen_folders.get(configured)
    if chosen is None:
        chosen = _chosen_folders[configured] = _own_folder(configured)
    return chosen


OTHERS_MAY_WRITE = 0o022  # the group's and everyone's write bits (stat.S_IWGRP | stat.S_IWOTH)
_chosen_folders: dict[str, str] = {}  # configured cache folder -> the folder used, checked once per process
_cache_warnings: list[str] = []  # why a configured folder was not used, for the command to say once


def _own_folder(folder: str) -> str:
    """`folder`, created readable and writable by this user alone (0700), or, when it exists,
    checked to be this user's own and made unwritable by others: the caches hold a pickle, whose
    loading runs code, and temporaries written under predictable names, so a folder others can
    write to would let them run code or overwrite files as this user (as root, in a container).
    A folder owned by another user, or not a directory, is not used: this run keeps its caches in
    a private temporary folder, removed at exit, and says so once. Where the folder cannot be
    made at all, it is returned as it is: every cache write is then skipped and every read misses."""
    if not hasattr(os, "geteuid"):  # no POSIX owners (Windows): the user's profile is private
        return folder
    try:
        try:
            os.mkdir(folder, 0o700)
        except FileNotFoundError:  # no ~/.cache yet
            os.makedirs(os.path.dirname(folder), exist_ok=True)
            os.mkdir(folder, 0o700)
    except FileExistsError:
        pass
    except OSError:
        return folder
    try:
        status = os.stat(folder)
    except OSError:
        return folder
    import stat

    if stat.S_ISDIR(status.st_mode) and status.st_uid == os.geteuid():
        if status.st_mode & OTHERS_MAY_WRITE:
            try:
                os.chmod(folder, stat.S_IMODE(status.st_mode) & ~OTHERS_MAY_WRITE)
            except OSError:
                return _private_folder(folder, "others can write to it and its mode cannot be changed")
        return folder
    why = "it is not a folder" if not stat.S_ISDIR(status.st_mode) else f"it belongs to user id {status.st_uid}"
    return _private_folder(folder, why)


def _private_folder(refused: str, why: str) -> str:
    """A temporary folder of this run's own (mode 0700), removed at exit, in place of `refused`."""
    import atexit
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="icc-travel-cache-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    _cache_warnings.append(
        f"the cache folder {refused} is not used ({why}): this run's caches are kept until it ends; "
        "set XDG_CACHE_HOME to a folder of your own"
    )
    return folder


def cache_warnings() -> list[str]:
    """What the cache folders chosen so far have to tell the user (each said once: taken here)."""
    found = list(_cache_warnings)
    _cache_warnings.clear()
    return found


def trusted_cache_file(descriptor: int) -> bool:
    """Whether an open cache file is this user's own and writable by no one else: a pickle is
    loaded only then (a file planted while its folder was open to others is not)."""
    if not hasattr(os, "geteuid"):
        return True
    status = os.fstat(descriptor)
    return status.st_uid == os.geteuid() and not status.st_mode & OTHERS_MAY_WRITE


def cache_dir() -> Path:
    """cache_folder() as a Path."""
    from pathlib import Path

    return Path(cache_folder())


def file_stamp(path: Path) -> str:
    """A short name for a file as it is now, from its path, size, modification and change times
    and inode: a stat, not a hash of its contents (for the 38 MB territories file, a sixth of a
    second). The change time and inode are what no tool sets back, so an edit in place that keeps
    the size and modification time still gives another name. The caches built from a file use it."""
    import hashlib

    status = path.stat()
    key = f"{path.resolve()}|{status.st_size}|{status.st_mtime_ns}|{status.st_ctime_ns}|{status.st_ino}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


# Each kind of cache file is named by a digest of what it was built from, so every edit to the
# data and every upgrade of the package writes new ones beside the old (tens of MB each for the
# points and polygons). Kept: the newest few of each kind, enough for a few installs side by side.
# A kind is a name's prefix: a grid (`tiles-`) and the runs made from it (`runs-`) are two kinds,
# or two data folders' grids and runs would count as four of one and a later write would delete a
# grid that is still in use (rebuilt at its next use, 13-40 s).
CACHE_KINDS = (
    "dataset-",
    "divisions-",
    "gazetteer-",
    "names-",
    "points-",
    "runs-",
    "subdivisions-",
    "territories-",
    "tiles-",
)
CACHE_KEEP = 3
STALE_TEMPORARY_S = 3600.0  # a temporary this old belongs to a write that died


def write_cache(target: Path, data: bytes) -> bool:
    """A cache file written whole beside its name and moved there (a reader sees all of it or
    none), then the older ones of its kind pruned; False, and nothing left behind, where the
    cache folder cannot be written (the caller answers from memory). The file is this user's
    alone (0600, whatever the umask: `store` loads a pickle only from such a file), and made
    new, never through a link or over a file left by another writer."""
    import contextlib  # here, not at the top: the module stays light for every command's start-up

    temporary = target.with_suffix(f".{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()  # left by a dead process that had this process id
        # O_EXCL: made new, or an error where anything is already there, a link included
        with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
            handle.write(data)
        temporary.replace(target)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        return False
    prune_caches(target.parent, written=target)
    return True


def prune_caches(directory: Path, keep: int = CACHE_KEEP, *, written: Path | None = None) -> list[Path]:
    """Delete all but the `keep` newest cache files (or directories) of each kind, and temporaries
    left by writes that died; return what was deleted. Only names this package writes are touched; a file
    another process still reads stays readable there (unlinking does not close it), and one it
    then misses is rebuilt, so pruning costs time at worst, never an answer. `written`, the file
    just written, stays and counts as the newest of its kind whatever its time says (a clock or a
    copied cache from the future would otherwise make it the oldest)."""
    import shutil
    import time
    from pathlib import Path

    try:
        entries = [
            entry
            for entry in os.scandir(directory)
            if entry.is_file(follow_symlinks=False) or entry.is_dir(follow_symlinks=False)
        ]
    except OSError:
        return []
    deleted, now = [], time.time()
    for kind in CACHE_KINDS:
        ours = [e for e in entries if e.name.startswith(kind)]
        finished = sorted(
            (e for e in ours if ".tmp" not in e.name),
            key=lambda e: (written is not None and e.name == written.name, _mtime(e)),
            reverse=True,
        )
        dead = [e for e in ours if ".tmp" in e.name and now - _mtime(e) > STALE_TEMPORARY_S]
        for entry in [*finished[keep:], *dead]:
            try:
                if entry.is_dir(follow_symlinks=False):  # a cache of memory-mapped arrays
                    shutil.rmtree(entry.path)
                else:
                    os.unlink(entry.path)
                deleted.append(Path(entry.path))
            except OSError:
                pass
    return deleted


def _mtime(entry: os.DirEntry) -> float:
    try:
        return entry.stat(follow_symlinks=False).st_mtime
    except OSError:
        return 0.0
