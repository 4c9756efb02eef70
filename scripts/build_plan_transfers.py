#!/usr/bin/env python3
"""Build scenarios/plan_transfers.yaml: each authority's yearly rate of EHC plans transferred to another authority.

Run again when DfE publishes a new year:  python scripts/build_plan_transfers.py [--data DIR] [--out FILE]
(the years of ceased_plans.csv are the file's own: a later release's year is read by itself).

What comes from where (data/sen2, DfE SEN2, OGL v3.0):
- plans transferred out in calendar years 2019-2021: release2022_sen2_mi.csv, `DisleaEHC` ("EHC plan discontinued
  as transferred to another LA"); 2022 onward: ceased_plans.csv (release 2025: 2022-2023), column `transfer` ("Number
  transferred to another LA"), breakdown "All ceased EHC plans";
- the exposure: plans in force in January of the year and of the next (caseload.csv `ehcplans`), their mean (the
  plans in force over the year); where only one January is reported, that one;
- the rate = transfers / exposure: a hazard per plan-year. England's rate is England's transfers / England's
  exposure; an authority's own figure is used in each year it reports one.
- beyond the last year (out of sample): the authority's own mean rate shrunk toward England's mean, rate = E + w (own - E),
  with w = n rho / (1 + (n - 1) rho) (the Spearman-Brown reliability of a mean of n yearly rates, n = the years the
  authority reports), rho = the correlation of the authorities' rates between consecutive years (measured here);
  range: w from rho (one year's reliability) to 1 (no shrinkage).
- codes are SEN2's old LA codes; each authority reporting in any year has its own line, and the January 2019 units
  the England scenario keeps (Northamptonshire 928, Cumbria 909) have theirs too, from their successors summed.

The flows' assumptions (destination, a single authority's transfers in, when the old authority learns of a move)
are written here too, marked UNVERIFIED: no source in /work/shared gives them.
"""

from __future__ import annotations

if __name__ == "__main__":  # the script run, not a test importing it
    # Ctrl-C, SIGTERM or SIGHUP while the script's modules load or it checks the SEN2 files (about 2 s; nothing is
    # written yet): one line, exit 128 + the signal, as later in the build; it printed Python's KeyboardInterrupt
    # traceback (sixth held-out round). `main` puts its own handlers in place before it writes anything.
    from simulator.schema import early_signals

    early_signals.install("nothing was written; run the same command again")

import argparse  # noqa: E402
import csv  # noqa: E402
import importlib.util  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import signal  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

import yaml  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "sen2"
OUT = ROOT / "scenarios" / "plan_transfers.yaml"
MI_YEARS = (2019, 2020, 2021)  # release2022_sen2_mi.csv, DisleaEHC (a closed release: these years only)
# ceased_plans.csv's years (column transfer) are the file's own: a later release adds its year by itself
# the January 2019 units of the England scenario that later reported as successors (scripts/build_scenarios.py)
SUCCESSORS = {"928": ("Northamptonshire", ["940", "941"]), "909": ("Cumbria", ["942", "943"])}


def num(x: str | None) -> float | None:
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _build_scenarios():
    """scripts/build_scenarios.py, whose `check_cells` reads a SEN2 file as the scenario build does."""
    name = "_build_scenarios_for_transfers"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("build_scenarios.py"))
        mod = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
        sys.modules[name] = mod  # its dataclass looks its module up while it is defined
        spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return sys.modules[name]


class DataError(Exception):
    """A SEN2 file this build cannot read: one line naming the file, line, column and what is allowed."""


PERIOD = {"caseload.csv": (r"\d{6}", "a January caseload, e.g. 202324 for January 2024")}
_CHECKED: dict[Path, list[dict[str, str]]] = {}


