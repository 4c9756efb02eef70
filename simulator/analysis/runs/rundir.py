"""A run folder that is safe to write: one writer at a time, a recorded identity, resume only of the same run.

Why: two runs into one folder used to mix their replications silently, a resume trusted any `metrics.json` it
found, and an interrupted write left `.tmp` files and stale summaries. The rules, for every command that writes a
run folder (run, compare; the batch commands extend this module):

- **A lock.** `RunFolder.open` takes an exclusive `flock` on `DIR/.lock` (released by the kernel when the process
  dies, so a killed run never leaves the folder locked). A second writer gets `InputError` (exit 2, one line).
- **An identity.** `identity()` is what makes two runs the same run: the scenario file's hash, the rule set and its
  hash, the seed, the engine and whether the event log is written. The number of replications is not part of it:
  asking for more replications of the same run extends it. The manifest records the identity, and so does every
  replication's `metrics.json` (under `run`); resume trusts only replications whose identity matches.
- **An existing folder is refused** unless `resume` (continue the same run: the identity must match) or `force`
  (delete its contents and start again; only a folder that is a sendsim run folder, never arbitrary files).
- **Atomic writes** (`write_atomic`: a temporary file beside the target, then `os.replace`); leftovers of a killed
  run (`*.tmp`, `rep-*.partial`) are removed under the lock before anything runs; `summary.json` is removed before
  the run starts and written when it ends, so it never sits beside a manifest it does not belong to.
- **Bad input vs the environment.** `--out` naming a file, an empty `--out`, a damaged manifest without `--force`:
  `InputError` (exit 2). Disk full, permission denied, read-only: `OSError`, reported by the CLI in one line with
  exit 1.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from ...rules.scenario import LoadedScenario
from ...schema.files import InputError


def _umask() -> int:
    old = os.umask(0o022)
    os.umask(old)
    return old


FILE_MODE = 0o666 & ~_umask()  # what a plain open() would give (mkstemp makes 0600)
IDENTITY_KEYS = ("scenario_sha256", "rules", "rules_sha256", "seed", "engine", "event_log")
LOCK = ".lock"


def identity(loaded: LoadedScenario, seed: int, engine: str, events: bool) -> dict[str, Any]:
    """What makes two runs the same run (see the module docstring)."""
    return {"scenario_sha256": loaded.scenario_sha256, "rules": loaded.law.name, "rules_sha256": loaded.rules_sha256,
            "seed": seed, "engine": engine, "event_log": events}


def write_atomic(path: Path, text: str) -> None:
    """Write a file whole or not at all: a unique temporary file beside it, then a rename (a reader never sees half
    of it; a failure, e.g. a full disk, leaves neither a half file nor the temporary one)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def check_out_path(out: Path | str) -> Path:
    """An output folder the user named: not empty, not a file (bad input, exit 2)."""
    if str(out).strip() == "":
        raise InputError(["--out: an empty name (allowed: a folder name, e.g. --out outputs/my-run)"])
    p = Path(out)
    if p.exists() and not p.is_dir():
        raise InputError([f"--out: {p} is a file (allowed: a folder, new or a run folder of sendsim)"])
    for parent in p.parents:
        if parent.exists() and not parent.is_dir():
            raise InputError([f"--out: {parent} is a file, so {p} cannot be a folder (allowed: a folder)"])
    if any(len(part.encode()) > 255 for part in p.parts):
        raise InputError(["--out: a folder name longer than 255 bytes (allowed: at most 255 bytes per name)"])
    return p


def read_json(path: Path) -> dict[str, Any] | None:
    """A JSON object from a run folder, or None when it is missing or damaged (a truncated write of a killed run)."""
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return obj if isinstance(obj, dict) else None


class RunFolder:
    """A locked run folder (use as a context manager: `with RunFolder(...).open() as rf:`)."""

    def __init__(self, path: Path, ident: dict[str, Any], resume: bool = False, force: bool = False):
        if resume and force:
            raise InputError(["--resume and --force: give one (resume continues the run; force starts again)"])
        self.path = check_out_path(path)
        self.identity = ident
        self.resume = resume
        self.force = force
        self._fd: int | None = None
        self.skipped: list[str] = []  # replications found but not trusted (other run, damaged)

    # -- locking ----------------------------------------------------------------------------------------------------
    def _lock(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        lock = self.path / LOCK
        while True:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as e:
                os.close(fd)
                if e.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    try:
                        holder = lock.read_text().strip() or "?"
                    except OSError:
                        holder = "?"
                    raise InputError([f"--out: {self.path} is being written by another sendsim run (pid {holder}); "
                                      "wait for it to finish or choose another --out"]) from None
                raise
            # the file may have been unlinked by the previous holder between open and flock: lock the file that is
            # at the path now, not an orphaned inode
            try:
                same = os.fstat(fd).st_ino == os.stat(lock).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd

    def close(self) -> None:
        """Release the lock (the kernel also releases it if the process dies)."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.path / LOCK)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> RunFolder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- opening ----------------------------------------------------------------------------------------------------
    def contents(self) -> list[Path]:
        return sorted(p for p in self.path.iterdir() if p.name != LOCK)

    def open(self) -> RunFolder:
        """Lock the folder and decide: a new run, a resume (identity checked) or a forced restart."""
        self._lock()
        try:
            self._prepare()
        except BaseException:
            self.close()
            raise
        return self

    def _prepare(self) -> None:
        items = self.contents()
        if not items:
            return
        man_path = self.path / "manifest.json"
        is_run = man_path.is_file() or (self.path / "replications").is_dir()
        if self.force:
            if not is_run:
                raise InputError([f"--force: {self.path} is not a sendsim run folder (no manifest.json); refusing "
                                  "to delete its contents (allowed: a run folder, or a new or empty folder)"])
            for p in items:
                shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink()
            return
        if not is_run:
            raise InputError([f"--out: {self.path} is a folder with other files in it (allowed: a new or empty "
                              "folder, or a run folder of sendsim with --resume or --force)"])
        if not self.resume:
            raise InputError([f"--out: {self.path} already holds a run; add --resume to continue it (same scenario, "
                              "rules, seed, engine and event log) or --force to delete it and start again"])
        man = read_json(man_path)
        if man is None:
            raise InputError([f"--resume: {man_path} is missing or damaged, so the run cannot be identified; use "
                              "--force to start again"])
        differ = [k for k in IDENTITY_KEYS if man.get(k) != self.identity[k]]
        if differ:
            what = ", ".join(f"{k} {man.get(k)!r} there, {self.identity[k]!r} now" for k in differ)
            raise InputError([f"--resume: {self.path} holds another run ({what}); use --force to replace it or "
                              "choose another --out"])
        self._clean_leftovers()

    def _clean_leftovers(self) -> None:
        """Remove what a killed run leaves: temporary files, half-written replication folders, the old summary."""
        for p in self.path.rglob("*.tmp"):
            p.unlink(missing_ok=True)
        reps = self.path / "replications"
        if reps.is_dir():
            for p in reps.glob("*.partial"):
                shutil.rmtree(p, ignore_errors=True)
        (self.path / "summary.json").unlink(missing_ok=True)

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
