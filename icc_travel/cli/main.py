"""The `icc-travel` command group. Each subcommand lives in its own module, imported on use."""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from typing import Any, NoReturn

import click

from icc_travel import __version__
from icc_travel.cli.context import RunContext
from icc_travel.errors import shorten
from icc_travel.vocabulary import ExitStatus

# name -> "module:attribute"; loading lazily keeps `check` from importing the other commands.
COMMANDS = {
    "check": "icc_travel.cli.check_cmd:check",
    "batch": "icc_travel.cli.batch_cmd:batch",
    "table": "icc_travel.cli.table_cmd:table",
    "states": "icc_travel.cli.states_cmd:states",
    "state": "icc_travel.cli.states_cmd:state",
    "subjects": "icc_travel.cli.subjects_cmd:subjects",
    "subject": "icc_travel.cli.subjects_cmd:subject",
    "precedents": "icc_travel.cli.precedents_cmd:precedents",
    "track": "icc_travel.cli.track_cmd:track",
    "screen": "icc_travel.cli.screen_cmd:screen",
    "watch": "icc_travel.cli.watch_cmd:watch",
    "map": "icc_travel.cli.map_cmd:map_command",
    "report": "icc_travel.cli.report_cmd:report",
    "data": "icc_travel.cli.data_cmd:data",
}


def _describe_data(run: RunContext) -> None:
    """A cache folder that was not used (always), and with -v where the answers' data came from."""
    from icc_travel.data import paths

    unused = paths.cache_warnings()
    if unused:
        from icc_travel.text import printable

        run.warnings.extend(f"icc-travel: warning: {printable(line)}" for line in unused)
    if run.verbosity <= 0:
        return
    from icc_travel.data import store

    local = run.facts_file()
    extra = f"; local facts from {local}" if local else ""
    line = f"icc-travel: data from {paths.data_dir()}, as of {store.load(facts=local).as_of}{extra}"
    if line not in run.warnings:
        run.warnings.append(line)