def _checked(name: str) -> list[dict[str, str]]:
    """Every row of a SEN2 file, checked as scripts/build_scenarios.py checks a release (UTF-8, one field per column,
    each column once, a known geographic level, a three-digit code, each row once, every count a number from 0 to
    10,000,000 or a suppression mark) and its time periods (a calendar year; caseload.csv a January); DataError
    otherwise. Why: a later ceased_plans.csv with "1,234", -50, NaN, 1e20 or a row twice was built into rates without a
    word, and Latin-1, a renamed column, "2023/24", a short row, a BOM or a folder were tracebacks (fifth held-out
    round)."""
    path = DATA / name
    if path in _CHECKED:
        return _CHECKED[path]
    if not path.is_file():
        what = "is a folder, not a file" if path.is_dir() else "no such file"
        raise DataError(f"{path}: {what} (allowed: DfE SEN2's {name}, as data/sen2/ holds it)")
    bs = _build_scenarios()
    try:
        bs.check_cells(path)
    except bs.DataError as e:
        raise DataError(str(e)) from None
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        need = [c for c in ("time_period", "geographic_level", *bs.REQUIRED_COLUMNS.get(name, ()))
                if c not in (reader.fieldnames or [])]
        if need:
            raise DataError(f"{path}:1: no column {need[0]} (allowed: SEN2's header, which names it; a release that "
                            f"renamed it is read once the column is given its SEN2 name, {need[0]})")
        pattern, allowed = PERIOD.get(name, (r"\d{4}", "a calendar year, e.g. 2023"))
        out = []
        for r in reader:
            if not re.fullmatch(pattern, r["time_period"]):
                raise DataError(f"{path}:{reader.line_num}: time_period: got {r['time_period']!r} (allowed: "
                                f"{allowed})")
            out.append(r)
    _CHECKED[path] = out
    return out


def rows(name: str, level: str) -> list[dict[str, str]]:
    return [r for r in _checked(name) if r["geographic_level"] == level
            and r.get("breakdown_topic", "All").startswith("All")]


def release() -> int:
    """The SEN2 release the files come from, which the source names: N for ceased_plans.csv's last calendar year N-2
    (release 2025 brings 2023, as shipped), whose data guidance data-guidance-releaseN.txt must be beside them. Why:
    a new year of ceased plans dropped in without its guidance was sourced to the older release named by the newest
    guidance file there (fourth held-out round, as scripts/build_scenarios.py's `sen2_release`)."""
    n = ceased_years()[-1] + 2
    if (DATA / f"data-guidance-release{n}.txt").is_file():
        return n
    found = sorted(int(m) for p in DATA.glob("data-guidance-release*.txt")
                   if (m := p.stem.removeprefix("data-guidance-release")).isdigit() and p.is_file())
    there = (f"; the newest there, data-guidance-release{found[-1]}.txt, is release {found[-1]}'s, for calendar "
             f"{found[-1] - 2}" if found else "")
    print(f"{DATA}: no data-guidance-release{n}.txt for ceased_plans.csv's last year, {n - 2}{there} (allowed: the "
          f"data guidance DfE publishes with release {n}, which the source names)", file=sys.stderr)
    raise SystemExit(2)


def ceased_years() -> tuple[int, ...]:
    """The calendar years of ceased_plans.csv (England's rows), 2022-2023 in the files shipped."""
    return tuple(sorted({int(r["time_period"]) for r in rows("ceased_plans.csv", "National")}))


def transfers(level: str) -> dict[tuple[int, str], float]:
    """{(year, code): plans transferred out} (code "E" for England)."""
    out: dict[tuple[int, str], float] = {}
    ceased = ceased_years()
    for r in rows("release2022_sen2_mi.csv", level):
        y = int(r["time_period"])
        if y in MI_YEARS and (v := num(r["DisleaEHC"])) is not None:
            out[(y, r["old_la_code"] if level != "National" else "E")] = v
    for r in rows("ceased_plans.csv", level):
        y = int(r["time_period"])
        if y in ceased and r["breakdown"] == "All ceased EHC plans" and (v := num(r["transfer"])) is not None:
            out[(y, r["old_la_code"] if level != "National" else "E")] = v
    return out


def plans(level: str) -> dict[tuple[int, str], float]:
    """{(January year, code): plans in force} (caseload.csv; 202324 = January 2024)."""
    out = {}
    for r in rows("caseload.csv", level):
        p = r["time_period"]
        if (v := num(r["ehcplans"])) is not None:
            out[(int(p[:4]) + 1, r["old_la_code"] if level != "National" else "E")] = v
    return out


def with_successors(d: dict[tuple[int, str], float]) -> dict[tuple[int, str], float]:
    """The January 2019 units' figures where they reported as successors (all successors present)."""
    out = dict(d)
    years = {y for y, _ in d}
    for unit, (_name, codes) in SUCCESSORS.items():
        for y in years:
            if (y, unit) not in d and all((y, c) in d for c in codes):
                out[(y, unit)] = sum(d[(y, c)] for c in codes)
    return out


def exposure(p: dict[tuple[int, str], float], y: int, code: str) -> float | None:
    """Plans in force over calendar year y: the mean of January y and January y+1 (either alone if one is missing)."""
    vals = [p[(j, code)] for j in (y, y + 1) if (j, code) in p]
    return sum(vals) / len(vals) if vals else None


