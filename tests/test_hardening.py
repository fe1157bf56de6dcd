"""Hostile files and faults (issue 13): every input row is accounted for, nothing is silently
misread, and faults end in one line, never a traceback."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

COMMAND = str(Path(sys.executable).parent / "icc-travel")


def batch_rows(invoke, path: Path) -> tuple[list[dict], str]:
    result = invoke("batch", str(path), "--format", "json")
    return json.loads(result.stdout)["rows"], result.stderr


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        # a quote never closed costs its own record, not the rows after it
        (
            "quote.csv",
            'subject,place,date\nputin,"MN,2024-09-03\nputin,RU,2024-09-03\nputin,FR,2024-09-03\n',
            [(2, "unreadable CSV"), (3, "RUS"), (4, "FRA")],
        ),
        # CR-only line ends (old spreadsheet exports)
        ("cr.csv", "subject,place,date\rputin,MN,2024-09-03\rputin,RU,2024-09-03\r", [(2, "MNG"), (3, "RUS")]),
        # a quoted record over two lines is reported at the line it starts on
        (
            "multi.csv",
            'subject,place,date\nputin,"MN\nx",2024-09-03\nputin,RU,2024-09-03\n',
            [(2, "unknown place"), (4, "RUS")],
        ),
        # a repeated column is refused rather than guessed, and every row behind it is counted
        ("dup.csv", "subject,place,place,date\nputin,MN,RU,2024-09-03\n", [(1, "repeats place"), (2, "not read")]),
        # no header: each line is a record that cannot be read
        ("nohead.csv", "putin,MN,2024-09-03\nputin,RU,2024-09-03\n", [(1, "lacks subject, place"), (2, "not read")]),
        # U+2028 inside a JSON string is not a line end
        (
            "u.jsonl",
            '{"subject":"putin","place":"MN\u2028","date":"2024-09-03"}\n{"subject":"putin","place":"RU","date":"2024-09-03"}\n',
            [(1, "MNG"), (2, "RUS")],
        ),
    ],
    ids=["unterminated quote", "CR line ends", "multi-line record", "duplicate column", "no header", "U+2028"],
)
def test_every_record_is_one_row_at_its_own_line(invoke, tmp_path: Path, name: str, content: str, expected) -> None:
    path = tmp_path / name
    path.write_bytes(content.encode())
    rows, _ = batch_rows(invoke, path)
    got = [(r["line"], r["error"] or (r["country"] or {}).get("iso3")) for r in rows]
    assert len(got) == len(expected), got
    for (line, value), (want_line, want) in zip(got, expected, strict=True):
        assert line == want_line and want in value, got


def run(args: list[str], tmp_path: Path, **kwargs) -> subprocess.CompletedProcess:
    # the session's cache (conftest): each command would otherwise parse the 38 MB boundary file
    # again; a test about caches gives its own XDG_CACHE_HOME
    env = {**os.environ, **kwargs.pop("env", {})}
    return subprocess.run([COMMAND, *args], capture_output=True, text=True, env=env, cwd=tmp_path, **kwargs)


def one_error(done: subprocess.CompletedProcess, says: str) -> None:
    assert "Traceback" not in done.stderr, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("icc-travel: error: ")]
    assert done.returncode == 2 and len(errors) == 1 and says in errors[0], done.stderr


def test_yaml_is_read_as_yaml_1_2_without_repeated_keys(tmp_path: Path) -> None:
    trip = tmp_path / "trip.yaml"
    trip.write_text("subject: putin\nstops:\n  - {place: NO, date: 2024-09-03}\n")
    done = run(["check", "--itinerary", str(trip), "--format", "json"], tmp_path)
    assert json.loads(done.stdout)["stops"][0]["country"]["iso3"] == "NOR"  # not `false`
    trip.write_text("subject: putin\nsubject: netanyahu\nstops:\n  - {place: MN, date: 2024-09-03}\n")
    one_error(run(["check", "--itinerary", str(trip)], tmp_path), "key 'subject' appears twice")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.dateless
def test_devices_and_fifos_neither_hang_nor_exhaust_memory(tmp_path: Path) -> None:
    one_error(run(["check", "putin", "--itinerary", "/dev/zero"], tmp_path, timeout=60), "too large")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    done = run(["batch", str(fifo), "--input-format", "csv", "--format", "json"], tmp_path, timeout=60)
    assert done.returncode == 2 and "empty input" in done.stdout  # no writer: read as empty, at once


def test_the_installed_command_runs_the_exit_handlers_before_it_ends(tmp_path: Path) -> None:
    """The installed command ends its process itself, skipping the interpreter's teardown, once
    Python's exit handlers have run: the private cache folder a run makes when its cache folder
    cannot be used is removed, and the whole answer is out with its status (1: arrest)."""
    cache_home, temporary = tmp_path / "cache", tmp_path / "tmp"
    cache_home.mkdir()
    temporary.mkdir()
    (cache_home / "icc-travel").write_text("a file where the cache folder should be\n")
    done = run(
        ["check", "putin", "MN@2024-09-03", "--format", "json"],
        tmp_path,
        env={"XDG_CACHE_HOME": str(cache_home), "TMPDIR": str(temporary)},
        timeout=300,
    )
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["stops"][0]["obligation"] == "arrest"
    assert "is not used (it is not a folder)" in done.stderr
    assert list(temporary.iterdir()) == []  # the run's private cache folder, removed at exit


@pytest.mark.dateless
def test_a_regular_file_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    """A track file larger than the 1 GiB a track may hold is refused from its size, before a
    byte is read (reading up to the limit first held a gigabyte of memory only to refuse it)."""
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as handle:
        handle.truncate(2 << 30)  # sparse: no disk space
    one_error(run(["track", str(huge)], tmp_path, timeout=60), "too large (2,147,483,648 bytes, more than")


@pytest.mark.dateless
def test_a_very_long_place_is_refused_quickly(tmp_path: Path) -> None:
    import time

    rows = tmp_path / "long.csv"
    rows.write_text("subject,place,date\nputin," + "x" * 100_000 + ",2024-09-03\n")
    start = time.perf_counter()
    done = run(["batch", str(rows), "--format", "json"], tmp_path)
    assert time.perf_counter() - start < 20  # it took minutes when every name was compared
    assert "no place name is longer than 200" in json.loads(done.stdout)["rows"][0]["error"]


@pytest.mark.parametrize(
    ("shell", "says"),
    [
        ('"$0" "$@" >&-', "standard output is closed"),
        ('"$0" "$@" > /dev/full', "No space left on device"),
    ],
    ids=["closed stdout", "full disk"],
)
@pytest.mark.dateless
def test_stdout_faults_end_in_one_line(shell: str, says: str, tmp_path: Path) -> None:
    if not Path("/dev/full").exists() and "full" in shell:
        pytest.skip("no /dev/full")
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}  # faketime's preload reopens fd 1
    for args in (["check", "putin", "MN@2024-09-03"], ["batch", str(SAMPLE), "--format", "csv"]):
        done = subprocess.run(["sh", "-c", shell, COMMAND, *args], capture_output=True, text=True, env=env)
        one_error(done, says)


SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "visits.yaml"


@pytest.mark.dateless
def test_unwritable_outputs(tmp_path: Path) -> None:
    done = run(["batch", str(SAMPLE), "--format", "github"], tmp_path, env={"GITHUB_STEP_SUMMARY": "/nonexistent/x"})
    assert "Traceback" not in done.stderr and "cannot append the summary" in done.stderr
    assert done.stdout.startswith("::error")  # the annotations still went out
    one_error(run(["map", "--subject", "putin", "-o", "/proc/none/map.png"], tmp_path), "does not exist")
    (tmp_path / "out.png").mkdir()
    one_error(run(["map", "--subject", "putin", "-o", str(tmp_path / "out.png")], tmp_path), "is a directory")


@pytest.mark.dateless
def test_deeply_nested_json_is_an_error_row(tmp_path: Path) -> None:
    rows = tmp_path / "deep.jsonl"
    rows.write_text('{"subject": ' + "[" * 100_000 + "}\n")
    done = run(["batch", str(rows), "--format", "json"], tmp_path)
    assert "nested too deeply" in json.loads(done.stdout)["rows"][0]["error"] and "Traceback" not in done.stderr


@pytest.mark.dateless
def test_caches_follow_content_and_survive_damage(tmp_path: Path, data_copy: Path) -> None:
    env = {"ICC_TRAVEL_DATA": str(data_copy), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    first = run(["states", "--on", "2024-02-01", "--count"], tmp_path, env=env)
    assert first.stdout == "124\n"
    # an edit in place that keeps the size and the modification time
    facts = data_copy / "states_parties.yaml"
    stat = facts.stat()
    text = facts.read_text()
    edited = text.replace(
        "  deposited: 2023-11-14\n  entry_into_force: 2024-02-01\n",
        "  deposited: 2023-11-14\n  entry_into_force: 2024-02-02\n",
    )
    assert edited != text and len(edited) == len(text)
    facts.write_text(edited)
    os.utime(facts, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert run(["states", "--on", "2024-02-01", "--count"], tmp_path, env=env).stdout == "123\n"
    # damaged caches are rebuilt, not fatal
    for cache in (tmp_path / "cache" / "icc-travel").glob("*"):
        cache.write_bytes(b"\x00garbage")
    assert run(["check", "putin", "47.92,106.92@2024-09-03"], tmp_path, env=env).returncode == 1
    assert run(["states", "--on", "2024-02-02", "--count"], tmp_path, env=env).stdout == "124\n"


@pytest.mark.dateless
def test_a_truncated_boundary_file_is_refused(tmp_path: Path, data_copy: Path) -> None:
    geometry = data_copy / "member_states.geojson"
    lines = geometry.read_text().split("\n")
    geometry.write_text("\n".join(lines[:119]) + "\n")  # cut at a line boundary
    done = run(["check", "putin", "MN"], tmp_path, env={"ICC_TRAVEL_DATA": str(data_copy)})
    assert done.returncode == 2 and "member_states.geojson" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.dateless
def test_concurrent_first_runs_share_the_caches(tmp_path: Path) -> None:
    processes = [
        subprocess.Popen(
            [COMMAND, "check", "putin", "47.92,106.92@2024-09-03", "--format", "json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")},
        )
        for _ in range(4)
    ]
    outputs = [process.communicate() for process in processes]
    assert [p.returncode for p in processes] == [1, 1, 1, 1]
    assert all(b"Traceback" not in err for _, err in outputs)
    assert len({out for out, _ in outputs}) == 1


@pytest.mark.dateless
def test_relative_cache_home_is_ignored(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": "relative/cache", "HOME": str(tmp_path)}
    done = subprocess.run([COMMAND, "check", "putin", "MN@2024-09-03"], capture_output=True, env=env, cwd=tmp_path)
    assert done.returncode == 1 and not (tmp_path / "relative").exists()
    assert (tmp_path / ".cache" / "icc-travel").exists()


class _Planted:
    """A pickle that opens (creates) a file when loaded: what someone able to write into the
    cache folder could leave there to run code as the user of the command."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return (open, (str(self.marker), "w"))