def _silence_stdout() -> None:
    """Nothing more can reach standard output; keep Python's exit from trying again."""
    with contextlib.suppress(OSError, AttributeError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _escape_what_cannot_be_encoded() -> None:
    """Under PYTHONIOENCODING=ascii or a non-UTF-8 locale (LANG=C on an old system, a Windows
    code page), text the stream cannot encode (a name in Cyrillic, a dash) is written as
    backslash escapes instead of ending the run with UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
        if stream is None or encoding == "utf8" or not hasattr(stream, "reconfigure"):
            continue
        with contextlib.suppress(ValueError, OSError, AttributeError):
            stream.reconfigure(errors="backslashreplace")


def _stopped(how: str, status: int) -> NoReturn:
    """A run stopped by SIGTERM or ^C, once it has unwound: the temporaries of its unfinished -o
    files removed, one line, the status a shell reports for the signal."""
    from icc_travel.cli import stopping

    stopping.remove_unfinished()
    click.echo(f"icc-travel: {how}", err=True)
    sys.exit(status)


class _ClosedPipe(Exception):
    """Standard output's reader went away."""


class LazyGroup(click.Group):
    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        """Every failure ends as one line on stderr (click's usage errors, normally a usage
        block plus a message; an interrupt), or silently with status 141 for a closed pipe."""
        from icc_travel.cli.render import OutputClosed, flush_warnings

        _escape_what_cannot_be_encoded()
        # this invocation's settings and warnings: never the last one's (tests run many in a process)
        run = kwargs.setdefault("obj", RunContext())
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        from icc_travel.cli import stopping

        try:
            with stopping.handled():
                status = super().main(*args, standalone_mode=False, **kwargs)
        except stopping.Terminated:
            _stopped("terminated", ExitStatus.TERMINATED)  # as a shell reports SIGTERM
        except SystemExit as done:  # a command's own status (1: reached --fail-on; 2: error rows)
            _describe_data(run)
            flush_warnings(run, show=True)
            raise done from None
        except click.UsageError as error:
            if error.ctx is not None and type(error).__name__ == "NoArgsIsHelpError":
                click.echo(error.ctx.get_help())  # a bare `icc-travel` (or `icc-travel data`): help, legibly
                sys.exit(ExitStatus.OK)
            hint = f" See '{error.ctx.command_path} --help'." if error.ctx is not None else ""
            message = shorten(error.format_message())
            message += "" if message.endswith((".", "?", "!")) else "."
            click.echo(f"icc-travel: error: {message}{hint}", err=True)
            sys.exit(ExitStatus.BAD_INPUT)
        except click.ClickException as error:
            error.show()
            sys.exit(error.exit_code)
        except OutputClosed as error:
            click.echo(f"icc-travel: error: {error}", err=True)
            sys.exit(ExitStatus.BAD_INPUT)
        except (click.Abort, KeyboardInterrupt, EOFError):
            _stopped("interrupted", ExitStatus.INTERRUPTED)
        except OSError as error:  # standard output on a full disk, or gone
            _silence_stdout()
            click.echo(f"icc-travel: error: cannot write the output: {error.strerror or error}", err=True)
            sys.exit(ExitStatus.BAD_INPUT)
        except _ClosedPipe:
            # the reader (e.g. `head`) left: stop quietly, and keep Python from complaining at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(ExitStatus.BROKEN_PIPE)  # as a shell reports SIGPIPE: not 1, which means "reached --fail-on"
        _describe_data(run)
        flush_warnings(run, show=True)
        sys.exit(status if isinstance(status, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:  # click would turn it into a bare exit status 1
            raise _ClosedPipe from None

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[Any, Any, list[str]]:
        name = args[0] if args else ""
        built_in = name in COMMANDS or name in self._eager  # the entry points are read only otherwise
        if name and not name.startswith("-") and not built_in and name not in (known := self.list_commands(ctx)):
            from icc_travel.text import suggest

            close = suggest(name, known)
            hint = f"; did you mean: {', '.join(close)}?" if close else f"; commands: {', '.join(known)}"
            raise click.UsageError(f"unknown command {name!r}{hint}", ctx)
        return super().resolve_command(ctx, args)

    # Commands come from three places, all loaded only when run: the built-in table above,
    # commands added the normal click way (@cli.command(), cli.add_command), and other packages'
    # entry points in the group `icc_travel.commands`.
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(dict.fromkeys([*COMMANDS, *self._eager, *_plugins()]))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self._eager:
            return self._eager[cmd_name]
        target = COMMANDS.get(cmd_name)
        if target is not None:
            module, attribute = target.split(":")
            return getattr(importlib.import_module(module), attribute)
        plugin = _plugins().get(cmd_name)
        return _load_plugin(plugin) if plugin is not None else None

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        name = name or cmd.name
        if name is None:
            raise TypeError("Command has no name.")
        self._eager[name] = cmd

    @property
    def _eager(self) -> dict[str, click.Command]:
        return self.__dict__.setdefault("_added", {})

    @property
    def commands(self) -> dict[str, click.Command]:  # type: ignore[override]
        context = click.Context(self)
        return {name: command for name in self.list_commands(context) if (command := self.get_command(context, name))}

    @commands.setter
    def commands(self, value: dict[str, click.Command]) -> None:
        self._eager.update(value)  # click.Group.__init__ and add_command write here


def _plugins() -> dict[str, Any]:
    """Entry points in the group `icc_travel.commands` (read only when a name is not built in)."""
    from importlib.metadata import entry_points

    return {point.name: point for point in entry_points(group="icc_travel.commands")}


def _load_plugin(point: Any) -> click.Command:
    """A plugin's command, or a stand-in that says why it cannot run (as rio's BrokenCommand does):
    one broken package must not take `--help`, shell completion or the other commands with it."""
    try:
        command = point.load()
    except Exception as error:  # a plugin can fail to import in any way at all
        return _broken(point, f"{type(error).__name__}: {error}")
    if not isinstance(command, click.Command):
        return _broken(point, f"{point.value} is not a click command")
    return command


def _broken(point: Any, why: str) -> click.Command:
    reason = shorten(why, 200)

    def refuse() -> None:
        click.echo(
            f"icc-travel: error: the plugin command {point.name!r} ({point.value}) cannot be loaded: {reason}", err=True
        )
        sys.exit(ExitStatus.BAD_INPUT)

    return click.Command(
        point.name,
        callback=refuse,
        help=f"Broken plugin: {reason}",
        short_help=f"(broken plugin: {shorten(why, 60)})",
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    )


def _print_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """`--version` names the data's as-of date too: an answer is only as current as its data."""
    if not value or ctx.resilient_parsing:
        return
    from icc_travel.cli.context import load
    from icc_travel.errors import IccTravelError

    try:
        as_of = f"data as of {load().as_of}"
    except IccTravelError:
        as_of = "data unavailable (run 'icc-travel data validate')"
    click.echo(f"icc-travel {__version__}, {as_of}")
    ctx.exit()


def _verbosity_callback(ctx: click.Context, param: click.Parameter, value: int) -> None:
    from icc_travel.cli.render import set_verbosity

    if value:
        set_verbosity(-1 if param.name == "quiet" else value)


def _facts_callback(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> None:
    """--facts names the run's local facts file (over $ICC_TRAVEL_FACTS), on the run's context. Given twice, it is
    refused: the second would silently replace the first, and answers would rest on half the facts
    the user meant."""
    from icc_travel.cli.context import run_context

    if len(value) > 1:
        raise click.BadParameter(f"given {len(value)} times ({', '.join(value)}): merge them into one file")
    if value:
        from pathlib import Path

        run_context().facts = Path(value[0])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and the data's as-of date, then exit.",
)
@click.option(
    "--facts",
    metavar="FILE",
    multiple=True,
    callback=_facts_callback,
    expose_value=False,
    is_eager=True,
    help="A local facts file (YAML) merged over the bundled data, validated like it; answers that rest "
    "on its records say so. Also $ICC_TRAVEL_FACTS.",
)
@click.option(
    "-q",
    "--quiet",
    count=True,
    expose_value=False,
    callback=_verbosity_callback,
    help="No warnings, progress bars or summary lines on stderr (errors still show).",
)
@click.option(
    "-v",
    "--verbose",
    count=True,
    expose_value=False,
    callback=_verbosity_callback,
    help="Also say on stderr which data (and local facts file) answered.",
)
def cli() -> None:
    """Which stops of a trip carry an obligation to arrest a person wanted by the ICC.

    \b
    Example:
      icc-travel check putin MN@2024-09-03
      icc-travel --facts newsroom.yaml check putin NE@2027-07-01
    """


def main() -> None:
    """The command as click runs it: it ends by raising SystemExit, which a caller in the same
    process may catch (the installed command is `run`)."""
    cli(prog_name="icc-travel")


def run() -> NoReturn:
    """The installed command and `python -m icc_travel`: `main`, and once the run is over and the
    exit handlers have run, the process ends without the interpreter's teardown, which frees
    every module and object one by one and writes nothing: it took 7-10 ms after a `check` of
    50 ms, and 60-70 ms after a Dask `screen`. Every output file is closed by then (written
    whole and moved into place) and the standard streams are flushed here; with another
    (non-daemon) thread still running, or a status that is not a number, Python's own way out
    is taken."""
    try:
        main()
        status: Any = 0
    except SystemExit as done:
        status = 0 if done.code is None else done.code
    if not isinstance(status, int) or _other_threads():
        sys.exit(status)
    _leave(status)


def _other_threads() -> bool:
    """Whether a thread Python's exit would wait for is alive (not this one, not a daemon)."""
    import threading

    main_thread = threading.main_thread()
    return any(
        thread is not main_thread and not thread.daemon and thread.is_alive() for thread in threading.enumerate()
    )


def _leave(status: int) -> NoReturn:
    """The exit handlers (temporary folders, worker processes, a Dask cluster's, the private cache
    folder's) and the streams' flush, as Python's exit would do them, then the end. A run that
    stopped on an error or a signal first collects its garbage: a file it left open (the GitHub
    step summary when the output failed) is closed, and flushed, as Python's exit would."""
    import atexit

    if status not in (ExitStatus.OK, ExitStatus.REACHED):
        import gc

        gc.collect()
    atexit._run_exitfuncs()  # the handlers Python's exit would run, in its order
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            if stream is sys.stdout:  # the output's last bytes are lost: as Python's exit, say so
                _silence_stdout()
                with contextlib.suppress(OSError, ValueError):
                    click.echo("icc-travel: error: cannot write the output", err=True)
                    sys.stderr.flush()
                status = ExitStatus.BAD_INPUT
    os._exit(status)
