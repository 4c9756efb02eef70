"""A run folder that is safe to write: one writer at a time, a recorded identity, resume only of the same run.

Why: two runs into one folder used to mix their replications silently, a resume trusted any `metrics.json` it
found, and an interrupted write left `.tmp` files and stale summaries. The rules, for every command that writes a
run folder (run, compare; the batch commands extend this module):

- **A lock.** `RunFolder.open` takes the folder lock of `folder.FolderLock` (an exclusive `flock` on `DIR/.lock`,
  released by the kernel when the process dies). A second writer gets `InputError` (exit 2, one line).
- **An identity.** `identity()` is what makes two runs the same run: the scenario file's hash, the rule set and its
  hash, the seed, the engine and whether the event log is written (the scenario's hash covers `--until`,
  `--projection` and, for a rule set with switches, `--from-start`: `rules.scenario.load_scenario`). The number of replications is not part of it:
  asking for more replications of the same run extends it. The manifest records the identity, and so does every
  replication's `metrics.json` (under `run`); resume trusts only replications whose identity matches.
- **An existing folder is refused** unless `resume` (continue the same run: the identity in its marker must match)
  or `force` (delete its contents and start again), and both only for a folder whose marker (`folder.MARKER`) says
  sendsim wrote it as a run: never a folder that merely holds a `manifest.json` or a `replications/` folder.
- **Atomic writes** (`write_atomic`: a temporary file beside the target, then `os.replace`); leftovers of a killed
  run (`*.tmp`, `rep-*.partial`) are removed under the lock before anything runs; `summary.json` is removed before
  the run starts (`RunFolder.start`, once every folder of a comparison is open: a refusal of one leaves the others
  whole) and written when it ends, so it never sits beside a manifest it does not belong to.
- **Bad input vs the environment.** `--out` naming a file, an empty `--out`, a damaged manifest without `--force`:
  `InputError` (exit 2). Disk full, permission denied, read-only: `OSError`, reported by the CLI in one line with
  exit 1.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from ...rules.scenario import LoadedScenario
from ...schema.files import InputError
from .folder import (
    FolderLock,
    claim_folder,
    contents,
    not_text,
    read_marker,
    special_kind,
    write_atomic,
    write_marker,
)

IDENTITY_KEYS = ("scenario_sha256", "rules", "rules_sha256", "seed", "engine", "event_log")


def identity(loaded: LoadedScenario, seed: int, engine: str, events: bool) -> dict[str, Any]:
    """What makes two runs the same run (see the module docstring)."""
    return {"scenario_sha256": loaded.scenario_sha256, "rules": loaded.law.name, "rules_sha256": loaded.rules_sha256,
            "seed": seed, "engine": engine, "event_log": events}


def check_out_path(out: Path | str) -> Path:
    """An output folder the user named: not empty, not a file (bad input, exit 2)."""
    if str(out).strip() == "":
        raise InputError(["--out: an empty name (allowed: a folder name, e.g. --out outputs/my-run)"])
    p = Path(out)
    not_text(p, "--out")
    if any(len(part.encode()) > 255 for part in p.parts) or len(str(p).encode()) > 4000:  # before any stat()
        raise InputError(["--out: a folder name longer than 255 bytes (allowed: at most 255 bytes per name)"])
    if p.exists() and not p.is_dir():
        what = "a file" if p.is_file() else special_kind(p)
        raise InputError([f"--out: {p} is {what} (allowed: a folder, new or one sendsim wrote)"])
    for link in (p, *p.parents):  # a link to nothing: making the folder failed "File exists", exit 1, as if the
        if link.is_symlink() and not link.exists():  # disk were at fault (seventh held-out round)
            raise InputError([f"--out: {link} is a link that leads to no folder ({os.readlink(link)}) (allowed: a "
                              "folder, new or one sendsim wrote, or a link to one)"])
    for parent in p.parents:
        if parent.exists() and not parent.is_dir():
            raise InputError([f"--out: {parent} is a file, so {p} cannot be a folder (allowed: a folder)"])
    return p


def read_json(path: Path) -> dict[str, Any] | None:
    """A JSON object from a run folder, or None when it is missing or damaged (a truncated write of a killed run)."""
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return obj if isinstance(obj, dict) else None


def check_same_run(path: Path, ident: dict[str, Any]) -> None:
    """InputError unless the run folder `path` (marked as a run) holds the run of identity `ident` (a resume)."""
    marker = read_marker(path)
    have = marker.identity if marker is not None else {}
    differ = [k for k in IDENTITY_KEYS if have.get(k) != ident[k]]
    if differ:
        what = ", ".join(f"{k} {have.get(k)!r} there, {ident[k]!r} now" for k in differ)
        raise InputError([f"--resume: {path} holds another run ({what}); use --force to replace it or "
                          "choose another --out"])


class RunFolder:
    """A locked run folder (use as a context manager: `with RunFolder(...).open() as rf:`)."""

    def __init__(self, path: Path, ident: dict[str, Any], resume: bool = False, force: bool = False):
        if resume and force:
            raise InputError(["--resume and --force: give one (resume continues the run; force starts again)"])
        self.path = check_out_path(path)
        self.identity = ident
        self.resume = resume
        self.force = force
        self._lock = FolderLock(self.path)
        self.skipped: list[str] = []  # replications found but not trusted (other run, damaged)

    def close(self) -> None:
        """Release the lock (the kernel also releases it if the process dies)."""
        self._lock.release()

    def __enter__(self) -> RunFolder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- opening ----------------------------------------------------------------------------------------------------
    def contents(self) -> list[Path]:
        return contents(self.path)

    def open(self) -> RunFolder:
        """Lock the folder and decide: a new run, a resume (identity checked) or a forced restart."""
        self._lock.acquire()
        try:
            self._prepare()
        except BaseException:
            self.close()
            raise
        return self

    def _prepare(self) -> None:
        """The folder contract (`folder.claim_folder`): only a folder marked as a sendsim run is resumed or
        emptied; then a resume must be of the same run (its marker's identity)."""
        if claim_folder(self.path, "run", self.resume, self.force) == "resume":
            check_same_run(self.path, self.identity)
            self._clean_leftovers()
        write_marker(self.path, "run", self.identity)

    def _clean_leftovers(self) -> None:
        """Remove what a killed run leaves: temporary files, half-written replication folders. (Its old summary goes in
        `start`, once every folder of a comparison has been opened: a refusal of another's left this one whole.)"""
        for p in self.path.rglob("*.tmp"):
            p.unlink(missing_ok=True)
        reps = self.path / "replications"
        if reps.is_dir():
            for p in reps.glob("*.partial"):
                shutil.rmtree(p, ignore_errors=True)

    # -- replications -----------------------------------------------------------------------------------------------
    def rep_dir(self, replication: int) -> Path:
        return self.path / "replications" / f"rep-{replication:03d}"

    def completed(self, replications: int) -> dict[int, dict[str, Any]]:
        """The replications already complete for this run: metrics.json readable and of the same identity."""
        done: dict[int, dict[str, Any]] = {}
        for r in range(replications):
            f = self.rep_dir(r) / "metrics.json"
            if not f.exists():
                continue
            res = read_json(f)
            if res is None or res.get("run") != self.identity or res.get("replication") != r:
                self.skipped.append(f"rep-{r:03d}")
                shutil.rmtree(self.rep_dir(r), ignore_errors=True)
                continue
            res.pop("run")
            done[r] = res
        return done

    def start(self, manifest_text: str) -> None:
        """Record the manifest (and remove a summary that would no longer match it) before replications run."""
        (self.path / "summary.json").unlink(missing_ok=True)
        write_atomic(self.path / "manifest.json", manifest_text)
        (self.path / "replications").mkdir(exist_ok=True)
