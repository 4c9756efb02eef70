"""What every command shares: exit codes, the one-line error handling, progress on stderr, -q/-v, names.

Kept apart from `cli/__init__.py` so command modules can import them without importing the CLI (which registers the
command modules).

Exit codes (the same for every command, listed in `sendsim --help` and the README):
  0 success; 1 the environment failed (disk full, permission denied, read-only folder, an internal error);
  2 bad input (a file, a flag value: one line per problem naming file, line, field and what is allowed; nothing
  written); 3 `backtest`: the run worked but targets were missed; 130 / 143 interrupted by SIGINT / SIGTERM (the
  message says how to resume); 141 the output's reader went away (`| head -1`), said nothing.

Why this module is long: the group's one error contract is one class (`SafeGroup`: click's usage errors, an
option of one value given twice, a command missing, a closed pipe, an interruption, an internal error, each one
line and its exit code), and the parameter types and helpers every command shares sit beside it; split, each
command would import the pieces from several modules for one contract.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import difflib
import errno
import math
import os
import re
import shlex
import signal
import sys
import time
import traceback
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NoReturn

import click

from ..schema.files import InputError
from ..schema.scenario import MAX_REPLICATIONS as MAX_REPLICATIONS  # -n's bound is the file's `replications:`
from ..schema.text import thousands_point

EXIT_OK, EXIT_ENVIRONMENT, EXIT_BAD_INPUT, EXIT_TARGETS_MISSED = 0, 1, 2, 3
# the reader of the output went away (`sendsim rules show X | head -1`): 128 + SIGPIPE, as a Unix tool the signal
# ends reports it (`yes | head -1`), without a word; it exited 1, the code of a failed environment
EXIT_BROKEN_PIPE = 128 + 13


def broken_pipe() -> None:
    """End quietly after the reader closed the pipe: standard output points at /dev/null first, so the interpreter's
    last flush at exit finds no pipe to fail on (it printed "Exception ignored ... BrokenPipeError" otherwise)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file behind sys.stdout (a test's runner): nothing to flush at exit
        pass
    sys.exit(EXIT_BROKEN_PIPE)
MAX_WORKERS = 512  # processes: beyond this a machine thrashes (results never depend on the number)
WARN_REPLICATIONS = 1000  # above this, a warning: a national replication takes minutes

_state: dict[str, Any] = {"verbosity": 0, "resume": None}


MAX_SEED = 2**63 - 1  # seeds are 64-bit keys of the random streams


class IsoDate(click.ParamType):
    """A date flag, YYYY-MM-DD, as a datetime at midnight (what click.DateTime gave): a day that does not exist
    (2019-02-29) is said so, where click.DateTime said the right format "does not match the format"."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return value
        text = str(value).strip()
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            self.fail(f"{value!r} is not a date (allowed: YYYY-MM-DD, e.g. 2019-09-01)", param, ctx)
        try:
            return dt.datetime.strptime(text, "%Y-%m-%d")
        except ValueError:
            self.fail(f"{text} is not a date that exists (allowed: a real day, YYYY-MM-DD)", param, ctx)


SCENARIO_ALLOWED = "a scenario file or a shipped scenario's name, e.g. small_la or scenarios/small_la.yaml"
TARGETS_ALLOWED = "a targets CSV or YAML file, e.g. scenarios/targets/small_la.csv"


def _cwd_gone() -> bool:
    """Whether the current folder was deleted under the command (os.getcwd fails): a relative path then fails
    with "No such file or directory" and no file name."""
    try:
        os.getcwd()
    except FileNotFoundError:
        return True
    return False


class InputPath(click.Path):
    """A file or folder the command reads: an empty name ('' from a script's unset variable, `sendsim run "$SC"`) is
    said so; it was read as the current folder, "'.': is a folder, not a file (allowed: ..., e.g. <any YAML file there>)"
    (eighth held-out round)."""

    def __init__(self, allowed: str):
        super().__init__(path_type=Path)
        self.allowed = allowed

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value.strip():
            self.fail(f"an empty name (allowed: {self.allowed})", param, ctx)
        return super().convert(value, param, ctx)


class NonEmpty(click.ParamType):
    """A name or a path kept as text (`case-study --scenario`): an empty one is said so, as InputPath says it."""

    name = "text"

    def __init__(self, allowed: str):
        self.allowed = allowed

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value.strip():
            self.fail(f"an empty name (allowed: {self.allowed})", param, ctx)
        return value


class CountText(click.ParamType):
    """A count typed as a number ("1200", "1200.0"): "1.200" (thousands grouped by a point) is refused, not read as
    1.2 (eighth held-out round); the range is the builder's to check, as before."""

    name = "float"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        if isinstance(value, float):
            return value
        if thousands_point(str(value)):
            self.fail(f"{value!r} groups thousands with a point (allowed: a number without one, e.g. 1200; a point "
                      "is a decimal point)", param, ctx)
        try:
            return float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number (allowed: e.g. 1200)", param, ctx)


class PercentText(click.ParamType):
    """A percentage flag: "25" or "25%" (the web page's figures take the sign, as a figure copied from a published
    table carries it; the flag said "'20%' is not a valid float", eighth held-out round); the range is checked after."""

    name = "float"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        if isinstance(value, float):
            return value
        text = str(value).strip()
        try:
            return float(text[:-1].strip() if text.endswith("%") else text)
        except ValueError:
            self.fail(f"{value!r} is not a percentage (allowed: a number from 0 to 100, e.g. 25 or 25%)", param, ctx)


class FiniteFloat(click.ParamType):
    """A number flag: finite and within [lo, hi] (click's float and FloatRange accept nan and inf)."""

    name = "number"

    def __init__(self, lo: float, hi: float):
        self.lo, self.hi = lo, hi

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        try:
            x = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number (allowed: {self.lo:g} to {self.hi:g})", param, ctx)
        if not (math.isfinite(x) and self.lo <= x <= self.hi):
            self.fail(f"{value} is out of range (allowed: a finite number from {self.lo:g} to {self.hi:g})", param,
                      ctx)
        return x


def one_line(text: str) -> str:
    """A message as one line: a control character a user's input brought in (a newline in a file name, a carriage
    return in a field) written as its escape (`\\n`), so every problem stays one line that names its file."""
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)


def fail(e: InputError) -> NoReturn:
    """Bad input: one line per problem on stderr, exit code 2."""
    for line in e.lines:
        click.echo(f"error: {one_line(line)}", err=True)
    sys.exit(EXIT_BAD_INPUT)


def progress(msg: str) -> None:
    """A progress line on stderr (never stdout, which carries results), unless -q."""
    if _state["verbosity"] >= 0:
        click.echo(f"[{time.strftime('%H:%M:%S')}] {msg}", err=True)


def warn(msg: str) -> None:
    """A warning on stderr (shown even with -q)."""
    click.echo(f"warning: {msg}", err=True)


def verbose() -> bool:
    return _state["verbosity"] > 0


def warn_replications(n: int) -> None:
    if n > WARN_REPLICATIONS:
        warn(f"{n:,} replications (more than {WARN_REPLICATIONS:,}): this may take a long time; results stabilise "
             "well before (see the 95% intervals)")


def default_workers() -> int:
    """`--workers` by default: the CPUs this process may use (results never depend on it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def set_resume_hint(out: object, kept: str = "complete replications are kept") -> None:
    """Remember how to resume the command now running into `out` (printed, whole, if it is interrupted)."""
    args = [a for a in _state.get("argv", sys.argv[1:]) if a not in ("--force", "--resume")]
    if "--out" not in args and not any(a.startswith("--out=") for a in args):
        args += ["--out", str(out)]
    _state["resume"] = "sendsim " + shlex.join([*args, "--resume"])
    _state["kept"] = kept


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """' (did you mean X?)' for the closest names, or ''."""
    close = difflib.get_close_matches(name, list(choices), n=3, cutoff=0.6)
    lower = [c for c in choices if c.lower() == name.lower() or name.lower() in c.lower()]
    close = list(dict.fromkeys([*close, *lower[:3]]))[:3]
    return f" (did you mean {' or '.join(close)}?)" if close else ""


def _set_verbosity(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        given = ctx.meta.setdefault("sendsim.verbosity", param.name)  # the group's and the command's share `meta`
        if given != param.name:  # both given: the later one silently won
            raise click.UsageError("-q/--quiet and -v/--verbose were both given (allowed: one of them)", ctx)
        _state["verbosity"] = -1 if param.name == "quiet" else 1


def verbosity_options() -> list[click.Option]:
    """-q/--quiet and -v/--verbose, added to every command (and the group) by the CLI."""
    return [click.Option(["-q", "--quiet"], is_flag=True, expose_value=False, callback=_set_verbosity,
                         is_eager=True, help="No progress lines (results and errors only)."),
            click.Option(["-v", "--verbose"], is_flag=True, expose_value=False, callback=_set_verbosity,
                         is_eager=True, help="More detail (a traceback for an internal error).")]


def repeated_option(cmd: click.Command, args: list[str], ctx: click.Context) -> None:
    """Refuse (a usage error: one line, exit 2) an option of `cmd` that takes one value and is given twice in `args`.
    Options given more than once on purpose (`--rules A --rules B`) and flags are not counted."""
    single = {o: p for p in cmd.params if isinstance(p, click.Option) and not p.multiple and not p.count
              and not p.is_flag for o in (*p.opts, *p.secondary_opts)}
    seen: dict[click.Parameter, list[str]] = {}
    i = 0
    while i < len(args):
        tok = args[i]
        if tok == "--":
            break
        opt, value = tok, None
        if tok.startswith("--") and "=" in tok:
            opt, value = tok.split("=", 1)
        elif tok.startswith("-") and not tok.startswith("--") and len(tok) > 2 and tok[:2] in single:
            opt, value = tok[:2], tok[2:]  # "-n5"
        p = single.get(opt)
        if p is not None:
            if value is None:
                i += 1
                value = args[i] if i < len(args) else ""
            got = seen.setdefault(p, [])
            got.append(value)
            if len(got) == 2:
                names = "/".join(p.opts)
                raise click.UsageError(f"{names} given twice ({got[0]} and {got[1]}; allowed: once, as the one value "
                                       "wanted)", ctx)
        i += 1


class SafeGroup(click.Group):
    """The `sendsim` group: every failure becomes one line and a documented exit code, never a traceback."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        """Click's own usage errors (a bad flag value, an unknown or missing option) as one line, exit 2: click
        prints four (usage, a hint, a blank line, the error), where every other bad input is one line naming the
        field and what is allowed."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, False, **extra)
        except BrokenPipeError:  # `sendsim --help | head -1`: the help is written here, not in a command
            broken_pipe()
        except click.exceptions.NoArgsIsHelpError as e:  # `sendsim` alone: one line naming the commands, exit 2,
            # as a missing argument of a command is said (`sendsim run`); it printed the 30 lines of the help
            group = e.ctx.command if e.ctx is not None and isinstance(e.ctx.command, click.Group) else self
            where = " ".join(["sendsim", *(e.ctx.command_path.split(" ")[1:] if group is not self and e.ctx else [])])
            names = ", ".join(group.list_commands(e.ctx)) if e.ctx is not None else ""
            click.echo(f"error: no command given (allowed: one of {names}; see `{where} --help`)", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except click.UsageError as e:
            sub = e.ctx.command_path.split(" ")[1:] if e.ctx is not None else []  # the root by its installed name
            where = " ".join(["sendsim", *sub])
            msg = one_line(" ".join(e.format_message().split()))
            hint = f" (see `{where} --help`)" if "allowed:" in msg else f" (allowed: see `{where} --help`)"
            click.echo(f"error: {msg}{hint}", err=True)
            sys.exit(e.exit_code)
        except click.ClickException as e:
            e.show()
            sys.exit(e.exit_code)
        except click.exceptions.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None,
                                                                          list[str]]:
        """The command, after checking that no option taking one value is given twice: click keeps the last
        (`-n 2 -n 50` ran 50 replications without a word), where a value given twice is more likely a mistake."""
        name, cmd, rest = super().resolve_command(ctx, args)
        if cmd is not None:  # the error's context the command's, so its hint names `sendsim COMMAND --help`
            repeated_option(cmd, rest, click.Context(cmd, info_name=name, parent=ctx))
        return name, cmd, rest

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        # each invocation starts afresh (tests invoke many in one process); its arguments, for the resume hint
        _state.update(verbosity=0, resume=None, kept=None, argv=list(args))
        return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        from ..analysis.runs import runner

        runner.interrupt_on_sigterm()
        if signal.getsignal(signal.SIGINT) not in (signal.SIG_IGN, None):  # Ctrl-C is KeyboardInterrupt again (the
            signal.signal(signal.SIGINT, _ctrl_c)  # loading handler's quiet exit ends here), its arrival noted
        _state["signal"] = 0
        runner.LAST_SIGNAL = 0
        try:
            return super().invoke(ctx)
        except InputError as e:
            fail(e)
        except KeyboardInterrupt as e:
            signum = getattr(e, "signum", 2)
            kept = _state.get("kept") or "complete replications are kept"
            click.echo(f"\ninterrupted ({'Ctrl-C' if signum == 2 else signal.Signals(signum).name}): "
                       + (f"{kept}; resume with: {_state['resume']}" if _state["resume"]
                          else "nothing was kept; run the same command again"),
                       err=True)
            _exit_now(128 + signum)
        except BrokenPipeError:  # the reader went away (e.g. `| head`): nothing more to say
            broken_pipe()
        except OSError as e:
            if e.errno == errno.ENAMETOOLONG:  # a name the user gave (--out, a file): bad input, not the disk
                click.echo("error: a file or folder name is longer than the file system allows (allowed: at most "
                           "255 bytes per name; check --out and the files named)", err=True)
                sys.exit(EXIT_BAD_INPUT)
            where = f"{one_line(str(e.filename))}: " if e.filename else ""
            if not where and e.errno == errno.ENOENT and _cwd_gone():  # named nothing (eighth held-out round)
                where = "the current folder no longer exists (deleted or moved since this shell entered it; cd to a folder that exists): "
            click.echo(f"error: {where}{e.strerror or e} (the environment: disk space, permissions, a read-only "
                       "folder)", err=True)
            sys.exit(EXIT_ENVIRONMENT)
        except MemoryError:
            click.echo("error: out of memory (try fewer --workers or a shorter --until)", err=True)
            sys.exit(EXIT_ENVIRONMENT)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort, SystemExit):
            raise
        except Exception as e:  # a bug: one line, the traceback only with -v
            signum = _state.get("signal") or runner.LAST_SIGNAL
            if signum:  # a library turned the interruption into another error (matplotlib's "Invalid bounding box"
                kept = _state.get("kept") or "complete replications are kept"  # after a SIGTERM inside a draw)
                click.echo(f"\ninterrupted ({'Ctrl-C' if signum == 2 else signal.Signals(signum).name}): "
                           + (f"{kept}; resume with: {_state['resume']}" if _state["resume"]
                              else "nothing was kept; run the same command again"), err=True)
                _exit_now(128 + signum)
            if verbose():
                traceback.print_exc()
            first = one_line((str(e).splitlines() or [""])[0][:200])
            click.echo(f"error: internal error ({type(e).__name__}: {first}); please report it (-v shows the "
                       "traceback)", err=True)
            sys.exit(EXIT_ENVIRONMENT)


