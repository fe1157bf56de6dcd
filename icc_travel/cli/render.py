"""What the commands share at the terminal: queued warnings and writing a rendered report
(the formats themselves live in icc_travel.formats)."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

import click

from icc_travel.cli import stopping
from icc_travel.cli.context import RunContext, in_command, run_context
from icc_travel.formats import Report, render

if TYPE_CHECKING:
    from pathlib import Path


def set_verbosity(level: int) -> None:
    run_context().verbosity = level


def quiet() -> bool:
    return run_context().verbosity < 0


@contextlib.contextmanager
def progress_bar(label: str, total: int | None = None, *, wanted: bool = True) -> Iterator[Callable[..., None]]:
    """A transient progress bar on stderr for long work: shown when stderr is a terminal, not
    with -q, and when the caller judges the work long enough (`wanted`). Yields an update
    taking rich's `advance=N` or `completed=N, total=M`; without a bar the update does nothing."""
    if not wanted or quiet() or not sys.stderr.isatty():
        yield lambda **changes: None
        return
    from rich.progress import Progress

    progress = Progress(transient=True)
    with stopping.held():  # its refresh thread leaves SIGTERM and SIGINT to the main thread (cli.stopping)
        progress.start()
    try:
        task = progress.add_task(label, total=total)
        yield lambda **changes: progress.update(task, **changes)
    finally:
        progress.stop()


def verbose() -> bool:
    return run_context().verbosity > 0


def info(message: str) -> None:
    """A note shown only with -v."""
    if verbose():
        warn_prefixed(f"icc-travel: {message}")


def warn_prefixed(line: str) -> None:
    """Queue a line for stderr until the command ends; outside a command there is no end to
    wait for, so it is written at once."""
    if not in_command():
        click.echo(line, err=True)
        return
    pending = run_context().warnings
    if line not in pending:
        pending.append(line)


def warn(message: str | None) -> None:
    """A notice for stderr that leaves stdout (and the exit status) alone, shown when the command ends."""
    if message:
        from icc_travel.text import printable

        warn_prefixed(f"icc-travel: warning: {printable(message)}")


def flush_warnings(run: RunContext, *, show: bool) -> None:
    """Print the warnings of a command that ran to its end, or drop those of one that failed."""
    lines = list(run.warnings)
    run.warnings.clear()
    for line in lines if show and run.verbosity >= 0 else ():
        click.echo(line, err=True)


def emit(report: Report, fmt: str) -> None:
    """Render the report in the chosen format and write it."""
    out = render(report, fmt)
    if out is not None:
        write_out(out)


CHUNK = 16_384


def write_out(text: str) -> None:
    """Write to stdout in flushed pieces: a reader that leaves early (`| head`) then surfaces as a
    broken pipe (exit status 141) instead of a single large write that some kernels cut short
    without an error."""
    stream = sys.stdout
    if stream is None:
        raise OutputClosed("standard output is closed: nothing to write the answer to")
    for start in range(0, len(text), CHUNK):
        stream.write(text[start : start + CHUNK])
        stream.flush()


def write_streamed(output: Path | None, write: Callable[[Callable[[str], Any]], None]) -> None:
    """Run `write` against -o FILE or standard output, piece by piece. A regular file is replaced
    atomically; a device, FIFO or link is written in place, as it comes (see OutputFile)."""
    from icc_travel.errors import InputError

    if output is not None:
        target = OutputFile(output)
        try:
            if target.in_place:
                with target.open_in_place() as handle:
                    write(handle.write)
            else:
                with target as temporary, temporary.open("w", encoding="utf-8", newline="") as handle:
                    write(handle.write)
        except OSError as error:
            raise InputError(f"{output}: cannot write: {error.strerror or error}") from None
        return
    if sys.stdout is None:
        raise OutputClosed("standard output is closed: nothing to write the answer to (or use -o FILE)")
    write(sys.stdout.write)
    sys.stdout.flush()


class OutputClosed(Exception):
    """Standard output cannot take the answer (closed, or a full disk): one line, exit status 2."""


