"""Options shared by every command, spelled and validated one way (as rasterio's rio does)."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from typing import Any

import click

from icc_travel.dates import parse_date, today
from icc_travel.errors import IccTravelError, shorten

FORMATS = ("table", "json", "csv", "markdown")
# A stop typed as a southern or western coordinate (-26.2,28.0@2023-08-22) starts with a dash;
# click would take it for an option. Such tokens are shielded while click parses, then restored.
NEGATIVE_COORDINATE = r"^-\d+(\.\d+)?\s*,"  # compiled on first use (by re.match): few runs have one
_SHIELD = "\x00"


class FilePath(click.Path):
    """click.Path whose values are pathlib Paths, with `pathlib` imported only when the option is
    given: a check on codes never needs it, and importing it costs that check about 4 ms."""

    def coerce_path_result(self, value: Any) -> Any:
        from pathlib import Path

        return Path(value)


class CoordinateArgsCommand(click.Command):
    """A command whose positional arguments may be coordinates with a leading minus sign."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        shielded, positional_only = [], False
        for arg in args:
            positional_only = positional_only or arg == "--"
            shielded.append(
                _SHIELD + arg if not positional_only and arg[:1] == "-" and re.match(NEGATIVE_COORDINATE, arg) else arg
            )
        return super().parse_args(ctx, shielded)