def _ctrl_c(signum: int, _frame: object) -> None:
    """Ctrl-C during a command: KeyboardInterrupt, as Python's own handler, with its arrival noted (a library that
    turns it into another error is then still reported as an interruption)."""
    _state["signal"] = signum
    raise KeyboardInterrupt


def _exit_now(code: int) -> None:
    """Leave at once after an interruption, skipping the interpreter's exit handlers: every `finally` has run by
    now (workers killed, files written whole, locks released), but a worker killed while it wrote a result can leave
    the process pool's manager thread waiting for the rest of the message, and Python's exit joins that thread for
    ever (a SIGTERM'd batch hung so in a CI run)."""
    if not HARD_EXIT:  # called in-process (a test's CliRunner): exit as any command does
        sys.exit(code)
    for sig in (signal.SIGTERM, signal.SIGINT, getattr(signal, "SIGHUP", None)):
        if sig is not None:  # leaving already: a second signal must not turn the exit into a death by it (-15)
            with contextlib.suppress(BaseException):
                signal.signal(sig, signal.SIG_IGN)
    for stream in (sys.stdout, sys.stderr):
        # a full pipe whose reader has stopped reading (`sendsim schema | slow`) must not hold the exit: the flush
        # writes what the pipe takes now and drops the rest (the output is incomplete either way, and said so); a
        # second signal during it is ignored (it is leaving already)
        with contextlib.suppress(BaseException):
            os.set_blocking(stream.fileno(), False)
        with contextlib.suppress(BaseException):
            stream.flush()
    os._exit(code)