@pytest.mark.dateless
def test_the_cache_folder_and_its_files_are_the_users_alone(tmp_path: Path) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    done = run(["check", "putin", "MN@2024-09-03"], tmp_path, env=env, umask=0o002)
    assert done.returncode == 1, done.stderr
    folder = tmp_path / "cache" / "icc-travel"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    (dataset,) = folder.glob("dataset-*.pickle")
    assert stat.S_IMODE(dataset.stat().st_mode) == 0o600  # not 0o664, which the umask would give
    # a folder of the user's own that others can write to is closed to them
    folder.chmod(0o777)
    assert run(["check", "putin", "MN@2024-09-03"], tmp_path, env=env).returncode == 1
    assert stat.S_IMODE(folder.stat().st_mode) & 0o022 == 0


@pytest.mark.dateless
@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="giving files to another user needs root")
def test_a_pickle_another_user_could_plant_is_never_loaded(tmp_path: Path) -> None:
    import pickle

    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    assert run(["check", "putin", "MN@2024-09-03"], tmp_path, env=env).returncode == 1
    folder = tmp_path / "cache" / "icc-travel"
    (dataset,) = folder.glob("dataset-*.pickle")
    marker = tmp_path / "planted-pickle-ran"
    # the folder was open to others, and one of them replaced the dataset cache
    folder.chmod(0o777)
    dataset.write_bytes(pickle.dumps(_Planted(marker)))
    os.chown(dataset, 54321, 54321)
    done = run(["check", "putin", "MN@2024-09-03"], tmp_path, env=env)
    assert done.returncode == 1 and "arrest" in done.stdout and not marker.exists(), done.stderr
    assert dataset.stat().st_uid == os.geteuid()  # parsed again and replaced by the user's own
    # a folder that belongs to another user is not used at all: this run keeps its caches apart
    dataset.write_bytes(pickle.dumps(_Planted(marker)))
    for path in [folder, *folder.iterdir()]:
        os.chown(path, 54321, 54321)
    before = sorted(path.name for path in folder.iterdir())
    done = run(["check", "putin", "MN@2024-09-03"], tmp_path, env=env)
    assert done.returncode == 1 and "arrest" in done.stdout and not marker.exists(), done.stderr
    assert f"the cache folder {folder} is not used (it belongs to user id 54321)" in done.stderr
    assert sorted(path.name for path in folder.iterdir()) == before


