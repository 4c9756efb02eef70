"""A finished batch folder read back for `sendsim report`: its identity, sensitivity and results by group.

Why apart from `catalogue.py` (which queries many batches with DuckDB): the report needs one folder's few numbers,
from its own files, and must work on a folder copied from another machine (the sweep file may not be there).
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

from ...schema.files import InputError


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise InputError([f"{path}: not a readable JSON file ({type(e).__name__})"]) from None


def parameter_label(path: str) -> str:
    """'scenario.redress.mediation_settles_probability' -> 'Mediation settles probability (redress)'; a rule-set
    parameter by its label in the baseline rule set where it has one."""
    if path.startswith("rules."):
        try:
            from ...rules.resolve import labels, resolve_rules

            lab = labels(resolve_rules("current_2014")[0]).get(path[len("rules."):], ("", ""))[0]
            if lab:
                return lab
        except (InputError, KeyError, ValueError):
            pass
    parts = [p.split("[")[0] for p in path.split(".")[1:]] or [path]
    words = re.sub(r"\bla\b", "LA", parts[-1].replace("_", " "))  # 'la concedes probability': the LA
    words = re.sub(r" pct per year$", ", % a year", re.sub(r" pct$", ", %", words))
    where = f" ({parts[-2].replace('_', ' ')})" if len(parts) > 1 else ""
    return words[:1].upper() + words[1:] + where


def load_batch(folder: Path) -> dict[str, Any]:
    """{"identity", "sensitivity", "description", "parameter_labels", "by_group": [{metric, group, rules, mean}]}."""
    ident_f = folder / "batch.json"
    if not ident_f.is_file():
        raise InputError([f"{folder}: batch.json missing (allowed: a folder written by `sendsim batch --out`)"])
    ident = _json(ident_f)
    if not (folder / "manifest.json").is_file():  # written last, with the tables: the batch stopped before it
        tasks = folder / "tasks"
        done = sum(1 for _ in tasks.glob("*.json")) if tasks.is_dir() else 0
        total = ident.get("tasks")
        sweep = ident.get("sweep_file")
        if isinstance(sweep, str) and sweep and Path(sweep).is_file():
            how = f"resume it with: {shlex.join(['sendsim', 'batch', sweep, '--out', str(folder), '--resume'])}"
        else:  # a sweep file named relative to where the batch started, read from elsewhere: no command that fails
            where = (f", from the folder it was started in (its sweep file {sweep} cannot be read from here)"
                     if isinstance(sweep, str) and sweep else "")
            how = f"run the `sendsim batch` command that started it again with --resume{where}"
        raise InputError([f"{folder}: an interrupted batch (its tables and manifest.json are written once every task "
                          f"has finished: {done}{f' of {total}' if isinstance(total, int) else ''} tasks finished); "
                          f"{how}, then `sendsim report` it again"])
    # a finished batch has both (written with the manifest); one removed by hand gave a report without its screening
    # or its results by point, saying nothing
    lost = [n for n, ok in (("sensitivity.json", (folder / "sensitivity.json").is_file()),
                            ("metrics/rules=*/*.parquet", any((folder / "metrics").glob("*/*.parquet"))))
            if not ok]
    if lost:
        sweep_f = ident.get("sweep_file")
        cmd = (shlex.join(["sendsim", "batch", sweep_f, "--out", str(folder), "--resume"])
               if isinstance(sweep_f, str) and sweep_f and Path(sweep_f).is_file() else
               "the `sendsim batch` command that made it, with --resume")
        raise InputError([f"{folder}: {' and '.join(lost)} missing from a finished batch (allowed: the folder as "
                          f"`sendsim batch` wrote it; {cmd} writes {'them' if len(lost) > 1 else 'it'} again from its tasks)"])
    sens = _json(folder / "sensitivity.json")
    description = ""
    sweep = Path(str(ident.get("sweep_file", "")))
    if sweep.is_file():
        try:
            from .sweep_plan import load_sweep

            description = load_sweep(sweep)[0].description
        except InputError:
            description = ""
    outputs = {o["metric"] for o in (sens or {}).get("outputs", [])}
    by_group: list[dict[str, Any]] = []
    files = sorted((folder / "metrics").glob("*/*.parquet"))
    if files and outputs:
        import pyarrow.parquet as pq

        acc: dict[tuple[str, str, str], list[float]] = {}
        for f in files:
            rules = f.parent.name.split("=", 1)[-1]
            names = pq.read_schema(f).names
            cols = ["metric", "period", "group", "value", "point", "parameters"] + \
                (["group_by"] if "group_by" in names else [])
            t = pq.read_table(f, columns=cols).to_pydict()
            dims = t.get("group_by") or [None] * len(t["metric"])
            for m, p, g, v, pt, pars, dim in zip(t["metric"], t["period"], t["group"], t["value"], t["point"],
                                                 t["parameters"], dims, strict=True):
                if p != "all" or m not in outputs or v is None:
                    continue
                if g != "all" and dim not in (None, "redress_capacity"):
                    continue  # by family capacity only: the other groups are in the batch's own tables
                if g != "all" and dim == "redress_capacity":
                    g = f"families of {g} capacity"
                if g == "all":  # a group of points: the parameters' values at that point
                    name = "; ".join(f"{parameter_label(k)} {float(x):.3g}" for k, x in sorted((pars or {}).items())
                                     if x is not None) or f"point {pt}"
                    acc.setdefault((m, f"{pt:04d}|{name}", rules), []).append(float(v))
                else:
                    acc.setdefault((m, "~" + g.split("=", 1)[-1].replace("_", " "), rules), []).append(float(v))
        by_group = [{"metric": m, "group": g.split("|", 1)[-1].lstrip("~"), "rules": r, "mean": sum(v) / len(v)}
                    for (m, g, r), v in sorted(acc.items())]
    return {"identity": ident, "sensitivity": sens, "description": description, "by_group": by_group,
            "parameter_labels": {p["name"]: parameter_label(p["name"]) for p in ident.get("parameters", [])}}
