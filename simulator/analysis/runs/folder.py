"""One folder contract for every folder sendsim writes: a marker file, one lock, and the claim rules.

Why: sendsim used to guess whether a folder was its own (a `manifest.json`, a `replications/` folder), so
`--force` deleted a web app's folder holding its own `manifest.json` with the user's files in it. Now every folder
sendsim writes (a run, a comparison, a case study, a batch, a calibration, a report bundle, the web page's work
folder) carries one marker, `.sendsim-folder.json`, written by sendsim and holding:

    {"sendsim_folder": KIND, "format": 1, "written_by": "sendsim X.Y.Z", "identity": {...}}

and only a folder with that marker is ever treated as sendsim's:

- **claim** (`claim_folder`): a new or empty folder is taken; a folder with a marker of the same kind is resumed
  (`resume`) or emptied (`force`); anything else is refused in one line (exit 2), saying what is there and what to do.
  A folder without the marker is never emptied, written into or resumed, whatever it holds.
- **lock** (`FolderLock`): an exclusive `flock` on `DIR/.lock`, released by the kernel when the process dies, so a
  killed command never leaves a folder locked; a second writer gets one line (exit 2).
- **versions**: a marker of a newer format is refused in one line naming the version that wrote it; a folder written
  before markers existed (format 0: a `manifest.json` naming the sendsim version in its `versions`) is still read by `results` and
  `report`, and refused for `--resume`/`--force` in one line naming that version.

The marker holds no time, host or process id, so the same command writes the same bytes (golden outputs).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import re
import shutil
import stat
import tempfile
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from ... import __version__
from ...schema.files import InputError

MARKER = ".sendsim-folder.json"
LOCK = ".lock"
FORMAT = 1
Kind = Literal["run", "comparison", "case_study", "batch", "calibration", "report", "web_work"]
def _umask() -> int:
    old = os.umask(0o022)
    os.umask(old)
    return old


FILE_MODE = 0o666 & ~_umask()  # what a plain open() would give (mkstemp makes 0600)
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


KIND_WORDS: dict[str, str] = {"run": "a run", "comparison": "a comparison", "case_study": "case studies",
                              "batch": "a batch", "calibration": "a calibration", "report": "a report",
                              "web_work": "the web page's work folder"}


class Marker(BaseModel):
    """The marker file's contents (read back through pydantic: a damaged marker is one line, never a traceback)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    sendsim_folder: Kind
    format: int
    written_by: str
    identity: dict[str, Any] = {}


def marker_text(kind: str, identity: dict[str, Any] | None = None) -> str:
    m = {"sendsim_folder": kind, "format": FORMAT, "written_by": f"sendsim {__version__}",
         "identity": identity or {}}
    return json.dumps(m, indent=2, sort_keys=True) + "\n"


def write_marker(path: Path, kind: str, identity: dict[str, Any] | None = None) -> None:
    """Mark `path` as a folder of `kind` written by this sendsim (atomically: a reader never sees half a marker)."""
    path.mkdir(parents=True, exist_ok=True)
    target = path / MARKER
    text = marker_text(kind, identity)
    if not (target.is_file() and target.read_text(encoding="utf-8", errors="replace") == text):
        write_atomic(target, text)


def read_marker(path: Path) -> Marker | None:
    """The folder's marker; None when it has none; InputError (one line) when it is damaged or of a newer format."""
    f = path / MARKER
    if not f.is_file():
        return None
    try:
        m = Marker.model_validate_json(f.read_bytes())
    except (ValidationError, OSError, ValueError):
        raise InputError([f"{f}: not a readable sendsim folder marker (allowed: the file sendsim writes; "
                          "remove the folder or choose another --out)"]) from None
    if m.format > FORMAT:
        raise InputError([f"{f}: format {m.format} written by {m.written_by}; this sendsim ({__version__}) reads "
                          f"format {FORMAT} and older: use that version or a newer sendsim"])
    return m