@pytest.mark.dateless
def test_old_caches_are_pruned_when_a_new_dataset_cache_is_written(tmp_path: Path) -> None:
    """Every data edit and upgrade writes new cache files (tens of MB for points and polygons);
    the newest few of each kind stay, the rest and dead temporaries go, and nothing else."""
    cache = tmp_path / "cache" / "icc-travel"
    cache.mkdir(parents=True)
    old = time.time() - 86_400
    planted = {}
    for kind in ("dataset-", "points-v1-", "territories-"):
        for age in range(5):
            path = cache / f"{kind}{age:08x}.bin"
            path.write_bytes(b"stale")
            os.utime(path, (old - age * 60, old - age * 60))
            planted[path] = age
    dead = cache / "points-v1-00000009.bin.4242.tmp"
    dead.write_bytes(b"half")
    os.utime(dead, (old, old))
    live = cache / "territories-0000000a.4243.tmp.npz"
    live.write_bytes(b"being written")
    os.utime(live, (time.time(), time.time()))  # now by this process's clock (faked in CI's second pass)
    foreign = cache / "notes.txt"
    foreign.write_text("mine")
    mapped = []  # caches of memory-mapped arrays are directories
    for age in range(4):
        directory = cache / f"tiles-v8-{age:016x}"
        directory.mkdir()
        (directory / "code0.npy").write_bytes(b"stale")
        os.utime(directory, (old - age * 60, old - age * 60))
        mapped.append(directory)
    runs = []  # the arrays derived from a grid: a kind of their own, not counted with the grids
    for age in range(4):
        directory = cache / f"runs-v1-tiles-v8-{age:016x}"
        directory.mkdir()
        os.utime(directory, (old - age * 60 + 30, old - age * 60 + 30))
        runs.append(directory)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "ICC_TRAVEL_TODAY": "2026-12-06"}
    done = subprocess.run([COMMAND, "check", "putin", "MN@2024-09-03"], capture_output=True, env=env)
    assert done.returncode == 1, done.stderr
    left = {p.name for p in cache.iterdir()}
    for path, age in planted.items():
        kept = age < (2 if path.name.startswith("dataset-") else 3)  # the new dataset cache is one of 3
        assert (path.name in left) == kept, path.name
    assert dead.name not in left and live.name in left and foreign.name in left
    tiles = sorted(name for name in left if name.startswith("tiles-"))
    assert tiles == [d.name for d in mapped[:3]] and not mapped[3].exists(), tiles
    kept_runs = sorted(name for name in left if name.startswith("runs-"))
    assert kept_runs == [d.name for d in runs[:3]] and not runs[3].exists(), kept_runs
    assert sum(name.startswith("dataset-") for name in left) == 3