def main(argv: list[str] | None = None) -> None:
    global DATA, OUT
    ap = argparse.ArgumentParser(description="Build scenarios/plan_transfers.yaml from the SEN2 files.")
    ap.add_argument("--data", type=Path, default=DATA, help="folder of the SEN2 files (default: data/sen2)")
    ap.add_argument("--out", type=Path, default=OUT, help="file to write (default: scenarios/plan_transfers.yaml)")
    a = ap.parse_args(argv)
    DATA, OUT = a.data, a.out
    _CHECKED.clear()

    def stop(signum: int, _frame: object) -> None:  # SIGTERM, SIGHUP: as Ctrl-C, so the half-written file goes
        raise KeyboardInterrupt(signum)

    if __name__ == "__main__":  # the script run: Ctrl-C, SIGTERM and SIGHUP end in one line (not in a test's process)
        for sig in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)):
            if sig is not None and signal.getsignal(sig) is not signal.SIG_IGN:
                signal.signal(sig, signal.default_int_handler if sig == signal.SIGINT else stop)
    try:
        if OUT.is_dir():
            raise DataError(f"{OUT}: is a folder (allowed: --out FILE, the plan-transfers file to write, e.g. "
                            f"{OUT / 'plan_transfers.yaml'})")
        _main()
    except KeyboardInterrupt as e:
        signum = e.args[0] if e.args and isinstance(e.args[0], int) else signal.SIGINT
        name = "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name
        print(f"interrupted ({name}): nothing was written; run the same command again", file=sys.stderr)
        raise SystemExit(128 + signum) from None
    except DataError as e:
        print(f"error: {e} (nothing was written)", file=sys.stderr)
        raise SystemExit(2) from None


