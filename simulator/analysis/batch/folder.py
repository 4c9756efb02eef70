"""A batch's folder: the run folder's lock and marker (`runs.folder`), an identity check, atomic files.

The lock and the claim rules are the ones every sendsim folder has (`runs.folder.FolderLock`, `claim_folder`): only a
folder whose marker says it holds this batch is resumed. The interface the batch relies on:

  BatchFolder(root, identity, resume)   open: lock, then check the folder holds this batch (or nothing)
  .read_task(task_id) / .write_task(task_id, rows)   finished tasks, one small JSON file each
  .write_bytes(relpath, data) / .write_text(relpath, text)   atomic (temporary file, then rename)
  .close()                              release the lock (also on `with` exit)

A folder that holds another batch, a folder sendsim did not write, or this batch without `--resume`, is refused (bad
input: exit 2), so a batch never mixes its results with another's. The lock is an `flock`, released by the kernel
when its process dies, so a killed batch never leaves its folder locked.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ...schema.files import InputError
from ..runs.folder import MARKER, FolderLock, claim_folder, read_marker, write_marker
from ..runs.rundir import check_out_path

IDENTITY = "batch.json"


class BatchFolder:
    """The folder of one batch, locked while open."""

    def __init__(self, root: Path, identity: dict[str, Any], resume: bool = False):
        self.root = check_out_path(root)
        self.identity = identity
        self._lock = FolderLock(self.root)
        self._lock.acquire()
        try:
            self._claim(resume)
        except BaseException:
            self._lock.release()
            raise
        (self.root / "tasks").mkdir(exist_ok=True)
        write_marker(self.root, "batch", {"batch_id": identity.get("batch_id"), "name": identity.get("name")})
        self.write_text(IDENTITY, json.dumps(identity, indent=2, sort_keys=True) + "\n")

    def _claim(self, resume: bool) -> None:
        """The folder contract: a new or empty folder, or one marked as this very batch (with `--resume`)."""
        if claim_folder(self.root, "batch", resume=resume, can_force=False) == "resume":
            m = read_marker(self.root)
            prev = m.identity if m is not None else {}
            if prev.get("batch_id") != self.identity.get("batch_id"):
                raise InputError([f"{self.root}/{MARKER}: batch_id: the folder holds batch {prev.get('batch_id')} "
                                  f"({prev.get('name')}), not {self.identity.get('batch_id')} "
                                  f"({self.identity.get('name')}): name another --out"])

    def close(self) -> None:
        self._lock.release()

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
            obj = json.loads(f.read_text(encoding="utf-8"))
        except (ValueError, OSError):
            return None  # unreadable: computed again
        if not (isinstance(obj, dict) and obj.get("task_id") == task_id):
            return None  # not this task's file (damaged, edited, moved): computed again
        return obj.get("rows")  # `plan.unpack` checks the rows themselves

    def write_task(self, task_id: str, rows: list[Any]) -> None:
        self.write_text(f"tasks/{task_id}.json", json.dumps({"task_id": task_id, "rows": rows},
                                                             allow_nan=False, separators=(",", ":")))