def test_antarctica_is_not_the_high_seas(invoke) -> None:
    stop = json.loads(invoke("check", "putin", "-75,0@2024-09-03", "--format", "json").stdout)["stops"][0]
    assert stop["basis"] == "no_territory" and "Antarctic Treaty" in stop["reasons"][-1]
    sea = json.loads(invoke("check", "putin", "0,-30@2024-09-03", "--format", "json").stdout)["stops"][0]
    assert "high seas" in sea["reasons"][-1]


@pytest.mark.parametrize(
    "text", ["\u0662\u0660\u0662\u0664-\u0660\u0669-\u0660\u0663", "\uff12\uff10\uff12\uff14-\uff10\uff19-\uff10\uff13"]
)
def test_dates_take_ascii_digits_only(invoke, text: str) -> None:
    result = invoke("check", "putin", f"MN@{text}")
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.stderr


def test_precedents_for_a_point_at_sea_is_an_error(invoke) -> None:
    result = invoke("precedents", "--state", "0,0")
    assert result.exit_code == 2 and "outside every state" in result.stderr


# --- the readers, on anything -------------------------------------------------------------------

from hypothesis import example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from icc_travel.engine.batch_input import read_rows  # noqa: E402

HEADER = "itinerary,subject,place,date,kind\n"


def lines_of(rows) -> list[int]:
    return rows.columns["line"]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
@pytest.mark.dateless
def test_any_bytes_as_any_format_give_rows_never_a_crash(raw: bytes) -> None:
    text = raw.decode("utf-8", errors="replace")
    for fmt in ("csv", "jsonl", "yaml"):
        rows = read_rows("x", text, fmt)
        count = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 2  # CR alone ends a line too
        assert len(rows) >= 1 and all(1 <= line <= count for line in lines_of(rows))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.characters(blacklist_characters='"\n\r', blacklist_categories=["Cs"]), max_size=40),
        min_size=1,
        max_size=30,
    )
)
@pytest.mark.dateless
def test_csv_rows_reconcile_with_the_lines_given(body: list[str]) -> None:
    """Without quotes, every line after the header with any content is exactly one row, at its
    line; a line of blanks and delimiters (a spreadsheet's empty row) is no record."""
    text = HEADER + "".join(line + "\n" for line in body)
    rows = read_rows("x", text, "csv")
    expected = [number for number, line in enumerate(body, 2) if any(field.strip() for field in line.split(","))]
    assert lines_of(rows) == expected


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.characters(blacklist_characters="\n\r", blacklist_categories=["Cs"]), max_size=40),
        min_size=1,
        max_size=30,
    )
)
@pytest.mark.dateless
def test_jsonl_rows_reconcile_with_the_lines_given(body: list[str]) -> None:
    text = "".join(line + "\n" for line in body)
    rows = read_rows("x", text, "jsonl")
    non_blank = [number for number, line in enumerate(body, 1) if line.strip()]
    if not text.strip():
        assert len(rows) == 1  # "empty input"
    else:
        assert lines_of(rows) == non_blank


