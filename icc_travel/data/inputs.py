"""Reading an input file safely: a size limit that holds for devices and pipes (which report no
size), and no hang on a FIFO that nobody writes to."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from icc_travel.errors import InputError

CHUNK = 1 << 20


def read_limited(path: Path, limit: int, *, label: str | None = None, hint: str = "") -> bytes:
    """The file's bytes, or an InputError: too large (counted while reading, not trusted from the
    file system), a directory, missing, unreadable."""
    name = label or str(path)
    try:
        # O_NONBLOCK: opening a FIFO without a writer returns at once instead of waiting forever
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except IsADirectoryError:
        raise InputError(f"{name}: is a directory, not a file") from None
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except OSError as error:
        raise InputError(f"{name}: cannot read: {error.strerror or error}") from None
    try:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            raise InputError(f"{name}: is a directory, not a file")
        if hasattr(os, "set_blocking"):
            os.set_blocking(descriptor, True)  # a FIFO with a writer is then read as it comes
        with os.fdopen(descriptor, "rb", closefd=True) as handle:
            descriptor = -1
            return read_stream(handle, limit, name=name, hint=hint)
    except OSError as error:
        raise InputError(f"{name}: cannot read: {error.strerror or error}") from None
    finally:
        if descriptor >= 0:
            os.close(descriptor)


def read_stream(handle: BinaryIO, limit: int, *, name: str, hint: str = "") -> bytes:
    """Up to `limit` bytes from a stream; more is an error, found after reading limit + 1."""
    parts, size = [], 0
    while size <= limit:
        part = handle.read(min(CHUNK, limit + 1 - size))
        if not part:
            return b"".join(parts)
        parts.append(part)
        size += len(part)
    raise InputError(f"{name}: too large (more than {limit:,} bytes){hint}")
