"""The signal handler in place from a command's first line of code until the command's own: Ctrl-C, SIGTERM or
SIGHUP while its modules load is one line and exit 128 + the signal, not Python's KeyboardInterrupt traceback nor a
death by the signal (exit -15, no word). Shared by `sendsim` (`simulator.cli`), scripts/build_scenarios.py and
scripts/build_plan_transfers.py, which each carried the same dozen lines. It sits in the lowest layer (schema, whose
package imports nothing), so importing it loads nothing else of the project.

Only os, signal and sys are imported here (built into the interpreter), so the handler is in place well under a
millisecond after the first line of the command runs. Before that line no Python handler can run: a signal during the
interpreter's own start and its site packages (about 25 ms; 70 ms with an editable install's finder on the loaded
shared machine) has the system's default effect, which for SIGTERM is a death by the signal (-15)."""

from __future__ import annotations

import os
import signal
import sys

SIGNALS = tuple(s for s in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s is not None)


def install(words: str, lead: str = "") -> None:
    """Put the early handler in place for SIGINT, SIGTERM and SIGHUP (a signal ignored, as under nohup, stays so).
    On a signal it writes `lead` + 'interrupted (NAME): ' + `words` on stderr and leaves with 128 + the signal."""

    def interrupted(signum: int, _frame: object) -> None:
        name = "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name
        sys.stderr.write(f"{lead}interrupted ({name}): {words}\n")
        sys.stderr.flush()
        os._exit(128 + signum)

    interrupted.early = True  # type: ignore[attr-defined]  # (`is_early`)
    for sig in SIGNALS:
        if signal.getsignal(sig) not in (signal.SIG_IGN, None):  # nohup's ignore stays
            signal.signal(sig, interrupted)


def is_early(handler: object) -> bool:
    """Whether `handler` is the early one (`install`): a command that takes Ctrl-C over later checks this."""
    return bool(getattr(handler, "early", False))
