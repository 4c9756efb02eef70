"""`sendsim calibrate` as a procedure: the stages in order, the calibration file written with provenance.

The fitting rules of each stage (bisection of each authority's delay, the ratio updates of national parameters,
the joint rounds' updates) are in `calibrate.py`; this module runs them on a scenario, counts parameters against
targets (never more parameters than targets: refused) and writes the file `scripts/build_scenarios.py` reads.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from ...rules.scenario import load_scenario
from ...schema.files import InputError, read_yaml
from ...schema.paths import get_path, set_value
from ...schema.scenario import Scenario
from ...schema.shipped import data_root
from ..runs.folder import claim_file
from .backtest import backtest_replication, default_targets, load_la_targets, load_targets
from .calibrate import (
    CAPACITY_METHOD,
    JOINT_METHOD,
    LAPSE,
    LATE_METHOD,
    NATIONAL_METHOD,
    SHAPE,
    clip,
    first_late_shares,
    fit_delays,
    get_node,
    joint_gain,
    national_update,
    period_rows,
    provenance,
    update_delays,
    update_lapse,
    update_late_shares,
    write_calibration,
)

SIGNATURE = b"# Written by `sendsim calibrate`"  # the first line of every calibration file (`write_calibration`)
STAGE_FILES = {"delays": "each authority's own % within 20 weeks by year (TARGETS_by_la.csv)",
               "national": "the national targets (TARGETS.csv)",
               "all": "both: the delays stage's TARGETS_by_la.csv and the national stage's TARGETS.csv",
               "joint": "TARGETS.csv, and TARGETS_by_la.csv when the scenario has more than one authority"}


def calibrate(scenario: Path, targets_path: Path | None = None, stage: str = "all", rounds: int = 2,
              seed: int | None = None, workers: int = 2, codes: tuple[str, ...] = (), out: Path | None = None,
              say: Callable[[str], None] = lambda _m: None, force: bool = False) -> dict[str, Any]:
    """Fit the chosen stage(s); write the calibration file; return the fit report (InputError on bad input).

    The output file is claimed first (`claim_file`): an existing file is replaced only if `sendsim calibrate`
    wrote it (its header line) or with `force`, so `--out` naming the scenario itself never replaces it by
    accident; and each stage's input files are checked before any fitting starts."""
    # every input is checked before anything runs
    loaded = load_scenario(scenario)
    sc = loaded.scenario
    known = {la.code for la in sc.local_authorities.items}
    unknown = [c for c in codes if c not in known]
    if unknown:  # fourth held-out round: `--la 999` fitted nothing, wrote the file and said "calibrated 0", exit 0
        by_name = {la.name.casefold(): la.code for la in sc.local_authorities.items}
        hint = (f": {unknown[0]} is the name of the authority whose code is {by_name[unknown[0].casefold()]}"
                if unknown[0].casefold() in by_name else "")
        first = sc.local_authorities.items[0]
        raise InputError([f"--la: {unknown[0]!r} is not the code of an authority in {sc.name}{hint} (allowed: "
                          f"the DfE three-digit code of one of its {len(known)} authorities, e.g. {first.code} for "
                          f"{first.name})"])
    out = _out_file(out, loaded, force)
    tpath = targets_path or default_targets(loaded.path, sc.name)
    targets = load_targets(tpath, sc.start_date, sc.end_date)
    la_path = tpath.with_name(tpath.stem + "_by_la" + tpath.suffix)
    items = sc.local_authorities.items
    if stage in ("delays", "all") and not la_path.is_file():
        other = "--stage national" if stage == "all" else "--stage national (national targets only)"
        joint = ", or --stage joint (one authority: its own figures in the targets file)" if len(items) == 1 else ""
        raise InputError([f"{la_path}: file not found: --stage {stage} needs "
                          f"{STAGE_FILES[stage].replace('TARGETS', tpath.stem)}; run {other}{joint} instead, "
                          "or write that file (la_code, metric, period, value, source)"])
    if stage == "joint" and not la_path.is_file() and len(items) == 1:
        # one authority: its own figures are the scenario's targets
        la_targets = [dataclasses.replace(t, la_code=items[0].code) for t in targets
                      if t.metric == "within_20_weeks_pct"]
    else:
        la_targets = load_la_targets(la_path, loaded, targets) if stage in ("delays", "all", "joint") else []
    sd = sc.seed if seed is None else seed
    data: dict[str, Any] = read_yaml(out)[0] if _ours(out) else {}
    data = {k: v for k, v in (data or {}).items() if k in ("calibrated", "la_delay_days", "la_late_share", "national", "fit",
                                                              "delays_calibrated")}
    today = dt.date.today()
    report: dict[str, Any] = {"scenario": sc.name, "seed": sd, "targets_file": str(tpath)}
    n_params = n_tg = 0
    t0 = time.perf_counter()
    if stage in ("delays", "all"):
        say(f"stage 1: delays of {len(codes) or len(sc.local_authorities.items)} authorities, {workers} worker(s)")
        fits = fit_delays(loaded, la_targets, sd, workers, list(codes) or None, say)
        delays = data.setdefault("la_delay_days", {})
        fitted = 0
        for f in fits:
            delays[f["code"]] = {y: d for y, d in f["delays"].items()}
            fitted += sum(1 for y in f["model"])
        n_tg += sum(1 for t in la_targets if t.metric == "within_20_weeks_pct"
                    and (not codes or t.la_code in codes))
        n_params += fitted
        hits = sum(1 for f in fits for y, v in f["model"].items() if v is not None
                   and abs(v - f["observed"][y]) <= 3.0)
        report["delays"] = {"parameters": fitted, "authority_years_within_3_points": hits,
                            "method": CAPACITY_METHOD, "authorities": len(fits)}
        data["delays_calibrated"] = provenance(CAPACITY_METHOD, [f"within_20_weeks_pct by authority, {la_path}"],
                                               today)
        say(f"stage 1 done: {fitted} delays, {hits} authority-years within 3 points "
             f"({time.perf_counter() - t0:.0f} s)")
    if stage == "joint":
        n_params, n_tg = _joint(scenario, loaded, targets, la_targets, sd, rounds, data, out, report, today, say)
    if stage in ("national", "all"):
        doc = yaml.safe_load(loaded.path.read_text())
        fitted_delays = data.get("la_delay_days") or {}
        for item in doc["local_authorities"]["items"]:  # the delays of stage 1, if the scenario predates them
            if item["code"] in fitted_delays:
                item["delay_days_by_year"] = {int(y): float(v) for y, v in fitted_delays[item["code"]].items()}
        if fitted_delays:
            doc["local_authorities"]["provenance"].setdefault("delay_days_by_year", {
                "assumption": "each authority's delay, fitted by sendsim calibrate (stage 1)", "range": [0.0, 1500.0]})
        nat = data.setdefault("national", {})
        history = []
        used: dict[str, list[str]] = {}
        for r in range(rounds):
            for path, entry in nat.items():  # start from the values already fitted
                _set(doc, path, entry["value"])
            # the round's scenario: the document as fitted so far, with the rule set already loaded (nothing written)
            ld = dataclasses.replace(loaded, scenario=Scenario.model_validate(doc))
            say(f"stage 2 round {r + 1}/{rounds}: two full replications")
            rows = period_rows(ld, sd, reps=2, workers=workers)
            new, used = national_update(doc, targets, rows)
            for path, v in new.items():
                v = round(clip(doc, path, v), 5)
                nat[path] = {"value": v, **_keep(doc, path)}
            history.append({k: v["value"] for k, v in nat.items()})
        for path in nat:
            nat[path]["calibrated"] = provenance(NATIONAL_METHOD + f", {rounds} rounds",
                                                 used.get(_group(path, used), []), today)
        n_params += len({_group(p, used) for p in nat})
        n_tg += len({t for g in used.values() for t in g})
        report["national"] = {"values": {k: v["value"] for k, v in nat.items()}, "rounds": history,
                              "method": NATIONAL_METHOD}
    if n_params > n_tg:  # checked before the file is written: a refused calibration writes nothing
        raise InputError([f"{tpath}: {n_params} parameters would be fitted from only {n_tg} targets; refusing "
                          "(allowed: at most as many parameters as targets); nothing written"])
    fit = data.get("fit") if isinstance(data.get("fit"), dict) else {}
    fit = {k: v for k, v in fit.items() if k in ("delays", "national", "joint")}  # a later stage keeps the others'
    if stage == "joint":
        fit = {"joint": {"parameters": n_params, "targets": n_tg}}
    if stage in ("delays", "all"):
        fit["delays"] = {"parameters": report["delays"]["parameters"],
                         "targets": sum(1 for t in la_targets if t.metric == "within_20_weeks_pct")}
    if stage in ("national", "all"):
        fit["national"] = {"parameters": n_params - fit.get("delays", {}).get("parameters", 0)
                           if stage == "all" else n_params, "targets": n_tg - (fit.get("delays", {}).get("targets", 0)
                                                                               if stage == "all" else 0)}
    total_p = sum(v["parameters"] for v in fit.values())
    total_t = sum(v["targets"] for v in fit.values())
    data["calibrated"] = f"{today.isoformat()}: {total_p} parameters from {total_t} targets ({tpath})"
    data["fit"] = fit
    write_calibration(out, data)
    report.update({"parameters": n_params, "targets": n_tg, "calibration_file": str(out),
                   "wall_seconds": round(time.perf_counter() - t0, 1)})
    return report