def finished(code: object) -> None:
    """The command has finished (its output printed, its files whole): a signal from now on, while Python exits,
    does not interrupt it. Until Python's exit handlers run (joining threads), it ends the process at once with the
    command's own exit code; from the first exit handler on it is ignored, since after them Python puts its default
    handlers back before freeing its modules (a second or more after a large run). Why: such a signal raised the
    interruption inside an exit handler ("Exception ignored in atexit callback" and a traceback, exit 0), or killed
    the process (exit -15, no message) after `report` or `la-scenario` had written its files (seventh held-out
    round)."""
    n = code if isinstance(code, int) else 0 if code is None else EXIT_ENVIRONMENT

    def leave(_signum: int, _frame: object) -> None:
        _exit_now(n)

    caught = [sig for sig in (signal.SIGTERM, signal.SIGINT, getattr(signal, "SIGHUP", None))
              if sig is not None and signal.getsignal(sig) not in (signal.SIG_IGN, None)]  # nohup's ignore stays
    for sig in caught:
        with contextlib.suppress(ValueError, OSError):
            signal.signal(sig, leave)
    atexit.register(_ignore, caught)  # the last registered, so the first exit handler to run


def _ignore(signals: list[int]) -> None:
    for sig in signals:
        with contextlib.suppress(ValueError, OSError):
            signal.signal(sig, signal.SIG_IGN)


HARD_EXIT = False  # set by the `sendsim` / `python -m simulator.cli` entry point (`cli.console`), never in-process
