"""The texts the batch, results and sensitivity commands print (kept apart from `tables.py`, which other work
extends, so each grows without the other's conflicts)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from .names import design_words
from .tables import json_safe


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, dict):
        return json.dumps(v, sort_keys=True)
    return str(v)


def format_rows(cols: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str) -> str:
    """Every row of a query (never truncated): an aligned table, CSV, or JSON (one object per row)."""
    if fmt == "json":
        out = []
        for r in rows:
            row, notes = json_safe(dict(zip(cols, r, strict=True)))
            out.append({**row, "not_finite": notes} if notes else row)
        return json.dumps(out, indent=1, default=str, allow_nan=False)
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(cols)
        w.writerows([[_cell(v) for v in r] for r in rows])
        return buf.getvalue().rstrip("\n")
    text = [[_cell(v) for v in r] for r in rows]
    width = [max([len(c)] + [len(r[i]) for r in text]) for i, c in enumerate(cols)]
    lines = ["  ".join(c.ljust(width[i]) for i, c in enumerate(cols)).rstrip(),
             "  ".join("-" * w for w in width)]
    lines += ["  ".join(v.ljust(width[i]) for i, v in enumerate(r)).rstrip() for r in text]
    lines.append(f"({len(rows)} rows)")
    return "\n".join(lines)


def format_sensitivity(sens: dict[str, Any], top: int = 10) -> str:
    """Per output: the top parameters by Morris mu* (or Sobol ST), and whether each difference keeps its sign."""
    out = [f"sensitivity: {design_words(sens['design'])} design ({sens['design']}), {sens['points']} points, "
           f"{len(sens['parameters'])} parameters, {sens['replications']} replications per point"]
    for e in sens["outputs"]:
        head = f"\n{e['label']} ({e['metric']}), {e['kind']} {e['of']}{_unit(e)}: from {_range(e)}"
        if e["kind"] == "difference":
            head += ", keeps its sign at every point" if e["keeps_sign"] else ", does NOT keep its sign"
        out.append(head)
        idx = e.get("indices")
        if not idx:
            if e.get("note"):
                out.append(f"  {e['note']}")
            continue
        if "mu_star" in idx[0]:
            out.append(f"  {'parameter':<60} {'mu*':>12} {'+/-95%':>12} {'sigma':>12}")
            out += [f"  {r['parameter']:<60} {_num(r['mu_star']):>12} {_num(r['mu_star_conf']):>12} "
                    f"{_num(r['sigma']):>12}" for r in idx[:top]]
        else:
            out.append(f"  {'parameter':<60} {'S1':>8} {'+/-':>8} {'ST':>8} {'+/-':>8}")
            out += [f"  {r['parameter']:<60} {r['S1']:>8.3f} {r['S1_conf']:>8.3f} {r['ST']:>8.3f} "
                    f"{r['ST_conf']:>8.3f}" for r in idx[:top]]
    return "\n".join(out)


def _unit(e: dict[str, Any]) -> str:
    """The unit of an output's range (', in percentage points'): a difference of two percentages is in percentage
    points, not '%'; a count has none."""
    from ..analysis.runs.results import unit_of

    u = unit_of(e["metric"])
    if u == "percent":
        return ", in percentage points" if e.get("kind") == "difference" else ", in %"
    return {"weeks": ", in weeks", "GBP": ", in GBP"}.get(u, "")


def _range(e: dict[str, Any]) -> str:
    """An output's 'MIN to MAX' over the points: a count's two ends at one precision, from the larger end (whole from
    100 up, one decimal below: `summary.count_decimals`), a sum of money in whole pounds; other units as `_num`.
    A count's range read '812.3 to 1,023' (each end at its own precision)."""
    from ..analysis.runs.results import unit_of
    from .summary import count_decimals

    lo, hi, u = e.get("min"), e.get("max"), unit_of(e["metric"])
    if u not in ("count", "GBP") or lo is None or hi is None:
        return f"{_num(lo)} to {_num(hi)}"
    d = 0 if u == "GBP" else count_decimals(max(float(lo), float(hi), key=abs))

    def show(v: float) -> str:
        text = f"{float(v):,.{d}f}"
        return text.lstrip("-") if not any(c in text for c in "123456789") else text

    return f"{show(lo)} to {show(hi)}"


def _num(v: float | None) -> str:
    if v is None:
        return "-"
    # whole numbers from 1,000 up ('-25,348'): 4 significant digits printed '-2.535e+04' from 10,000 to 100,000
    return f"{v:,.4g}" if abs(v) < 1000 else f"{v:,.0f}"