def _main() -> None:
    ceased = ceased_years()
    years = (*MI_YEARS, *ceased)
    t_la, p_la = with_successors(transfers("Local authority")), with_successors(plans("Local authority"))
    t_e, p_e = transfers("National"), plans("National")
    names = {r["old_la_code"]: r["la_name"] for name in ("caseload.csv", "ceased_plans.csv")
             for r in rows(name, "Local authority")}
    names.update({u: n for u, (n, _c) in SUCCESSORS.items()})
    rates: dict[str, dict[int, float]] = {}
    for (y, code), t in sorted(t_la.items()):
        e = exposure(p_la, y, code)
        if e:
            rates.setdefault(code, {})[y] = t / e
    # year-to-year correlation of the authorities' rates (consecutive years both reported), pooled over the pairs
    if len(ceased) < 2:
        raise DataError(f"{DATA / 'ceased_plans.csv'}: years {list(ceased)} (allowed: two or more, from 2022)")
    missing = [y for y in years if (y, "E") not in t_e or exposure(p_e, y, "E") is None]
    if missing:
        raise DataError(f"{DATA}: no England figure of plans transferred and plans in force for {missing[0]} "
                        "(allowed: England's row of each year in release2022_sen2_mi.csv, ceased_plans.csv and "
                        "caseload.csv: DfE publishes England's totals unsuppressed)")
    national = {y: round(t_e[(y, "E")] / exposure(p_e, y, "E"), 5) for y in years}
    pairs = [(r[y], r[y + 1]) for r in rates.values() for y in years[:-1] if y in r and y + 1 in r]
    p0, p1 = ceased[0], ceased[1]  # the first two years of the person-level collection
    pairs_22 = [(r[p0], r[p1]) for r in rates.values() if p0 in r and p1 in r]
    try:
        rho = statistics.correlation([a for a, _ in pairs], [b for _, b in pairs])
        rho_22 = statistics.correlation([a for a, _ in pairs_22], [b for _, b in pairs_22])
    except statistics.StatisticsError as e:
        raise DataError(f"{DATA}: the authorities' rates in consecutive years cannot be correlated ({e}) (allowed: "
                        "SEN2's files with two or more authorities reporting in consecutive years)") from None
    e_mean = statistics.fmean(national.values())
    n_all = len(years)
    w_all = n_all * rho / (1 + (n_all - 1) * rho)
    items = {}
    for code in sorted(rates, key=lambda c: names.get(c, c)):
        own = rates[code]
        n = len(own)
        w = n * rho / (1 + (n - 1) * rho)
        missing = [y for y in years if y not in own]
        note = (f"not reported in {', '.join(map(str, missing))}: the nearest year's rate is used" if missing
                else "")
        items[code] = {"name": names.get(code, code), "out_rate_by_year": {y: round(v, 5) for y, v in own.items()},
                       "out_of_sample": round(max(0.0, e_mean + w * (statistics.fmean(own.values()) - e_mean)), 5),
                       **({"note": note} if note else {})}
    yr = f"{years[0]}-{years[-1]}"
    sd = {y: statistics.stdev([r[y] for r in rates.values() if y in r]) for y in years}
    mean = {y: statistics.fmean([r[y] for r in rates.values() if y in r]) for y in years}
    doc = {
        "description": (f"Plans transferred to another local authority (SEND Regulations 2014 reg 15), {yr}: each "
                        "authority's rate = plans transferred out in the calendar year / its plans in force over the "
                        "year (mean of the Januaries either side). England: "
                        + ", ".join(f"{y} {int(t_e[(y, 'E')]):,} ({100 * national[y]:.2f}%)" for y in years)
                        + ". Across authorities (mean, SD): "
                        + ", ".join(f"{y} {100 * mean[y]:.2f}% ({100 * sd[y]:.2f})" for y in years)
                        + f"; correlation of an authority's rate between consecutive years {rho:.2f} ({p0}-{p1}: "
                        f"{rho_22:.2f}). No destination is published."),
        "source": ("DfE SEN2 (data/sen2, OGL v3.0): release2022_sen2_mi.csv DisleaEHC (2019-2021) and ceased_plans.csv "
                   f"release {release()} column transfer ({ceased[0]}-{ceased[-1]}; the person-level collection: DfE "
                   "cautions on comparing with 2021 and before); caseload.csv ehcplans (January "
                   f"{min(y for y, _ in p_e)}-{max(y for y, _ in p_e)}). Successors summed into "
                   "Northamptonshire (928: 940 + 941) and Cumbria (909: 942 + 943). Built by "
                   "scripts/build_plan_transfers.py"),
        "national_out_rate_by_year": national,
        "national_out_of_sample": {
            "value": round(e_mean, 5),
            "source": f"England's mean rate {yr} (SEN2, as above); range: the lowest and highest year",
            "range": [min(national.values()), max(national.values())]},
        "shrinkage_weight": {
            "value": round(w_all, 3),
            "source": (f"Spearman-Brown reliability of an authority's mean of n yearly rates, w = n rho / (1 + (n - 1) "
                       f"rho), rho = {rho:.3f} (the authorities' rates in consecutive years, {len(pairs)} pairs, "
                       f"SEN2 {yr}); value for n = {n_all}; an authority with fewer years has its own w (out of "
                       "sample: rate = England's mean + w (own mean - England's mean)); range: rho (one year) to 1 "
                       "(no shrinkage)"),
            "range": [round(rho, 3), 1.0]},
        "same_region_weight": {
            "value": 1.0,
            "assumption": ("UNVERIFIED: SEN2 publishes no destination of a transferred plan. The destination is "
                           "another authority of the run in proportion to its plans in force at the start; "
                           "alternative: authorities in the origin's region weighted up to 10x (most house moves are "
                           "short; ONS internal migration, not in /work/shared)"),
            "range": [1.0, 10.0]},
        "single_authority_in_ratio": {
            "value": 1.0,
            "assumption": ("UNVERIFIED: a run of one authority receives plans from outside at this ratio x its own "
                           "out-rate x its plans in force on 1 January (England's transfers in equal its transfers "
                           "out, so 1 for an authority of average net migration; SEN2 publishes no transfers in)"),
            "range": [0.5, 1.5]},
        "learned_days_before_move": {
            "value": 0.0,
            "assumption": ("UNVERIFIED: the old authority learns of a move on the day of the move, so the plan "
                           "transfers on the last lawful day, 15 working days later (reg 15(2)(b)), as the case "
                           "studies assume; range: up to 21 days (15 working days) before the move, when the plan "
                           "moves on the day of the move (reg 15(2)(a))"),
            "range": [0.0, 21.0]},
        "authorities": items,
    }
    header = ("# GENERATED by scripts/build_plan_transfers.py from data/sen2 (DfE SEN2, OGL v3.0).\n"
              "# Rates are plans transferred out / plans in force over the year. Edit the script and rebuild; do not\n"
              "# edit this file by hand.\n")
    text = yaml.safe_dump(doc, sort_keys=False, width=118, allow_unicode=True, default_flow_style=None)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{OUT.name}.", dir=OUT.parent)  # whole or not at all
    try:
        with os.fdopen(fd, "w") as f:
            f.write(header + text)
        os.replace(tmp, OUT)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    print(f"wrote {OUT}: {len(items)} authorities; England {national}; rho {rho:.3f} "
          f"({p0}-{p1} {rho_22:.3f}); w {w_all:.3f}")


if __name__ == "__main__":
    main()