class OutputFile:
    """-o FILE, written in full or not at all where that is safe.

    A regular file (or a new one) is written to a temporary file beside it, which replaces it only
    when the command has finished writing: a reader never sees half a report, and a failed run leaves
    the previous file in place. Anything else the path names is written in place and never replaced:
    renaming over `/dev/null`, `/dev/stdout` (a link) or a FIFO would put a regular file where the
    system's device node or link was, for every later user of it, as root in a container. A link is
    followed and its target written, as `>` in a shell does. The temporary of an in-place write lives
    in the temporary directory, not in `/dev`, and is copied to the target at the end."""

    def __init__(self, target: Path) -> None:
        from pathlib import Path  # here, not at the top: a check on codes never writes a file

        self.target = Path(target)
        self.in_place = written_in_place(self.target)
        self.temporary: Path | None = None  # made on entry: a streamed in-place write needs none

    def __enter__(self) -> Path:
        import tempfile
        from pathlib import Path

        folder = Path(tempfile.gettempdir()) if self.in_place else self.target.parent
        with stopping.held():  # made and recorded as one step: a stop between them would leave it behind
            descriptor, name = tempfile.mkstemp(
                prefix=f".{self.target.name}.", suffix=f".tmp{self.target.suffix}", dir=folder
            )
            os.close(descriptor)
            self.temporary = Path(name)
            stopping.UNFINISHED.add(self.temporary)
        return self.temporary

    def __exit__(self, kind: object, error: object, traceback: object) -> None:
        if self.temporary is None:
            return
        try:
            if error is not None:
                return
            if self.in_place:
                with self.temporary.open("rb") as source, self.open_in_place("wb") as sink:
                    while block := source.read(CHUNK):
                        sink.write(block)
                return
            mask = os.umask(0)  # mkstemp makes the file private; give it the mode a new file gets
            os.umask(mask)
            self.temporary.chmod(0o666 & ~mask)
            self.temporary.replace(self.target)
        finally:
            self.temporary.unlink(missing_ok=True)
            stopping.UNFINISHED.discard(self.temporary)

    @contextlib.contextmanager
    def open_in_place(self, mode: str = "w") -> Iterator[Any]:
        """The target itself, opened for writing without replacing it (a device, FIFO or link)."""
        if "b" in mode:
            with open(self.target, mode) as handle:
                yield handle
        else:
            with open(self.target, mode, encoding="utf-8", newline="") as handle:
                yield handle


def written_in_place(target: Path) -> bool:
    """Whether -o names something other than a regular file (or nothing yet): a device, FIFO,
    socket or symbolic link, all of which are written in place. `lstat`, so a link is seen as one."""
    import stat

    try:
        mode = os.lstat(target).st_mode
    except OSError:
        return False  # nothing there yet (or unreachable: creating the temporary file says why)
    return not stat.S_ISREG(mode)


def refuse_overwriting_inputs(output: Path | None, inputs: Iterable[Path | None]) -> None:
    """-o naming one of the command's own inputs would replace the data with the answer about it
    (`screen positions.csv -o positions.csv`), and -o inside an input directory would be read as
    input next time: both refused before anything is read. A device or FIFO given as both (a
    pipeline through /dev/stdin and /dev/stdout) is no overwrite."""
    import stat

    from icc_travel.errors import InputError

    if output is None:
        return
    try:
        written = os.stat(output)
    except OSError:
        written = None
    if written is not None and not stat.S_ISREG(written.st_mode):
        return
    for source in inputs:
        if source is None:
            continue
        try:
            read = os.stat(source)
        except OSError:
            continue
        if written is not None and (read.st_dev, read.st_ino) == (written.st_dev, written.st_ino):
            raise InputError(f"{output}: -o names the input {source}; write the answer to another file")
        if stat.S_ISDIR(read.st_mode) and _inside(output, source):
            raise InputError(f"{output}: -o is inside the input directory {source}; write the answer elsewhere")


def _inside(path: str | Path, folder: str | Path) -> bool:
    from pathlib import Path

    try:
        Path(path).resolve().relative_to(Path(folder).resolve())
    except (OSError, ValueError, RuntimeError):
        return False
    return True