@settings(max_examples=400, deadline=None)
@example(body=["a", ",,,,"], lines=1, fmt="csv")  # a last record of empty cells, alone in its block
@given(
    st.lists(
        st.lists(st.sampled_from([*'ab,;"\r\n \t{}:', "putin", "MN", "é", "2024-09-03"]), max_size=12).map("".join),
        max_size=25,
    ),
    st.integers(min_value=1, max_value=6),
    st.sampled_from(["csv", "jsonl"]),
)
@pytest.mark.dateless
def test_reading_in_blocks_gives_the_rows_of_the_whole(body: list[str], lines: int, fmt: str) -> None:
    """However an input is cut into blocks of lines (quotes left open across a cut, CR line
    ends, blank lines), the streamed reader gives the rows of the whole text, in order. A record
    of empty cells (`,,,,`, a spreadsheet's empty row) is a blank line in every block: the fast
    reader of whole-cell blocks once gave it as a row of its own when it stood alone."""
    import io

    from icc_travel.data.inputs import text_blocks
    from icc_travel.engine.batch_input import read_chunks

    text = (HEADER if fmt == "csv" else "") + "\n".join(body)
    whole = read_rows("x", text, fmt)
    chunks = read_chunks("x", text_blocks(io.BytesIO(text.encode()), lines=lines), fmt)
    streamed = [row for rows, _ in chunks for row in rows.records()]
    assert streamed == list(whole.records())


# Issue 22: the new inputs get the old guarantees.

UNSHARE = shutil.which("unshare")


def _private_dev_available() -> bool:
    if UNSHARE is None or os.geteuid() != 0:
        return False
    probe = subprocess.run([UNSHARE, "-m", "--propagation", "private", "true"], capture_output=True)
    return probe.returncode == 0


@pytest.mark.skipif(not _private_dev_available(), reason="needs root and unshare for a private /dev")
@pytest.mark.dateless
def test_o_writes_devices_and_links_in_place_and_never_replaces_them(tmp_path: Path) -> None:
    """As root, `-o /dev/null` once replaced the device node with a regular file. Run in a private
    mount namespace with its own tmpfs /dev, so the host's /dev is never at stake."""
    script = f"""
set -e
mount -t tmpfs tmpfs /dev
mknod -m 666 /dev/null c 1 3
mknod -m 666 /dev/full c 1 7
ln -s /proc/self/fd /dev/fd
ln -s /proc/self/fd/1 /dev/stdout
for target in /dev/null /dev/stdout; do
  "{COMMAND}" batch "{SAMPLE}" --format csv -o "$target" > {tmp_path}/out.$(basename $target) 2>> {tmp_path}/err || true
done
"{COMMAND}" batch "{SAMPLE}" --format csv -o /dev/full 2> {tmp_path}/full.err || echo "status $?" > {tmp_path}/full.status
stat -c '%F %t,%T' /dev/null /dev/full > {tmp_path}/kinds
readlink /dev/stdout > {tmp_path}/link
"""
    # faketime's preload needs /dev/shm, which the private /dev hides: the clock does not matter here
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    done = subprocess.run(
        [UNSHARE, "-m", "--propagation", "private", "sh", "-c", script], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "kinds").read_text().split("\n")[:2] == [
        "character special file 1,3",
        "character special file 1,7",
    ]
    assert (tmp_path / "link").read_text().strip() == "/proc/self/fd/1"  # still the link
    assert (tmp_path / "out.stdout").read_text().startswith("file,line,")  # reached standard output
    assert (tmp_path / "out.null").read_text() == ""
    assert "No space left on device" in (tmp_path / "full.err").read_text()
    assert (tmp_path / "full.status").read_text().strip() == "status 2"