def unshield(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(value.removeprefix(_SHIELD) for value in values)


class InputFailure(click.ClickException):
    """Bad input: one line on stderr, exit status 2 (1 is reserved for findings)."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"icc-travel: error: {shorten(self.format_message())}", err=True)


def reports_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn library errors into InputFailure so no traceback ever reaches the user."""
    import functools

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except IccTravelError as error:
            raise InputFailure(str(error)) from None

    return wrapper


def _date_callback(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date:
    try:
        return today() if value is None else parse_date(value, what=f"--{param.name}")
    except IccTravelError as error:
        raise InputFailure(str(error)) from None


def on_date(help: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--on, validated one way everywhere, with a help text true for the command it is on."""
    return click.option("--on", "on", metavar="YYYY-MM-DD", callback=_date_callback, help=help)


on_option = on_date("Date for stops without their own @DATE (default: today).")


def _optional_date_callback(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    return None if value is None else _date_callback(ctx, param, value)


def date_option(flag: str, *, help: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """An optional date (no default), validated like --on."""
    return click.option(flag, metavar="YYYY-MM-DD", callback=_optional_date_callback, help=help)


FORMAT_HELP = {
    "table": "table (rich on a terminal, plain text when piped)",
    "json": "json",
    "jsonl": "jsonl (one row per line)",
    "csv": "csv",
    "markdown": "markdown",
    "github": "github (workflow annotations)",
    "geojson": "geojson (stops as points, legs as lines)",
    "ftm": "ftm (FollowTheMoney entities, needs icc-travel[ftm])",
}
FORMAT_ENV = "ICC_TRAVEL_FORMAT"


def _format_callback(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    """--format, else $ICC_TRAVEL_<COMMAND>_FORMAT, else $ICC_TRAVEL_FORMAT when this command has
    that format (a default set for `check` must not break `data info`), else the first choice."""
    import os

    choices = param.type.choices  # type: ignore[attr-defined]
    if value is not None:
        return value.lower()
    own = "ICC_TRAVEL_" + "_".join(ctx.command_path.upper().split()[1:]) + "_FORMAT"
    if os.environ.get(own):
        chosen = os.environ[own].lower()
        if chosen not in choices:
            raise InputFailure(f"${own}={os.environ[own]!r}: this command's formats are {', '.join(choices)}")
        return chosen
    shared = os.environ.get(FORMAT_ENV, "").lower()
    if shared and shared not in FORMAT_HELP:
        raise InputFailure(f"${FORMAT_ENV}={os.environ[FORMAT_ENV]!r} is not a '--format' of any command")
    return shared if shared in choices else choices[0]


def format_option(choices: tuple[str, ...] = FORMATS) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices, case_sensitive=False),
        default=None,
        callback=_format_callback,
        help=f"Output format: {', '.join(FORMAT_HELP[c] for c in choices)}. Default {choices[0]}, or "
        f"$ICC_TRAVEL_<COMMAND>_FORMAT, or ${FORMAT_ENV} when this command has it.",
    )


def fail_on_option(command: Callable[..., Any]) -> Callable[..., Any]:
    from icc_travel.law import LEVELS

    choices = (*tuple(level for level in LEVELS if level != "none"), "never")
    return click.option(
        "--fail-on",
        type=click.Choice(choices),
        default="arrest",
        show_default=True,
        envvar="ICC_TRAVEL_FAIL_ON",
        help="Exit with status 1 when a stop reaches this level.",
    )(command)


no_legs_option = click.option(
    "--no-legs", is_flag=True, help="Do not measure the great-circle legs between stops with coordinates."
)


# --- subjects, places, files: each defined once, with completion where a shell can offer it ---


def complete_subject(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """Subject ids for shell completion (the dataset is cached, so this stays quick)."""
    from click.shell_completion import CompletionItem

    from icc_travel.cli.context import load

    try:
        subjects = load().subjects
    except IccTravelError:
        return []
    return [CompletionItem(s.id, help=s.name) for s in subjects if s.id.startswith(incomplete.lower())]


def complete_state(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    from click.shell_completion import CompletionItem

    from icc_travel.cli.context import load

    try:
        states = [t for t in load().territories if t.territory is None]
    except IccTravelError:
        return []
    return [CompletionItem(t.iso3, help=t.name) for t in states if t.iso3.startswith(incomplete.upper())]


def subject_argument(name: str = "subject", *, required: bool = True) -> Callable[..., Any]:
    return click.argument(name, required=required, shell_complete=complete_subject)


def subject_option(*, required: bool = False, multiple: bool = False) -> Callable[..., Any]:
    return click.option(
        "--subject",
        "subject_names" if multiple else "subject_name",
        required=required,
        multiple=multiple,
        metavar="S",
        shell_complete=complete_subject,
        help="Subject id, name or alias" + ("; repeatable." if multiple else "."),
    )


def state_option(help: str = "A state as code or name.") -> Callable[..., Any]:
    return click.option("--state", "state", metavar="PLACE", shell_complete=complete_state, help=help)


def state_argument(name: str = "name") -> Callable[..., Any]:
    return click.argument(name, shell_complete=complete_state)


def itinerary_option(help: str) -> Callable[..., Any]:
    return click.option("--itinerary", type=FilePath(dir_okay=True), help=help)


def track_files_option(help: str) -> Callable[..., Any]:
    """`--track FILE`, repeatable: recorded tracks in any format `track` reads."""
    return click.option("--track", "track_files", multiple=True, type=FilePath(), metavar="FILE", help=help)


MAX_GAP_MINUTES = 7 * 24 * 60


def _finite_gap(ctx: click.Context, param: click.Parameter, value: float) -> float:
    """NaN passes click's FloatRange (every comparison with it is false): refused here, as is
    anything past a week."""
    import math

    if not math.isfinite(value) or not 0.5 <= value <= MAX_GAP_MINUTES:
        raise click.BadParameter(f"{value!r} is not a number of minutes from 0.5 to {MAX_GAP_MINUTES:,}")
    return value


def gap_option(help: str) -> Callable[..., Any]:
    """`--gap MINUTES`: fixes further apart than this are a gap (track and screen)."""
    return click.option(
        "--gap", type=float, default=10.0, show_default=True, metavar="MINUTES", callback=_finite_gap, help=help
    )


trust_positions_option = click.option(
    "--trust-positions",
    is_flag=True,
    help="Count every position as flown and every on-ground flag as recorded: no quality filter "
    "(positions that jump at impossible speeds or drift at cruise altitude, as GNSS spoofing makes "
    "them, are otherwise left out and the stretch is a gap whose crossings are inferred; a fix flagged "
    "on the ground mid-flight, or airborne where the aircraft stood, is otherwise read the other way).",
)


def output_option(
    *, inputs: tuple[str, ...] = (), required: bool = False, help: str = "Write here instead of stdout."
) -> Callable[..., Any]:
    """`-o FILE`, refused before the command starts when it names one of the command's inputs (the
    parameters named in `inputs`, each a path, a list of paths or `-`) or lies in an input folder:
    every command that writes a file gets the same guard by declaring its inputs here."""
    option = click.option("-o", "--output", type=FilePath(dir_okay=False), required=required, help=help)

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(command)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            from pathlib import Path

            from icc_travel.cli.render import refuse_overwriting_inputs

            named: list[Any] = []
            for name in inputs:
                value = kwargs.get(name)
                named += list(value) if isinstance(value, list | tuple) else [value]
            try:
                refuse_overwriting_inputs(kwargs.get("output"), [Path(v) for v in named if v is not None and v != "-"])
            except IccTravelError as error:
                raise InputFailure(str(error)) from None
            return command(*args, **kwargs)

        return option(guarded if inputs else command)

    return decorate


def _seconds_callback(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    """A finite, non-negative number of seconds (NaN passes click's FloatRange)."""
    import math

    if value is None:
        return None
    if not math.isfinite(value) or value < 0 or value > 10 * 365 * 86400:
        raise click.BadParameter(f"{value!r} is not a number of seconds from 0 to ten years")
    return value


def seconds_option(flag: str, *, default: float | None, help: str) -> Callable[..., Any]:
    """A duration in seconds (`--cooldown`, `--silence`, `--duration` ...), validated one way."""
    return click.option(
        flag,
        type=float,
        default=default,
        show_default=default is not None,
        metavar="SECONDS",
        callback=_seconds_callback,
        help=help,
    )


def min_level_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """`--min-level`: leave out what is below this level (the levels `--fail-on` names)."""
    from icc_travel.law import LEVELS

    return click.option(
        "--min-level",
        type=click.Choice(tuple(LEVELS)),
        default="none",
        show_default=True,
        help="Leave out territory events whose obligation is below this level.",
    )(command)


JOBS_ENV = "ICC_TRAVEL_JOBS"
JOBS_CAP = 4  # processes `auto` starts at most: past that, writing the output is the limit


def usable_cores() -> int:
    """The cores this process may run on (its affinity, as a CI runner's cgroup sets it)."""
    import os

    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _jobs_callback(ctx: click.Context, param: click.Parameter, value: str | None) -> int:
    """`auto` (the default): the usable cores, at most JOBS_CAP; a number: that many, at most the
    usable cores (more workers than cores only take turns)."""
    text = (value or "auto").strip().lower()
    if text == "auto":
        return max(1, min(usable_cores(), JOBS_CAP))
    if not text.isdigit() or int(text) < 1:
        raise click.BadParameter(f"{value!r} is not a number of processes (1 or more) or 'auto'")
    return min(int(text), usable_cores())


jobs_option = click.option(
    "--jobs",
    "-j",
    metavar="N|auto",
    default=None,
    envvar=JOBS_ENV,
    callback=_jobs_callback,
    help="Processes that check chunks side by side (1: all in this one), at most the usable cores. "
    "Default auto ($ICC_TRAVEL_JOBS): the usable cores, at most 4, for an input over 1.6 MB (a "
    "chunk of 50,000 short rows) or a pipe. The output is the same whatever N.",
)
