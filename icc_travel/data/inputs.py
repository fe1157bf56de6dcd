"""Reading an input file safely: a size limit that holds for devices and pipes (which report no
size), no hang on a FIFO that nobody writes to, and large inputs read as blocks of whole lines
so memory stays flat however long the input is."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, NamedTuple

from icc_travel.errors import InputError

CHUNK = 1 << 20
MAX_LINE_BYTES = 64 << 20  # a "line" this long is not a row of a batch (a binary file, /dev/zero)


def read_limited(path: Path, limit: int, *, label: str | None = None, hint: str = "") -> bytes:
    """The file's bytes, or an InputError: too large (counted while reading, not trusted from the
    file system; a regular file already larger is refused before a byte is read, so refusing
    it costs no memory), a directory, missing, unreadable."""
    name = label or str(path)
    with open_input(path, name) as handle:
        try:
            found = os.fstat(handle.fileno())
            if stat.S_ISREG(found.st_mode) and found.st_size > limit:
                raise InputError(f"{name}: too large ({found.st_size:,} bytes, more than {limit:,}){hint}")
            return read_stream(handle, limit, name=name, hint=hint)
        except OSError as error:
            raise InputError(f"{name}: cannot read: {error.strerror or error}") from None


def open_input(path: Path, name: str) -> BinaryIO:
    """The file opened for reading in binary, or an InputError saying why not (missing, a
    directory, unreadable)."""
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
        handle = os.fdopen(descriptor, "rb", closefd=True)
        descriptor = -1
        return handle
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


def not_text(head: bytes) -> str:
    """Why bytes that are not UTF-8 text cannot be read, as a user can act on it: UTF-16 (what
    Excel's "Unicode text" and many Windows tools save) is named, with the way to convert it."""
    sample = head[:4096]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")) or _alternate_nuls(sample):
        return "UTF-16 text; this tool reads UTF-8: convert it first, e.g. iconv -f UTF-16 -t UTF-8 FILE > NEW"
    return "binary file, expected text"


def _alternate_nuls(sample: bytes) -> bool:
    """UTF-16 without a byte order mark: ASCII text with a NUL in every other byte."""
    even, odd = sample[0::2], sample[1::2]
    if len(odd) < 4:
        return False
    return (odd.count(0) >= 0.9 * len(odd) and even.count(0) == 0) or (
        even.count(0) >= 0.9 * len(even) and odd.count(0) == 0
    )


def decode_text(raw: bytes, name: str, *, expected: str = "text", lenient: bool = False) -> str:
    """The text of an input, refused as one line when it is binary or UTF-16 (named, with the way
    to convert it) or, unless `lenient` (undecodable bytes become U+FFFD), not UTF-8; a UTF-8
    byte order mark is dropped."""
    if b"\x00" in raw[:4096] or raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{name}: {not_text(raw).replace('expected text', f'expected {expected}')}")
    if lenient:
        return raw.decode("utf-8-sig", errors="replace")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"{name}: not UTF-8 text (byte {error.start})") from None


def read_text(path: Path, limit: int) -> str:
    """A small text input (a watchlist) read with a limit and decoded leniently (decode_text)."""
    return decode_text(read_limited(path, limit), str(path), lenient=True)


def decompressed(raw: bytes, limit: int, *, name: str) -> bytes:
    """gzip content read with a limit on the bytes it expands to, counted while expanding: a
    3 MB file of 3 GiB of zeros (a gzip bomb) stops at the limit instead of filling memory.
    Concatenated members are read as one stream, as gzip -d does."""
    import gzip
    import io
    import zlib

    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as stream:
            return read_stream(stream, limit, name=name, hint=" once decompressed")  # type: ignore[arg-type]
    except (OSError, EOFError, zlib.error) as error:
        raise InputError(f"{name}: damaged gzip: {error}") from None


class UnreadableLine(InputError):
    """Reading stopped at a line that cannot be a row of text (a NUL at the start, a line of
    endless bytes): the rows before it were read; `line` says where."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


class TextBlock(NamedTuple):
    """Whole lines of an input, decoded: `text` holds the lines from `first_line` on, each ending
    in a line feed (CR LF and a lone CR are line ends too, as old spreadsheets write them). A line
    that is not UTF-8, or holds a NUL byte, is left empty in `text` and named in `bad`."""

    first_line: int
    text: str
    bad: tuple[tuple[int, str], ...]
    size: int  # bytes of input this block consumed


def text_blocks(handle: BinaryIO, *, lines: int, read_size: int = CHUNK) -> Iterator[TextBlock]:
    """The stream as blocks of at least `lines` whole lines (all those read by then, `read_size`
    bytes at a time). Raises UnreadableLine for input that is not text at all (a NUL byte in its
    first read, or a line over MAX_LINE_BYTES)."""
    pending = b""
    parts: list[bytes] = []
    counted = size = offset = 0
    line = 1
    first = True
    while True:
        chunk = handle.read(read_size)
        if first:
            if b"\x00" in chunk:
                raise UnreadableLine(1, not_text(chunk))
            chunk = chunk.removeprefix(b"\xef\xbb\xbf")  # a byte order mark, as Excel writes UTF-8
            first = False
        data = pending + chunk
        if chunk and data.endswith(b"\r"):  # maybe half of a CR LF: decide with the next chunk
            data, pending = data[:-1], b"\r"
        else:
            pending = b""
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        if not chunk:
            if data and not data.endswith(b"\n"):
                data += b"\n"
            cut = len(data)
        else:
            cut = data.rfind(b"\n") + 1
        whole, rest = data[:cut], data[cut:]
        pending = rest + pending
        if whole:
            parts.append(whole)
            counted += whole.count(b"\n")
            size += len(whole)
        if len(pending) > MAX_LINE_BYTES:
            if parts:  # the whole lines before it are rows like any others
                yield _decoded(b"".join(parts), line, size, offset)
            message = f"a line longer than {MAX_LINE_BYTES:,} bytes: not rows of text; reading stopped here"
            raise UnreadableLine(line + counted, message)
        if parts and (counted >= lines or not chunk):
            yield _decoded(b"".join(parts), line, size, offset)
            line += counted
            offset += size
            parts, counted, size = [], 0, 0
        if not chunk:
            return


def _decoded(raw: bytes, first_line: int, size: int, start: int) -> TextBlock:
    """The block as text; `start` is its first byte's offset in the input (after any BOM), for
    naming a bad byte."""
    if b"\x00" not in raw:
        try:
            return TextBlock(first_line, raw.decode("utf-8"), (), size)
        except UnicodeDecodeError:
            pass
    lines, bad, offset = [], [], start
    for number, piece in enumerate(raw.split(b"\n")[:-1], first_line):
        try:
            if b"\x00" in piece:
                raise ValueError("binary data (a NUL byte), expected text")
            lines.append(piece.decode("utf-8"))
        except UnicodeDecodeError as error:
            lines.append("")
            bad.append((number, f"not UTF-8 text (byte {offset + error.start})"))
        except ValueError as error:
            lines.append("")
            bad.append((number, str(error)))
        offset += len(piece) + 1
    return TextBlock(first_line, "".join(line + "\n" for line in lines), tuple(bad), size)