@pytest.mark.dateless
def test_o_through_a_link_writes_the_linked_file_in_place(tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    done = run(["batch", str(SAMPLE), "--format", "csv", "-o", str(link)], tmp_path)
    assert done.returncode in (0, 1), done.stderr
    assert link.is_symlink() and real.read_text().startswith("file,line,")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.dateless
def test_o_to_a_fifo_is_written_as_it_comes(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    writer = subprocess.Popen([COMMAND, "batch", str(SAMPLE), "--format", "csv", "-o", str(fifo)], env=env)
    with fifo.open() as reader:
        text = reader.read()
    assert writer.wait(timeout=60) in (0, 1)
    assert text.startswith("file,line,") and fifo.exists() and not fifo.is_file()


@pytest.mark.parametrize("command", ["batch", "screen"])
@pytest.mark.dateless
def test_o_naming_an_input_is_refused_and_the_input_kept(command: str, tmp_path: Path) -> None:
    source = tmp_path / ("visits.yaml" if command == "batch" else "positions.csv")
    if command == "batch":
        source.write_bytes(SAMPLE.read_bytes())
        args = ["batch", str(source)]
    else:
        source.write_bytes((SAMPLE.parent / "synthetic_positions.csv").read_bytes())
        args = ["screen", str(source), "--watchlist", str(SAMPLE.parent / "watchlist.csv")]
    before = source.read_bytes()
    for spelling in (str(source), f"{tmp_path}/./{source.name}"):
        one_error(run([*args, "-o", spelling], tmp_path), "-o names the input")
    assert source.read_bytes() == before


@pytest.mark.dateless
def test_o_inside_an_input_directory_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "positions"
    folder.mkdir()
    (folder / "a.csv").write_bytes((SAMPLE.parent / "synthetic_positions.csv").read_bytes())
    watchlist = str(SAMPLE.parent / "watchlist.csv")
    one_error(
        run(["screen", str(folder), "--watchlist", watchlist, "-o", str(folder / "hits.jsonl")], tmp_path),
        "inside the input directory",
    )


@pytest.mark.dateless
def test_sigterm_while_the_temporary_is_made_leaves_nothing(tmp_path: Path) -> None:
    """A SIGTERM that arrives as the temporary beside -o is being made (before the `with` block
    that would remove it has begun) is held until the temporary is recorded, then removes it."""
    rows = tmp_path / "rows.csv"
    rows.write_text("subject,place,date\nputin,MN,2024-09-03\n")
    program = f"""
import os, signal, sys, tempfile
from icc_travel.cli.main import main
made = tempfile.mkstemp
def stopped_while_made(*args, **kwargs):
    descriptor_and_name = made(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGTERM)
    return descriptor_and_name
tempfile.mkstemp = stopped_while_made
sys.argv = ["icc-travel", "batch", {str(rows)!r}, "--format", "csv", "-o", {str(tmp_path / "out.csv")!r}]
main()
"""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "ICC_TRAVEL_TODAY": "2026-12-06"}
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 143 and "Traceback" not in done.stderr, done.stderr
    assert "terminated" in done.stderr
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.csv.")]
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.dateless
def test_sigterm_removes_the_temporary_output(tmp_path: Path) -> None:
    """`docker stop` sends SIGTERM: the half-written temporary beside -o is removed, as on ^C."""
    import signal
    import time

    rows = tmp_path / "many.csv"
    rows.write_text("subject,place,date\n" + "putin,MN,2024-09-03\n" * 400_000)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    process = subprocess.Popen(
        [COMMAND, "batch", str(rows), "--format", "csv", "-o", str(tmp_path / "out.csv")],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not [p for p in tmp_path.iterdir() if p.name.startswith(".out.csv.")] and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 143 and "Traceback" not in stderr, stderr
    assert "terminated" in stderr
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.csv.")]
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.dateless
def test_sigterm_inside_a_queues_lock_still_ends_the_batch(tmp_path: Path) -> None:
    """A SIGTERM that lands just after multiprocessing's queue has taken its lock in `put`, before
    the `with` block that would release it (as one did in CI), is held until the put is done:
    the batch still ends at once, cleanly, instead of waiting forever on that lock."""
    rows = tmp_path / "rows.csv"
    rows.write_text("subject,place,date\n" + "putin,MN,2024-09-03\n" * 60)
    program = f"""
import os, signal, sys, threading
from icc_travel.cli.main import main
entered = threading.Condition.__enter__
def taken_then_stopped(self):
    taken = entered(self)
    caller = sys._getframe(1)
    queue = caller.f_locals.get("self")
    # a put after the first: the queue has the feeder thread and the finaliser that takes the lock
    if caller.f_code.co_name == "put" and getattr(queue, "_thread", None) is not None:
        threading.Condition.__enter__ = entered  # once
        print("stopped inside put", flush=True)  # (so the test knows it happened)
        os.kill(os.getpid(), signal.SIGTERM)
        (lambda: None)()  # a Python call: where a handler not held back would raise
    return taken
threading.Condition.__enter__ = taken_then_stopped
sys.argv = ["icc-travel", "batch", {str(rows)!r}, "--jobs", "2", "--format", "csv", "-o", {str(tmp_path / "out.csv")!r}]
main()
"""
    env = {
        **os.environ,
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "ICC_TRAVEL_TODAY": "2026-12-06",
        "ICC_TRAVEL_BATCH_CHUNK_ROWS": "5",
    }
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=env, timeout=120)
    assert done.stdout == "stopped inside put\n"
    assert done.returncode == 143, done.stderr
    assert done.stderr.strip().splitlines() == ["icc-travel: terminated"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.csv.")]
    assert not (tmp_path / "out.csv").exists()


STUCK_UNWINDING = """
import sys, threading, time
from pathlib import Path
from icc_travel.cli import stopping
from icc_travel.cli.render import OutputFile
left_taken = threading.Lock()
left_taken.acquire()
with stopping.handled(), OutputFile(Path(sys.argv[1])) as temporary:
    temporary.write_text("half a report")
    try:
        print("writing", flush=True)
        time.sleep(60)
    finally:
        print("unwinding", flush=True)
        left_taken.acquire()  # as a lock an interrupted statement left taken: never given back
"""


@pytest.mark.parametrize("signals", [1, 2])
@pytest.mark.dateless
def test_a_stop_that_cannot_unwind_is_cut_short(tmp_path: Path, signals: int) -> None:
    """However the unwinding hangs, a SIGTERM ends the process: GRACE_S later, or at once when
    sent again; either way the temporary beside -o is removed and the status is 143."""
    import signal

    from icc_travel.cli.stopping import GRACE_S

    target = tmp_path / "report.html"
    process = subprocess.Popen(
        [sys.executable, "-c", STUCK_UNWINDING, str(target)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "writing\n"
    assert [p for p in tmp_path.iterdir() if p.name.startswith(".report.html.")]
    process.send_signal(signal.SIGTERM)
    assert process.stdout.readline() == "unwinding\n"
    if signals == 2:
        # again until it ends: one that lands before the wait on the lock begins is seen only
        # when that wait ends (never, here), as it would be for any blocking call
        deadline = time.monotonic() + GRACE_S - 1
        while process.poll() is None and time.monotonic() < deadline:
            process.send_signal(signal.SIGTERM)
            time.sleep(0.2)
    _, stderr = process.communicate(timeout=GRACE_S + 60)
    assert process.returncode == 143
    why = "told again" if signals == 2 else f"the shutdown took over {GRACE_S:g} s"
    assert stderr.strip().splitlines() == [f"icc-travel: stopped ({why})"]
    assert list(tmp_path.iterdir()) == []


STUCK_AT_EXIT = """
import atexit, sys, threading, time
from icc_travel.cli import stopping
left_taken = threading.Lock()
left_taken.acquire()
atexit.register(left_taken.acquire)  # as a library's exit handler waiting on a lock left taken
try:
    with stopping.handled():
        print("running", flush=True)
        time.sleep(60)
except stopping.Terminated:
    print("terminated", flush=True)
    sys.exit(143)
"""


@pytest.mark.dateless
def test_a_stop_that_hangs_at_the_interpreters_exit_is_cut_short(tmp_path: Path) -> None:
    """The deadline outlives the command: a stopped run whose exit handlers hang still ends."""
    import signal

    from icc_travel.cli.stopping import GRACE_S

    process = subprocess.Popen(
        [sys.executable, "-c", STUCK_AT_EXIT], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "running\n"
    process.send_signal(signal.SIGTERM)
    out, stderr = process.communicate(timeout=GRACE_S + 60)
    assert out == "terminated\n" and process.returncode == 143, stderr
    assert stderr.strip().splitlines() == [f"icc-travel: stopped (the shutdown took over {GRACE_S:g} s)"]


NEVER_SEES_IT = """
import signal, sys, threading, time
from pathlib import Path
from icc_travel.cli import stopping
from icc_travel.cli.render import OutputFile
never = threading.Lock()
never.acquire()
threading.Thread(target=time.sleep, args=(600,), daemon=True).start()  # a thread of a library's
with stopping.handled(), OutputFile(Path(sys.argv[1])) as temporary:
    temporary.write_text("half a report")
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})  # the kernel gives it to that thread
    print("waiting", flush=True)
    never.acquire()  # the main thread never runs Python code again, so never the handler
"""


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads the main thread's state from /proc")
@pytest.mark.dateless
def test_a_signal_the_main_thread_never_sees_still_ends_the_run(tmp_path: Path) -> None:
    """The deadline does not wait for the Python handler: a SIGTERM taken by another thread,
    while the main thread waits on a lock for good, still ends the run GRACE_S later."""
    import signal

    from icc_travel.cli.stopping import GRACE_S

    target = tmp_path / "report.html"
    process = subprocess.Popen(
        [sys.executable, "-c", NEVER_SEES_IT, str(target)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "waiting\n"
    # the signal only once the main thread sleeps in that wait (were it still running Python
    # code, it would run the handler itself)
    main_thread = Path(f"/proc/{process.pid}/task/{process.pid}/stat")
    asleep_since = None
    while asleep_since is None or time.monotonic() - asleep_since < 0.3:
        asleep = main_thread.read_text().rsplit(")", 1)[1].split()[0] == "S"
        asleep_since = (asleep_since or time.monotonic()) if asleep else None
        time.sleep(0.02)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=GRACE_S + 60)
    assert process.returncode == 143, stderr
    assert stderr.strip().splitlines() == [f"icc-travel: stopped (the shutdown took over {GRACE_S:g} s)"]
    assert list(tmp_path.iterdir()) == []


BILLION_LAUGHS = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9) if prev else ', '.join(['x'] * 9)}]\n"
    for prev, name in zip([None, *"abcdefg"], "abcdefgh", strict=True)
)


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (BILLION_LAUGHS + "states: [*h]\n", "aliases of lists and mappings are not accepted"),
        (
            "states:\n- iso3: HUN\n  name: Hungary\n  withdrawl_effective: 2026-06-02\n",
            "unknown field 'withdrawl_effective'; did you mean withdrawal_effective",
        ),
        ("x" * (6 << 20), "too large"),
        ("", "is empty"),
        (
            "states:\n- iso3: HUN\n  name: Hungary\n  deposited: 2001-11-30\n  entry_into_force: 2002-07-01\n"
            '  succession: "false"\n  sources: [https://www.icc-cpi.int/x]\n',
            "succession must be true or false, got 'false'",
        ),
    ],
    ids=["alias bomb", "misspelt field", "over 5 MB", "empty", "text as a flag"],
)
def test_a_bad_facts_file_is_one_line_naming_it(content: str, says: str, tmp_path: Path) -> None:
    facts = tmp_path / "facts.yaml"
    facts.write_text(content)
    done = run(["--facts", str(facts), "check", "putin", "MN@2024-09-03"], tmp_path, timeout=60)
    one_error(done, says)
    assert str(facts) in done.stderr and "states_parties.yaml" not in done.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize(
    "name", ["member_states.geojson", "warrants.yaml", "states_parties.yaml", "sources.yaml", "precedents.yaml"]
)
@pytest.mark.dateless
def test_data_files_that_are_devices_or_fifos_neither_hang_nor_exhaust_memory(name: str, tmp_path: Path) -> None:
    from icc_travel.data import paths

    data = tmp_path / "data"
    shutil.copytree(paths.data_dir(), data)
    (data / name).unlink()
    (data / name).symlink_to("/dev/zero")
    one_error(run(["check", "putin", "MN"], tmp_path, env={"ICC_TRAVEL_DATA": str(data)}, timeout=120), "too large")
    (data / name).unlink()
    os.mkfifo(data / name)
    done = run(["check", "putin", "MN"], tmp_path, env={"ICC_TRAVEL_DATA": str(data)}, timeout=60)
    one_error(done, name)
    for facts in ("/dev/zero", str(data / name)):
        one_error(run(["--facts", facts, "check", "putin", "MN"], tmp_path, timeout=60), facts)


