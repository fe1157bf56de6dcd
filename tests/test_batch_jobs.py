"""`batch --jobs N`: the same bytes as one process, for every format, across chunk boundaries
(small chunks through ICC_TRAVEL_BATCH_CHUNK_ROWS); interrupts, SIGTERM and a dying worker end
the whole group with one line."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from icc_travel.cli.batch_cmd import CHUNK_ROWS_ENV

pytestmark = pytest.mark.dateless  # N worker processes against one, in the same run: same day on both sides

COMMAND = str(Path(sys.executable).parent / "icc-travel")
FORMATS = ("json", "jsonl", "csv", "markdown", "github")
# codes, names, an unknown place, coordinates (quoted, one in the sea), airports, a bad date
PLACES = (
    "MN",
    "HU",
    "France",
    "Freedonia",
    "airport:JFK",
    "airport:LHR",
    "airport:ULN",
    '"47.92,106.92"',
    '"-26.2,28.0"',
    '"0.5,-30.0"',
    "Johannesburg",
    "airport:DXB",
    "RU",
)


def mixed_rows(seed: int = 3) -> list[tuple[str, str, str, str]]:
    """Itineraries of 1 to 17 stops (legs between the airports and coordinates), three subjects
    and an unknown one, dates over twelve years and a bad one."""
    rng = random.Random(seed)
    rows = []
    for number in range(150):
        subject = rng.choice(("putin", "netanyahu", "bashir")) if rng.random() > 0.05 else "nobody"
        for _ in range(rng.choice((1, 2, 3, 5, 9, 17))):
            day = f"20{rng.randint(15, 26)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
            rows.append((f"r{number}", subject, rng.choice(PLACES), "2024-13-40" if rng.random() < 0.03 else day))
    return rows


def mixed_csv(path: Path) -> Path:
    lines = ["itinerary,subject,place,date,kind"]
    rng = random.Random(5)
    for number, (itinerary, subject, place, day) in enumerate(mixed_rows()):
        lines.append(f"{itinerary},{subject},{place},{day},visit")
        if number % 97 == 50:  # a quoted cell over two lines: a record open across a block's end
            lines += ['x1,putin,"MN', 'still the same cell",2024-09-03,visit']
        if number % 131 == 7:
            lines += ["", "a,b,c,d,e,f,g"]  # a blank line, a row with too many fields
        if rng.random() < 0.01:
            lines.append('bad,"unclosed,putin')
    path.write_text("\n".join(lines) + "\n")
    return path


def mixed_jsonl(path: Path) -> Path:
    lines = []
    for number, (itinerary, subject, place, day) in enumerate(mixed_rows(4)):
        lines.append(json.dumps({"itinerary": itinerary, "subject": subject, "place": place.strip('"'), "date": day}))
        if number % 113 == 9:
            lines.append("{not json")
    path.write_text("\n".join(lines) + "\n")
    return path


def run(*args: str, chunk: int = 5, stdin: str | None = None, env: dict[str, str] | None = None) -> tuple:
    environment = {**os.environ, CHUNK_ROWS_ENV: str(chunk), **(env or {})}
    done = subprocess.run(
        [COMMAND, "batch", *args], input=stdin, capture_output=True, text=True, env=environment, check=False
    )
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize("fmt", FORMATS)
def test_two_jobs_write_what_one_writes_for_every_format(tmp_path: Path, fmt: str) -> None:
    source = mixed_csv(tmp_path / "mixed.csv")
    outputs = []
    for jobs in ("1", "2"):
        summary = tmp_path / f"summary-{jobs}.md"
        status, stdout, stderr = run(
            str(source), "--format", fmt, "--jobs", jobs, env={"GITHUB_STEP_SUMMARY": str(summary)}
        )
        outputs.append((status, stdout, stderr, summary.read_text() if summary.exists() else None))
    assert outputs[0] == outputs[1]
    status, stdout, stderr, _ = outputs[0]
    assert status == 2 and "Traceback" not in stderr
    summary_line = stderr.strip().splitlines()[-1]
    assert " legs (" in summary_line  # itineraries with legs, many across chunks of five rows
    assert "unknown place 'Freedonia'" in stderr and "more rows are errors" in stderr
    if fmt == "github":
        assert outputs[0][3] is not None and "| File |" in outputs[0][3]


def test_json_lines_and_several_files_in_order(tmp_path: Path) -> None:
    first, second = mixed_jsonl(tmp_path / "a.jsonl"), mixed_csv(tmp_path / "b.csv")
    one = run(str(first), str(second), str(first), "--format", "csv", "--jobs", "1")
    two = run(str(first), str(second), str(first), "--format", "csv", "--jobs", "2")
    assert one == two
    files = [line.split(",", 1)[0] for line in one[1].splitlines()[1:]]
    assert files[0] == str(first) and files[-1] == str(first) and str(second) in files


def test_standard_input(tmp_path: Path) -> None:
    text = mixed_jsonl(tmp_path / "a.jsonl").read_text()
    one = run("-", "--input-format", "jsonl", "--format", "jsonl", "--jobs", "1", stdin=text)
    two = run("-", "--input-format", "jsonl", "--format", "jsonl", "--jobs", "2", stdin=text)
    assert one == two and one[1].count("\n") == len(text.splitlines())
    assert '"file": "<stdin>"' in one[1]


def test_an_output_file_is_the_same(tmp_path: Path) -> None:
    source = mixed_csv(tmp_path / "mixed.csv")
    for jobs in ("1", "2"):
        status, stdout, _ = run(str(source), "--format", "json", "--jobs", jobs, "-o", str(tmp_path / f"{jobs}.json"))
        assert status == 2 and stdout == ""
    assert (tmp_path / "1.json").read_bytes() == (tmp_path / "2.json").read_bytes()
    assert not list(tmp_path.glob(".*.tmp*"))  # no temporary left beside it


def test_chunks_are_read_in_workers_and_checked_again_here_when_they_continue(
    tmp_path: Path, invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both ways a chunk is made: by a worker (most), and here, when the chunk before it ended
    inside a quoted cell or an itinerary too long to cut before (the output is the same)."""
    from icc_travel.cli import batch_jobs

    source = mixed_csv(tmp_path / "mixed.csv")
    monkeypatch.setenv(CHUNK_ROWS_ENV, "5")
    counts = {"worker": 0, "here": 0}
    parent = os.getpid()
    result, call = batch_jobs.Pool.result, batch_jobs.ChunkWriter.__call__

    def from_worker(self, worker):
        counts["worker"] += 1
        return result(self, worker)

    def here(self, *args, **kwargs):
        if os.getpid() == parent:
            counts["here"] += 1
        return call(self, *args, **kwargs)

    monkeypatch.setattr(batch_jobs.Pool, "result", from_worker)
    monkeypatch.setattr(batch_jobs.ChunkWriter, "__call__", here)
    two = invoke("batch", str(source), "--format", "csv", "--jobs", "2")
    assert counts["worker"] > 20 and counts["here"] > 5
    one = invoke("batch", str(source), "--format", "csv", "--jobs", "1")
    assert (two.exit_code, two.stdout) == (one.exit_code, one.stdout)