def legacy_writer(path: Path) -> str | None:
    """The version that wrote a pre-marker run folder (format 0), from its manifest; None if it is not one."""
    man = path / "manifest.json"
    try:
        obj = json.loads(man.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if isinstance(obj, dict) and "scenario_sha256" in obj and isinstance(obj.get("versions"), dict):
        return str(obj["versions"].get("sendsim", "?"))
    if isinstance(obj, dict) and "batch_id" in obj and isinstance(obj.get("versions"), dict):
        return str(obj["versions"].get("sendsim", "?"))
    return None


def kind_of(path: Path) -> str | None:
    """A folder's kind from its marker (`report` and `results` dispatch on it); None for a folder without one."""
    m = read_marker(path)
    return m.sendsim_folder if m is not None else None


def contents(path: Path) -> list[Path]:
    return sorted(p for p in path.iterdir() if p.name != LOCK) if path.is_dir() else []


def _listing(items: list[Path]) -> str:
    names = [p.name + ("/" if p.is_dir() else "") for p in items]
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")


# What sendsim writes in a folder of each kind (paths relative to it; `--force` empties a folder only when every file
# in it is one of these): a run's files; a batch's; a comparison's, with its runs and its batches (`--sensitivity`,
# `--uncertainty`); and in every folder the marker, the lock and the temporary files of an atomic write.
_RUN = (r"manifest\.json", r"summary\.json", r"replications/rep-\d+/(journeys|events)\.parquet",
        r"replications/rep-\d+/metrics\.json", r"replications/rep-\d+\.partial/[^/]+")  # .partial: a killed run's
_BATCH = (r"batch\.json", r"manifest\.json", r"(runs|timings|sensitivity)\.parquet", r"sensitivity\.json",
          r"(tasks|timings)/[^/]+\.json", r"metrics/rules=[^/]+/part-\d+\.parquet")
OWN_FILES: dict[str, tuple[str, ...]] = {
    "run": _RUN,
    "batch": _BATCH,
    "comparison": (r"compare\.json", r"charts/[^/]+\.(png|svg|csv)", *(r"\d+-[^/]+/" + p for p in _RUN),
                   *(r"(sensitivity|uncertainty)/" + p for p in _BATCH)),
}
_ANYWHERE = (r"(.+/)?" + re.escape(MARKER), r"(.+/)?" + re.escape(LOCK), r"(.+/)?[^/]+\.tmp\d*")  # an atomic write's


def foreign_files(path: Path, kind: str) -> list[str]:
    """The files under `path` (relative, sorted) that sendsim does not write in a folder of `kind`: a user's notes
    saved into a run folder, say, which `--force` must not delete. Why: a marker says the folder is sendsim's, not
    that everything in it is; deleting "the contents" used to delete the user's files with sendsim's."""
    own = re.compile("|".join(f"(?:{p})" for p in (*OWN_FILES.get(kind, ()), *_ANYWHERE)))
    out = []
    for root, dirs, files in os.walk(path):
        rel = Path(root).relative_to(path)
        for name in files + [d for d in dirs if Path(root, d).is_symlink()]:
            r = (rel / name).as_posix()
            if not own.fullmatch(r):
                out.append(r)
    return sorted(out)


def _names(rel: list[str]) -> str:
    return ", ".join(rel[:3]) + (f" and {len(rel) - 3} more" if len(rel) > 3 else "")


def claim_folder(path: Path, kind: str, resume: bool = False, force: bool = False,
                 accumulate: bool = False, can_force: bool = True) -> str:
    """Decide what may be done with an output folder before anything is written; returns "new" or "resume".

    `accumulate`: a folder of this kind may gain more files without `--resume` (case studies: one pair of files
    per case; each file is refused if it exists, unless `--force`, which replaces only that file); `can_force`: the
    command has a --force (batch has none)."""
    if resume and force:
        raise InputError(["--resume and --force: give one (resume continues; force starts again)"])
    items = contents(path)
    if not items:
        return "new"
    m = read_marker(path)
    what = KIND_WORDS.get(kind, kind)
    if m is None:
        legacy = legacy_writer(path)
        if legacy is not None:
            raise InputError([f"--out: {path} was written by sendsim {legacy} before folders carried a marker "
                              f"(format 0); this version reads it (report, results) but does not resume or replace "
                              "it: choose another --out, or move it away"])
        raise InputError([f"--out: {path} holds files sendsim did not write ({_listing(items)}); sendsim never "
                          "writes into or deletes such a folder, --force included (allowed: a new or empty folder, "
                          f"or a folder sendsim wrote for {what})"])
    if m.sendsim_folder != kind:
        raise InputError([f"--out: {path} holds {KIND_WORDS.get(m.sendsim_folder, m.sendsim_folder)} written by "
                          f"sendsim, not {what} (allowed: a new or empty folder, or another --out)"])
    if accumulate:
        return "resume"
    if force:
        theirs = foreign_files(path, kind)
        if theirs:
            raise InputError([f"--out: {path} holds {what} and files sendsim did not write ({_names(theirs)}); "
                              "--force deletes only sendsim's own files, so nothing was deleted (allowed: move those "
                              "files out of the folder, or another --out)"])
        for p in items:
            shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink()
        return "new"
    if resume:
        return "resume"
    if not can_force:  # `batch` has no --force (its finished tasks are kept): the hint names no flag it lacks
        raise InputError([f"--out: {path} already holds {what}; add --resume to continue it, or give another --out"])
    raise InputError([f"--out: {path} already holds {what}; add --resume to continue it or --force to delete it and "
                      "start again"])


class FolderLock:
    """An exclusive lock on a folder while one command writes it (`DIR/.lock`, holding the writer's pid)."""

    def __init__(self, path: Path):
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> FolderLock:
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
                    raise InputError([f"--out: {self.path} is being written by another sendsim run (pid "
                                      f"{holder}); wait for it to finish or choose another --out"]) from None
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
        return self

    def release(self) -> None:
        """Release the lock (the kernel also releases it if the process dies)."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.path / LOCK)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> FolderLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


# ------------------------------------------------------------------------------------------------- single files
SIGNATURE_BYTES = 4096  # a file sendsim wrote says so in its first lines (a header comment, a generator meta tag)


def claim_file(path: Path, force: bool = False, signature: bytes | None = None, flag: str = "--out",
               allowed: str = "a new file name") -> Path:
    """May sendsim write the single file `path` (a report, a calibration file, a scenario)? Checked before any work.

    Why: a file has no marker folder around it, so the rule is the file's own: a new name is written; an existing
    regular file is replaced only with `force` (that file only), or when its first bytes carry `signature`, the
    line the same command writes at the top of its own files (so `sendsim report cmp` can be run again). A folder,
    a device, a FIFO or a socket at that name is refused whatever the flags (os.replace would swap a device for a
    file), and so is a name the file system cannot hold. Every refusal is one line (exit 2), nothing written."""
    if str(path).strip() == "":
        raise InputError([f"{flag}: an empty name (allowed: {allowed})"])
    not_text(path, flag)
    if any(len(part.encode()) > 255 for part in path.parts) or len(str(path).encode()) > 4000:
        raise InputError([f"{flag}: a name longer than the file system allows (allowed: at most 255 bytes per "
                          "folder or file name)"])
    for parent in path.parents:
        if parent.is_symlink() and not parent.exists():  # making it failed "File exists", exit 1 (seventh round)
            raise InputError([f"{flag}: {parent} is a link that leads to no folder ({os.readlink(parent)}) "
                              f"(allowed: {allowed} in a folder, or a link to one)"])
        if parent.exists() and not parent.is_dir():
            raise InputError([f"{flag}: {parent} is a file, so {path} cannot be written (allowed: {allowed} in a "
                              "folder)"])
    if not (path.exists() or path.is_symlink()):
        return path
    if path.is_symlink() and not path.exists():  # refused as "exists" before (ileftE): name the link, as for a folder
        raise InputError([f"{flag}: {path} is a link that leads to no file ({os.readlink(path)}) (allowed: {allowed}, "
                          "or with --force a link to a file that exists)"])
    if path.is_dir():
        raise InputError([f"{flag}: {path} is a folder (allowed: {allowed}, not a folder)"])
    if not path.is_symlink() and not path.is_file():
        raise InputError([f"{flag}: {path} is {special_kind(path)}, not a regular file; sendsim never writes "
                          f"over one (allowed: {allowed})"])
    if force:
        return path
    if signature is not None and not path.is_symlink():
        try:
            with open(path, "rb") as f:
                head = f.read(SIGNATURE_BYTES)
        except OSError:
            head = b""
        if signature in head:
            return path
    raise InputError([f"{flag}: {path} exists{' and sendsim did not write it' if signature else ''}; refusing to "
                      "overwrite it (allowed: "
                      f"{allowed}, or --force to replace that file only)"])


def not_text(path: Path, flag: str) -> None:
    """InputError for a name holding bytes that are not UTF-8 (a name typed in a Latin-1 terminal, or copied from an
    old disk): every file sendsim writes records its folder's name as text, so such a run failed after making its
    folder ("internal error (UnicodeEncodeError ...)", exit 1, a half-made folder left; seventh held-out round)."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        shown = os.fsencode(path).decode("utf-8", "backslashreplace")
        raise InputError([f"{flag}: {shown} holds a byte that is not UTF-8 text (allowed: a name in UTF-8 text, as "
                          "the terminal types it)"]) from None


def special_kind(path: Path) -> str:
    """What a non-regular file is, in words (a FIFO, a device, a socket), for one-line refusals."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return "a file that cannot be read"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "a special file"