def test_junk_hosts_are_found_as_a_browser_reads_the_url(tmp_path: Path) -> None:
    """A YAML escape, a trailing dot, a userinfo `@` or upper case cannot slip a junk host past."""
    facts = tmp_path / "facts.yaml"
    facts.write_text(
        "precedents: []\nstates:\n- iso3: HUN\n  name: Hungary\n  deposited: 2001-11-30\n"
        "  entry_into_force: 2002-07-01\n  sources:\n"
        '  - "https://\\x61rchyde.com/a"\n  - https://ARCHYDE.com./b\n  - https://icc-cpi.int@archyde.com/c\n'
    )
    done = run(["--facts", str(facts), "data", "validate"], tmp_path)
    junk = [line for line in done.stderr.splitlines() + done.stdout.splitlines() if "is junk" in line]
    assert len(junk) == 3, done.stdout + done.stderr


def test_a_facts_file_that_retiers_a_bundled_host_marks_the_answers(tmp_path: Path) -> None:
    """Tiering a host in `hosts:` changes every answer citing it: those answers say they rest on
    the local file, never silently gaining a tier."""
    from icc_travel.data import store
    from icc_travel.data.sources import TIERS, host

    dataset = store.load()
    mongolia = dataset.by_iso3["MNG"]
    weakest = max(mongolia.sources, key=lambda source: TIERS.index(source.tier))
    facts = tmp_path / "facts.yaml"
    facts.write_text(f"hosts:\n  {host(weakest.url)}: depositary\n")
    plain = json.loads(run(["check", "putin", "MN@2024-09-03", "--format", "json"], tmp_path).stdout)
    local = json.loads(
        run(["--facts", str(facts), "check", "putin", "MN@2024-09-03", "--format", "json"], tmp_path).stdout
    )
    assert not plain["stops"][0].get("local_facts")
    assert local["stops"][0].get("local_facts"), local["stops"][0]


def test_facts_given_twice_is_refused(tmp_path: Path) -> None:
    """The second --facts would silently replace the first."""
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text("precedents: []\n")
    second.write_text("precedents: []\n")
    one_error(run(["--facts", str(first), "--facts", str(second), "check", "putin", "MN"], tmp_path), "merge them")
