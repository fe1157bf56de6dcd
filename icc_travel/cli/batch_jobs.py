"""`batch --jobs N`: a batch's chunks read, checked and written as text by worker processes, and
written out by the command in input order, the same characters one process writes.

The command reads the input's blocks of lines and hands each to a worker, which reads its rows,
evaluates them and renders them in the output format; the command writes the texts in order and
adds up the counts. Two things run from one chunk into the next, and a worker is given neither:
a CSV record still open at a block's end (a quoted cell over several lines), and the itinerary a
chunk ends in, whose next located stop starts a leg from its last one. So blocks are cut between
itineraries where the last lines of a block show where (the cut moves those lines to the next
block), and every chunk a worker read as if it began afresh is checked, in order, against how
the chunk before it really ended: when that ended inside a record, or inside an itinerary the
chunk continues with a located stop behind it, the command reads and evaluates the chunk again
itself, from that state, as one process would have. A block that could not be cut (an itinerary
longer than MAX_MOVED lines) hands its next block to the command directly. Whatever the cut, the
output is the one process's; the cut decides only how much runs in parallel.

At most two chunks per worker are in flight, so memory stays flat. Workers ignore SIGINT (the
terminal sends it to them too) and are ended by the command on any way out: an interrupt,
SIGTERM, an error, the reader of the output leaving. A worker that dies is one error line, and
a worker whose parent dies exits by itself.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any, NamedTuple

from icc_travel.cli.batch_output import row_stream
from icc_travel.cli.stopping import held
from icc_travel.data.inputs import TextBlock
from icc_travel.engine.batch import Evaluator, OpenStop, Totals
from icc_travel.engine.batch_input import NO_CARRY, BlockStep, Carry, CsvBlocks, ReadyRows, block_reader, read_block
from icc_travel.errors import IccTravelError
from icc_travel.formats import format_rows

if TYPE_CHECKING:
    import datetime as dt

    from icc_travel.data.models import Dataset

IN_FLIGHT = 2  # chunks handed to each worker and not yet written


def can_fork() -> bool:
    """Whether workers can be forked (not on Windows): they start with the command's dataset
    and modules, where a spawned worker would load them again."""
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


class WorkerFailed(IccTravelError):
    """A worker process died or failed: the batch stops with one error line (exit status 2)."""


class Settings(NamedTuple):
    """What every chunk of one run is evaluated and written with."""

    on: dt.date
    legs: bool
    fmt: str
    fail_on: str
    table: bool  # also the step summary's Markdown rows (github with $GITHUB_STEP_SUMMARY)
    shown: int  # error rows kept to repeat on stderr


class Task(NamedTuple):
    """One chunk: ready rows, or a block of an input to read (`header`: the CSV header's state
    for any block after an input's first)."""

    label: str
    step: ReadyRows | BlockStep
    header: tuple[list[str] | None, str | None, str] | None


class Done(NamedTuple):
    """A chunk checked and written: its text in the output format, the step summary's rows, its
    counts, and how it ended (the CSV record left open, the itinerary it ended in)."""

    text: str
    table: str | None
    totals: Totals
    carry: Carry
    opened: OpenStop | None
    first_key: tuple[Any, ...] | None  # (file, itinerary, subject) of its first row; None: no rows
    size: int


class ChunkWriter:
    """Reads, evaluates and renders chunks, in a worker or in the command itself, keeping what
    chunks share (the evaluator's caches, the CSV cells rendered so far)."""

    def __init__(self, dataset: Dataset, settings: Settings) -> None:
        self.settings = settings
        self.evaluate = Evaluator(dataset, settings.on, legs=settings.legs)
        self.as_of = dataset.as_of
        self.current: list[Any] = []
        self.stream = row_stream(lambda: iter(self.current), Totals(dataset.as_of), settings.fail_on)

    def __call__(self, task: Task, carry: Carry = NO_CARRY, opened: OpenStop | None = None) -> Done:
        """The chunk as it comes after one that left `carry` open and ended in `opened`."""
        step = task.step
        if isinstance(step, ReadyRows):
            rows, left, size = step.rows, NO_CARRY, step.size
        else:
            if step.fmt == "csv":
                read: Any = CsvBlocks(task.label) if task.header is None else CsvBlocks.resume(task.label, task.header)
            else:
                read = block_reader(task.label, step.fmt)
            rows, left = read_block(task.label, read, carry, step.block, step.final)
            size = step.block.size
        if self.settings.legs:
            self.evaluate.continue_from(opened)
        outcome = self.evaluate(rows)
        totals = Totals(self.as_of, shown=self.settings.shown)
        totals.add(outcome)
        self.current[:] = [outcome]
        try:
            text = format_rows(self.stream, self.settings.fmt)
            table = format_rows(self.stream, "markdown") if self.settings.table else None
        finally:
            self.current.clear()
        c = rows.columns
        first_key = (c["file"][0], c["itinerary"][0], c["subject"][0]) if len(rows) else None
        ended = self.evaluate.open_stop if self.settings.legs else None
        return Done(text, table, totals, left, ended, first_key, size)


# --- the workers ---


def _work(dataset: Dataset, settings: Settings, tasks: Any, results: Connection, parent: int) -> None:
    """A worker's life: chunks from `tasks` until None, each Done (or the error text) to `results`."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the terminal's Ctrl-C is the command's to handle
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the command ends its workers with SIGTERM
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
        threading.Thread(target=_orphaned, args=(parent,), daemon=True).start()
        writer = ChunkWriter(dataset, settings)
        while (task := tasks.get()) is not None:
            try:
                done: Any = writer(task)
            except Exception as error:  # any failure is reported, once, by the command
                done = f"{type(error).__name__}: {error}"
            results.send(done)
    except BaseException:  # the command sees the pipe close and says so
        os._exit(1)
    os._exit(0)


def _orphaned(parent: int) -> None:
    """Exit when the command is gone (killed outright): nothing is left to write the chunks."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


class Pool:
    """Worker processes, each with its own queue of chunks and pipe of results: a chunk handed
    to worker `n` comes back from worker `n`, in the order handed."""

    def __init__(self, count: int, dataset: Dataset, settings: Settings) -> None:
        import multiprocessing

        context = multiprocessing.get_context("fork")  # the loaded dataset and modules come for free
        self.processes: list[Any] = []
        self.tasks: list[Any] = []
        self.results: list[Connection] = []
        try:
            for _ in range(count):
                tasks = context.Queue()
                tasks.cancel_join_thread()  # a dead worker's unread chunks never hold the exit up
                receiver, sender = context.Pipe(duplex=False)
                process = context.Process(
                    target=_work, args=(dataset, settings, tasks, sender, os.getpid()), daemon=True
                )
                with held():  # in the worker until it has its own handlers; here, till it is recorded
                    process.start()
                    self.processes.append(process)
                    self.tasks.append(tasks)
                    self.results.append(receiver)
                sender.close()  # the worker's end only: its death closes the pipe
        except BaseException:
            self.close(finished=False)
            raise

    def submit(self, worker: int, task: Task) -> None:
        # held: a signal raised inside `put` can leave the queue's lock taken, on which closing
        # it waits forever; and the queue's feeder thread, started by the first put, inherits
        # the signals blocked, leaving them to the main thread (cli.stopping)
        with held():
            self.tasks[worker].put(task)

    def result(self, worker: int) -> Done:
        try:
            done = self.results[worker].recv()
        except (EOFError, OSError):
            process = self.processes[worker]
            process.join(1)
            code = process.exitcode
            how = f"was killed by signal {-code}" if code is not None and code < 0 else f"exited ({code})"
            raise WorkerFailed(f"batch worker process {process.pid} {how}; the batch stopped before its end") from None
        if isinstance(done, str):
            raise WorkerFailed(f"a batch worker failed: {done}")
        return done

    def close(self, *, finished: bool) -> None:
        """Let the workers go (finished) or end them at once; either way none is left behind."""
        for number, process in enumerate(self.processes):
            if finished and process.is_alive():
                self.tasks[number].put(None)
            else:
                process.terminate()
        deadline = time.monotonic() + 5
        for process in self.processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
        for queue in self.tasks:
            queue.close()
        for receiver in self.results:
            receiver.close()


# --- the command's side: handing out chunks and taking them back in order ---


class _Entry(NamedTuple):
    task: Task
    first: bool  # its input's first chunk: read from no open record
    worker: int | None  # None: evaluated by the command, in turn, from the real state


def chunks_in_order(
    pool: Pool,
    local: Callable[[], ChunkWriter],
    inputs: Iterable[tuple[str, Iterator[ReadyRows | BlockStep]]],
    *,
    legs: bool,
    moved: int,
) -> Iterator[Done]:
    """Every chunk of the inputs (label, steps) as one process would produce it, in order."""
    workers = len(pool.processes)
    entries = _entries(inputs, legs=legs, moved=moved)
    pending: deque[_Entry] = deque()
    turn = 0
    carry, opened = NO_CARRY, None
    while True:
        while len(pending) < IN_FLIGHT * workers:
            item = next(entries, None)
            if item is None:
                break
            task, first, follows = item
            worker = None
            if not follows and not isinstance(task.step, ReadyRows):
                worker, turn = turn, (turn + 1) % workers
                pool.submit(worker, task)
            pending.append(_Entry(task, first, worker))
        if not pending:
            return
        entry = pending.popleft()
        if entry.first:
            carry = NO_CARRY
        if entry.worker is None:
            done = local()(entry.task, carry, opened)
        else:
            done = pool.result(entry.worker)  # read as if nothing were open before it
            continues = legs and opened is not None and opened.last_stop is not None and done.first_key == opened.key
            if carry.text or continues:
                done = local()(entry.task, carry, opened)
            elif done.first_key is None:  # no rows: the itinerary before it is still open after it
                done = done._replace(opened=opened)
        carry, opened = done.carry, done.opened
        yield done


def _entries(
    inputs: Iterable[tuple[str, Iterator[ReadyRows | BlockStep]]], *, legs: bool, moved: int
) -> Iterator[tuple[Task, bool, bool]]:
    """(task, first of its input, follows: best evaluated after the chunk before it is done)."""
    for label, steps in inputs:
        header: tuple[list[str] | None, str | None, str] | None = None
        first, follows = True, False
        held: TextBlock | None = None  # the last lines of the block before, moved to this one
        key_of: Callable[[str], Any] | None = None
        for step in steps:
            if isinstance(step, ReadyRows):
                yield Task(label, step, None), first, False
                first = False
                continue
            block = step.block if held is None else _joined(held, step.block)
            held = None
            if step.fmt == "csv" and first:
                reader = CsvBlocks(label)
                reader.read_header(block.text)
                header = reader.header_state()
                task_header = None
            else:
                task_header = header
            if key_of is None and legs:
                key_of = _csv_key(header) if step.fmt == "csv" else _jsonl_key
            cut_follows = False
            if not step.final and key_of is not None:
                floor = block.text.find("\n") + 1 if step.fmt == "csv" and first else 0
                cut = _last_run(block.text, key_of, moved)
                if cut is not None and cut > floor:
                    block, held = _split(block, cut)
                else:
                    cut_follows = True
            yield Task(label, step._replace(block=block), task_header), first, follows
            first, follows = False, cut_follows


def _last_run(text: str, key_of: Callable[[str], Any], moved: int) -> int | None:
    """Where the block's last itinerary starts (an offset in `text`), judged from its last
    lines' itinerary and subject; None when it is longer than `moved` lines or the whole block."""
    end = len(text) - 1  # the last line's line feed
    start = text.rfind("\n", 0, end) + 1
    key = _BLANK
    for _ in range(moved):
        line_key = key_of(text[start:end]) if text[start:end].strip() else _BLANK
        if line_key is not _BLANK:
            if key is not _BLANK and line_key != key:
                return end + 1
            key = line_key
        if start == 0:
            return None
        end = start - 1
        start = text.rfind("\n", 0, end) + 1
    return None


_BLANK = object()  # a blank line: no row, and no break in an itinerary


def _csv_key(header: tuple[list[str] | None, str | None, str] | None) -> Callable[[str], Any] | None:
    columns, unusable, delimiter = header or (None, "", ",")
    if columns is None or unusable is not None or "itinerary" not in columns:
        return None
    at = columns.index("itinerary"), columns.index("subject")

    def key(line: str) -> Any:
        if '"' in line:
            try:
                fields = next(csv.reader([line], delimiter=delimiter))
            except (csv.Error, StopIteration):
                return object()  # unequal to any other: a break
        else:
            fields = line.split(delimiter)
        return tuple(fields[n].strip() if n < len(fields) else None for n in at)

    return key


def _jsonl_key(line: str) -> Any:
    try:
        record = json.loads(line)
        return record.get("itinerary"), record.get("subject")
    except (ValueError, AttributeError, RecursionError):
        return object()


def _split(block: TextBlock, offset: int) -> tuple[TextBlock, TextBlock]:
    """The block's lines before `offset` and from it (its size goes with the first part)."""
    line = block.first_line + block.text.count("\n", 0, offset)
    head = TextBlock(block.first_line, block.text[:offset], tuple(b for b in block.bad if b[0] < line), block.size)
    tail = TextBlock(line, block.text[offset:], tuple(b for b in block.bad if b[0] >= line), 0)
    return head, tail


def _joined(head: TextBlock, block: TextBlock) -> TextBlock:
    return TextBlock(head.first_line, head.text + block.text, head.bad + block.bad, head.size + block.size)