def test_jobs_must_be_a_count_or_auto(tmp_path: Path) -> None:
    source = mixed_csv(tmp_path / "mixed.csv")
    status, _, stderr = run(str(source), "--jobs", "0")
    assert status == 2 and stderr.startswith("icc-travel: error:") and len(stderr.splitlines()) == 1
    assert (
        run(str(source), "--jobs", "auto", "--format", "csv")[1]
        == run(str(source), "--format", "csv", "--jobs", "1")[1]
    )


def children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        found |= {int(child) for child in (task / "children").read_text().split()}
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


# A terminal's foreground job has SIGINT at its default; a job a shell starts in the background
# without job control (`cmd &` in a script, as CI runners may start the suite) inherits it
# ignored, and Python then installs no KeyboardInterrupt handler. The command is started as a
# terminal would start it, whatever the test run inherited.
AS_FROM_A_TERMINAL = (
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])"
)


def started(tmp_path: Path) -> tuple[subprocess.Popen, set[int]]:
    """A batch reading standard input that stays open, its workers running."""
    batch = [COMMAND, "batch", "-", "--input-format", "csv", "--format", "csv", "--jobs", "2"]
    process = subprocess.Popen(
        [sys.executable, "-c", AS_FROM_A_TERMINAL, *batch],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, CHUNK_ROWS_ENV: "5"},
        start_new_session=True,
    )
    assert process.stdin is not None
    process.stdin.write(mixed_csv(tmp_path / "mixed.csv").read_bytes())
    process.stdin.flush()
    deadline = time.monotonic() + 60
    while len(workers := children(process.pid)) < 2:
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.05)
    return process, workers


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads the process tree from /proc")
@pytest.mark.parametrize(("how", "status", "line"), [("sigint", 130, "interrupted"), ("sigterm", 143, "terminated")])
def test_an_interrupt_or_sigterm_ends_every_worker(tmp_path: Path, how: str, status: int, line: str) -> None:
    process, workers = started(tmp_path)
    if how == "sigint":
        os.killpg(process.pid, signal.SIGINT)  # as a terminal's Ctrl-C: to the whole group
    else:
        process.send_signal(signal.SIGTERM)  # to the command alone
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == status, stderr.decode()
    assert stderr.decode().strip().splitlines() == [f"icc-travel: {line}"]
    assert not any(alive(worker) for worker in workers)


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads the process tree from /proc")
def test_a_worker_that_dies_is_one_error(tmp_path: Path) -> None:
    process, workers = started(tmp_path)
    os.kill(min(workers), signal.SIGKILL)
    assert process.stdin is not None
    try:
        process.stdin.write(mixed_csv(tmp_path / "more.csv").read_bytes().split(b"\n", 1)[1])
        process.stdin.close()
    except BrokenPipeError:
        pass
    _, stderr = process.communicate(timeout=60)
    lines = stderr.decode().strip().splitlines()
    assert process.returncode == 2
    assert lines == [
        f"icc-travel: error: batch worker process {min(workers)} was killed by signal 9; the batch stopped before its end"
    ]
    assert not any(alive(worker) for worker in workers)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_rows_before_a_line_too_long_are_kept(
    invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: str
) -> None:
    """Reading stops at a line too long to be a row; the rows read before it still come out."""
    from icc_travel.data import inputs

    monkeypatch.setattr(inputs, "MAX_LINE_BYTES", 2_000)
    monkeypatch.setenv(CHUNK_ROWS_ENV, "50")
    rows = [f"r{number},putin,MN,2024-09-03,visit" for number in range(30)]
    source = tmp_path / "long.csv"
    source.write_text("\n".join(["itinerary,subject,place,date,kind", *rows, "x" * 5_000, rows[0]]) + "\n")
    result = invoke("batch", str(source), "--format", "csv", "--jobs", jobs)
    lines = result.stdout.splitlines()[1:]
    assert result.exit_code == 2 and len(lines) == 31
    assert [line.split(",")[1] for line in lines] == [str(number) for number in range(2, 33)]
    assert "a line longer than 2,000 bytes" in lines[-1]
