"""A batch's folder: a lock, an identity check, and files written whole or not at all.

Kept small and apart on purpose: the robustness work (issue 13) brings a run-folder module with the same three
duties for `sendsim run`; at merge this class becomes a thin user of it. The interface the batch relies on:

  BatchFolder(root, identity, resume)   open: lock, then check the folder holds this batch (or nothing)
  .read_task(task_id) / .write_task(task_id, rows)   finished tasks, one small JSON file each
  .write_bytes(relpath, data) / .write_text(relpath, text)   atomic (temporary file, then rename)
  .close()                              release the lock (also on `with` exit)

A folder that holds another batch, or any files without `--resume`, is refused (bad input: exit 2), so a batch
never mixes its results with another's. A lock left by a process that no longer runs (killed) is taken over.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from typing import Any

from ...schema.files import InputError

IDENTITY = "batch.json"
LOCK = ".lock"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class BatchFolder:
    """The folder of one batch, locked while open."""

    def __init__(self, root: Path, identity: dict[str, Any], resume: bool = False):
        self.root = root
        self.identity = identity
        self._locked = False
        if root.exists() and not root.is_dir():
            raise InputError([f"{root}: --out: exists and is not a folder"])
        entries = sorted(p.name for p in root.iterdir()) if root.is_dir() else []
        ident = root / IDENTITY
        if entries and not ident.is_file():
            raise InputError([f"{root}: --out: the folder is not empty and holds no batch: name an empty or new "
                              "folder"])
        if ident.is_file():
            prev = json.loads(ident.read_text())
            if prev.get("batch_id") != identity.get("batch_id"):
                raise InputError([f"{root}/{IDENTITY}: batch_id: the folder holds batch {prev.get('batch_id')} "
                                  f"({prev.get('name')}), not {identity.get('batch_id')} ({identity.get('name')}): "
                                  "name another --out"])
            if not resume:
                raise InputError([f"{root}: --out: the folder already holds this batch: add --resume to finish "
                                  "it, or name another --out"])
        root.mkdir(parents=True, exist_ok=True)
        self._lock()
        (root / "tasks").mkdir(exist_ok=True)
        self.write_text(IDENTITY, json.dumps(identity, indent=2, sort_keys=True) + "\n")

    def _lock(self) -> None:
        lock = self.root / LOCK
        for _ in range(2):
            try:
                fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                try:
                    pid, host = lock.read_text().split()[:2]
                except (OSError, ValueError):
                    pid, host = "0", ""
                if host == socket.gethostname() and not _alive(int(pid)):
                    lock.unlink(missing_ok=True)  # left by a process that was killed
                    continue
                raise InputError([f"{lock}: the batch folder is in use by process {pid} on {host or '?'}"]) \
                    from None
            with os.fdopen(fd, "w") as f:
                f.write(f"{os.getpid()} {socket.gethostname()}\n")
            self._locked = True
            return

    def close(self) -> None:
        if self._locked:
            (self.root / LOCK).unlink(missing_ok=True)
            self._locked = False

    def __enter__(self) -> BatchFolder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def write_bytes(self, rel: str, data: bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + f".tmp{os.getpid()}")
        tmp.write_bytes(data)
        os.replace(tmp, path)
        return path

    def write_text(self, rel: str, text: str) -> Path:
        return self.write_bytes(rel, text.encode())

    def read_task(self, task_id: str) -> list[Any] | None:
        f = self.root / "tasks" / f"{task_id}.json"
        if not f.is_file():
            return None
        try:
            return json.loads(f.read_text())["rows"]
        except (ValueError, KeyError):
            return None  # unreadable: computed again

    def write_task(self, task_id: str, rows: list[Any]) -> None:
        self.write_text(f"tasks/{task_id}.json", json.dumps({"task_id": task_id, "rows": rows},
                                                             allow_nan=False, separators=(",", ":")))