def _joint(scenario: Path, loaded: Any, targets: list[Any], la_targets: list[Any], sd: int, rounds: int,
           data: dict[str, Any], out: Path, report: dict[str, Any], today: dt.date,
           say: Callable[[str], None]) -> tuple[int, int]:
    """Delays, national parameters and yearly lapses fitted together on the full model (see calibrate.py)."""
    doc = yaml.safe_load(loaded.path.read_text())
    # the last calendar year with an official figure (a January caseload is the end of the year before)
    last = max(int(t.period[:4]) + ("/" in t.period) - (t.metric == "plans_in_force_january") for t in targets)
    doc["end_date"] = min(dt.date(last, 12, 31), loaded.scenario.end_date)
    observed: dict[str, dict[int, float]] = {}
    for t in la_targets:
        if t.metric == "within_20_weeks_pct":
            observed.setdefault(t.la_code, {})[int(t.period)] = t.value
    delays = {item["code"]: {int(y): float(v) for y, v in (item.get("delay_days_by_year") or {}).items()}
              for item in doc["local_authorities"]["items"]}
    # lateness apart from the share on time (MODEL.md 3.3) when the scenario states how late a late plan is
    late = doc.get("durations", {}).get("authority_lateness_days") is not None
    if late:
        shares = {item["code"]: {int(y): float(v) for y, v in (item.get("late_share_by_year") or {}).items()}
                  for item in doc["local_authorities"]["items"]}
        first = first_late_shares(observed)
        shares = {code: shares.get(code) or first.get(code, {}) for code in {*shares, *first}}
        doc["local_authorities"]["provenance"].setdefault("late_share_by_year", {
            "assumption": "each authority's late share, fitted by sendsim calibrate --stage joint", "range": [0.0, 1.0]})
    lapse_node = get_node(doc, LAPSE)
    lapse = {int(y): float(v) for y, v in (lapse_node.get("by_year") or {}).items()}
    nat = data.setdefault("national", {})
    history: list[dict[str, Any]] = []
    used: dict[str, list[str]] = {}
    lapse_used: list[str] = []
    secant: dict[tuple[str, int], tuple[float, float]] = {}  # each authority-year's last (log(1 + d), model %)
    for r in range(rounds):
        for item in doc["local_authorities"]["items"]:
            if late:
                item.pop("delay_days_by_year", None)
                item["late_share_by_year"] = dict(sorted(shares.get(item["code"], {}).items()))
            else:
                item["delay_days_by_year"] = dict(sorted(delays.get(item["code"], {}).items()))
        for path, entry in nat.items():
            if path != LAPSE:
                _set(doc, path, entry["value"])
        lapse_node["by_year"] = dict(sorted(lapse.items()))
        ld = dataclasses.replace(loaded, scenario=Scenario.model_validate(doc))
        say(f"joint round {r + 1}/{rounds}: one full replication to {doc['end_date']}")
        res = backtest_replication(ld, sd, 0, by_la=True)
        gain = joint_gain(get_node(doc, SHAPE)["value"], r)
        if late:
            updated, within = update_late_shares(shares, res["by_la"], observed, secant)
        else:
            updated, within = update_delays(delays, res["by_la"], observed, gain, secant)
        new, used = national_update(doc, targets, res["by_period"])
        for path, v in new.items():
            nat[path] = {"value": round(clip(doc, path, v), 5), **_keep(doc, path)}
        lapse, lapse_used = update_lapse(lapse, targets, res["by_period"], (lapse_node.get("range") or [0, 1])[1])
        plans = {t.period: (res["by_period"].get(t.period) or {}).get("new_plans") for t in targets
                 if t.metric == "new_plans_issued"}
        history.append({"round": r + 1, "authority_years_within_3_points": within, "of": updated,
                        "new_plans": plans, "lapse_by_year": dict(lapse),
                        "national": {k: v["value"] for k, v in nat.items() if k != LAPSE}})
        over = {p: round(v["over_1_year_pct"], 1) for p, v in res["by_period"].items() if v.get("over_1_year_pct")}
        say(f"  {within}/{updated} authority-years within 3 points; new plans {plans}; lapse {lapse}; "
             f"plans over a year (%) {over}")
    if late:
        data.pop("la_delay_days", None)
        data["la_late_share"] = {code: dict(sorted(q.items())) for code, q in sorted(shares.items()) if q}
    else:
        data["la_delay_days"] = {code: d for code, d in delays.items() if d}
    method = f"{LATE_METHOD if late else JOINT_METHOD}, {rounds} rounds"
    for path in nat:
        if path != LAPSE:
            nat[path]["calibrated"] = provenance(method, used.get(_group(path, used), []), today)
    nat[LAPSE] = {"value": lapse_node.get("value", 0.0), "by_year": dict(sorted(lapse.items())),
                  **_keep(doc, LAPSE), "calibrated": provenance(method, lapse_used, today)}
    data["delays_calibrated"] = provenance(method, ["within_20_weeks_pct by authority"], today)
    n_delay = sum(len(v) for v in observed.values())
    groups = {_group(p, used) for p in nat if p != LAPSE}
    n_params = n_delay + len(groups) + len(lapse_used)  # the lapse of each year with a figure
    n_tg = n_delay + len({t for g in used.values() for t in g}) + len(lapse_used)
    report["joint"] = {"rounds": history, "method": method}
    return n_params, n_tg


