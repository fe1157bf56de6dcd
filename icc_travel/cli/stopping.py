"""How a run stops when it is told to: SIGTERM (`docker stop`, systemd, `kill`) and SIGINT (^C).

The first signal unwinds the command like an exception, so temporaries beside -o files are
removed and a watch saves its state. An exception raised from a signal handler can land
anywhere, though: between a lock's acquisition and the `with` block that would release it
(inside multiprocessing's queue, for one), and the unwinding then waits on that lock forever.
So three things keep a stop bounded:

- a deadline: GRACE_S after the signal (or at a second one) whatever is still running is cut
  short, temporaries removed, and the process exits with the signal's status. A thread of its
  own keeps it, woken by the signal itself (`signal.set_wakeup_fd`), so it holds even where the
  main thread never gets to run the handler;
- statements that must not be cut in two run with the signals held (`held`), and are delivered
  when they end;
- threads the commands start are started inside `held`, so they block both signals from their
  first instruction (a thread inherits its creator's mask), and the kernel hands the signals to
  the main thread, which alone runs Python's handlers: a signal given to another thread waits
  until the main thread next runs Python code, which a main thread blocked on a pipe or lock may
  never do.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

try:  # the C module alone: `signal` wraps it in enums, 0.45 ms of every run's start-up to import
    import _signal as signals
except ImportError:  # an interpreter without it
    import signal as signals  # type: ignore[no-redef]

GRACE_S = 5.0  # docker stop waits 10 s before SIGKILL, which would leave the temporaries behind
STATUS = {signals.SIGTERM: 143, signals.SIGINT: 130}  # as a shell reports each (128 + signal)
HELD = {signals.SIGTERM, signals.SIGINT}


# The temporaries of -o files being written (render.OutputFile): a run stopped anywhere (SIGTERM
# can arrive while a temporary is being made, before its `with` block would clean it up) removes
# them, in its unwinding (cli.main) or when the deadline cuts it short.
UNFINISHED: set[Path] = set()


class Terminated(BaseException):
    """SIGTERM: unwinds like an interrupt (KeyboardInterrupt, for SIGINT) does."""


_received: list[int] = []  # the signals received in this run, in order


def check() -> None:
    """Raise again the exception of a signal received in this run: a long loop calls this where
    the handler's own exception may have been swallowed (raised inside a finaliser, say)."""
    if _received:
        raise KeyboardInterrupt if _received[0] == signals.SIGINT else Terminated


def _on_signal(signum: int, frame: Any) -> None:
    _received.append(signum)
    if len(_received) > 1:  # told twice: no more waiting for the unwinding
        _cut_short(signum, "told again")
    if signum == signals.SIGINT:
        raise KeyboardInterrupt
    raise Terminated


def _keep_the_deadline(wakeups: int) -> None:
    """The deadline's own thread. The C-level handler writes each signal's number to the wakeup
    pipe (`signal.set_wakeup_fd`) whichever thread it interrupts, before any Python code runs: so
    the deadline holds even when the main thread never gets to run the Python handler (a signal
    that lands just before a wait with no timeout begins is seen only when the wait ends). The
    pipe closed: the command is over. Nothing is imported here after a signal: the main thread
    may hold the import lock for good."""
    first = os.read(wakeups, 1)
    while first and first[0] not in HELD:  # another signal a library set a Python handler for
        first = os.read(wakeups, 1)
    if first:
        os.set_blocking(wakeups, False)
        end = time.monotonic() + GRACE_S
        while time.monotonic() < end:
            time.sleep(0.05)
            try:
                again = os.read(wakeups, 1)
            except BlockingIOError:
                continue
            if not again:
                break  # the command ended, its unwinding done
            if again[0] in HELD:
                _cut_short(first[0], "told again")
        else:
            _cut_short(first[0], f"the shutdown took over {GRACE_S:g} s")
    os.close(wakeups)


def remove_unfinished() -> None:
    """Remove the temporaries of -o files whose writing was cut short."""
    while UNFINISHED:
        UNFINISHED.pop().unlink(missing_ok=True)


def _cut_short(signum: int, why: str) -> None:
    """End the process now, with the temporaries of unfinished -o files removed."""
    with contextlib.suppress(Exception):
        remove_unfinished()
    with contextlib.suppress(OSError):
        os.write(2, f"icc-travel: stopped ({why})\n".encode())
    os._exit(STATUS.get(signum, 143))


@contextlib.contextmanager
def handled() -> Iterator[None]:
    """SIGTERM and SIGINT handled as above while the command runs, in the main thread only (a
    handler cannot be set elsewhere); the previous handlers and wakeup pipe are restored after."""
    import _thread
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _received.clear()
    wakeups, wakeup = os.pipe()
    try:
        os.set_blocking(wakeup, False)  # as set_wakeup_fd requires: a full pipe drops the byte
        previous_fd = signals.set_wakeup_fd(wakeup, warn_on_full_buffer=False)
    except (AttributeError, OSError, ValueError):  # Windows wants a socket there: no deadline
        os.close(wakeups)
        os.close(wakeup)
        wakeup = previous_fd = -1
    previous = {number: signals.signal(number, _on_signal) for number in HELD}
    if wakeup >= 0:
        with held():  # the thread blocks the signals from its start: they are the main thread's
            _thread.start_new_thread(_keep_the_deadline, (wakeups,))
    try:
        yield
    finally:
        for number, handler in previous.items():
            signals.signal(number, handler)
        if wakeup >= 0:
            signals.set_wakeup_fd(previous_fd)
            if not _received:  # a run being stopped keeps its deadline through the interpreter's exit
                os.close(wakeup)  # the deadline's thread reads the end of the pipe and leaves


@contextlib.contextmanager
def held() -> Iterator[None]:
    """SIGTERM and SIGINT held back for a few statements (where the platform can, in the main
    thread): one that arrives meanwhile is delivered when they end. A thread started inside
    keeps them blocked for its whole life."""
    import threading

    if not hasattr(signals, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signals.pthread_sigmask(signals.SIG_BLOCK, HELD)
    try:
        yield
    finally:
        signals.pthread_sigmask(signals.SIG_SETMASK, previous)