def _out_file(out: Path | None, loaded: Any, force: bool) -> Path:
    """The calibration file to write: `--out` a folder (its `<name>.yaml`), a file ending .yaml, or by default
    `calibration/<name>.yaml` beside the scenario (the current folder's for a shipped one: never the package)."""
    name = loaded.scenario.name
    if out is not None and out.suffix not in (".yaml", ".yml"):  # --out a folder (as everywhere): its file inside
        if out.exists() and not out.is_dir():
            raise InputError([f"--out: {out} is a file (allowed: a folder, or a file name ending .yaml)"])
        out = out / f"{name}.yaml"
    if out is None:
        shipped = str(loaded.path).startswith(str(data_root()))
        out = (Path.cwd() if shipped else loaded.path.parent) / "calibration" / f"{name}.yaml"
    allowed = "a new file name ending .yaml, or a calibration file sendsim wrote"
    if out.exists() and out.resolve() == Path(loaded.path).resolve() and not force:
        raise InputError([f"--out: {out} is the scenario being calibrated; refusing to replace it with a calibration "
                          f"file (allowed: {allowed}; --force replaces that file only)"])
    return claim_file(out, force, SIGNATURE, allowed=allowed)


def _ours(path: Path) -> bool:
    """A calibration file this command wrote (its header line): its fitted values are kept and extended."""
    try:
        with open(path, "rb") as f:
            return f.read(len(SIGNATURE)) == SIGNATURE
    except OSError:
        return False


def _group(path: str, used: dict[str, list[str]]) -> str:
    """The fitted group a parameter belongs to (placement and cessation share one scale), else itself."""
    return next((g for g in used if path == g or path.startswith(g + ".")
                 or (g.endswith("placement_and_cessation") and path.rsplit(".", 1)[-1] in ("placement", "cessation"))),
                path)


def _set(doc: dict[str, Any], path: str, value: float) -> None:
    """A fitted value into the scenario document; a new parameter gets the assumption and range `_keep` states."""
    set_value(doc, path, value, _keep(doc, path))


def _keep(doc: dict[str, Any], path: str) -> dict[str, Any]:
    """The assumption and range a calibrated value keeps (new parameters get a stated one)."""
    try:
        node = get_path(doc, path)
    except KeyError:
        node = {}
    if path == "redress.dispute_growth_pct_per_year" and "assumption" not in node:
        return {"assumption": "Yearly growth of disputes per appealable decision (families' propensity to appeal), "
                              "fitted to the trend of appeals registered 2019-2023 (DfE/MoJ appeal-rate table: "
                              "1.8% of appealable decisions in 2019, 2.5% in 2023)", "range": [-10.0, 30.0]}
    return {k: node[k] for k in ("assumption", "range") if k in node}
