"""Planning a sweep file: the parameters the scenario and rule-set files declare as ranged assumptions, checked
against what the sweep names, and the `Plan` of tasks (nothing runs here; `batch.run_batch` runs it).

Why the declared ranges are the default: every effect of a reform and many behaviours of the scenario are
assumptions with a plausible range (`schema.sourced`, `schema.rules.Param`); a sweep that varies them all by
default is the honest question "which assumption does this result depend on".
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ...rules.scenario import LoadedScenario, load_scenario
from ...schema.files import InputError, explain, non_file_problem, parse_model, read_yaml
from ...schema.overrides import unread
from ...schema.paths import get_path
from ...schema.shipped import locate, not_found
from ...schema.sweep import Sweep
from ..runs.metrics import METRIC_LABELS
from .plan import Parameter, Plan, SendModel, _sha, check_design_size, unit_points

# --- the parameters the files declare -----------------------------------------------------------------------

def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def scenario_ranges(doc: Any, prefix: str = "") -> dict[str, tuple[float, float]]:
    """Every number of a scenario document that is an assumption with a range: {dotted path: range}.

    Values that change by year (`by_year` given) and table-wide provenance notes are left out: one number
    cannot stand for them."""
    out: dict[str, tuple[float, float]] = {}
    if isinstance(doc, dict):
        if _number(doc.get("value")) and doc.get("assumption") and doc.get("range") and not doc.get("by_year"):
            lo, hi = doc["range"]
            if lo < hi:
                out[prefix] = (float(lo), float(hi))
            return out
        for k, v in doc.items():
            out.update(scenario_ranges(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out.update(scenario_ranges(v, f"{prefix}.{i}"))
    return out


def _rule_params(doc: Any, prefix: str = "") -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    if isinstance(doc, dict):
        if "value" in doc and "unit" in doc and "label" in doc:
            return {prefix: doc}
        for k, v in doc.items():
            out.update(_rule_params(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out.update(_rule_params(v, f"{prefix}.{i}"))
    return out


def rules_ranges(doc: dict[str, Any], changes: Sequence[Any]) -> dict[str, tuple[float, float]]:
    """The assumptions of one resolved rule set: the baseline's ranged parameters that no switch replaced, and
    the ranged values of its switches."""
    out = {p: (float(n["range"][0]), float(n["range"][1])) for p, n in _rule_params(doc).items()
           if _number(n["value"]) and n.get("assumption") and n.get("range")}
    for ch in changes:
        if ch.multiply:  # its range is of its factor, not of the parameter: the parameter keeps the range set
            continue
        out.pop(ch.path, None)
        if ch.range is not None and _number(ch.value) and ch.range[0] < ch.range[1]:
            out[ch.path] = (float(ch.range[0]), float(ch.range[1]))
    return {p: r for p, r in out.items() if r[0] < r[1]}


# --- planning a sweep file ----------------------------------------------------------------------------------

def load_sweep(path: str | Path) -> tuple[Sweep, dict[Any, int], Path]:
    p = locate(path, "sweeps")
    sweep, lines, _raw = parse_model(p, Sweep)
    return sweep, lines, p


def plan_sweep(path: str | Path, trajectories: int | None = None) -> Plan:
    """A sweep file checked against the scenario and rule sets it names, planned into tasks (nothing runs)."""
    sweep, lines, p = load_sweep(path)
    return plan(sweep, p, lines)


def plan(sweep: Sweep, path: Path, lines: dict[Any, int] | None = None) -> Plan:
    lines = lines or {}

    def where(*loc: Any) -> str:
        return f"{path}:{lines.get(loc, lines.get(loc[:1], '?'))}"

    unknown = [o for o in sweep.outputs if o not in METRIC_LABELS]
    if unknown:
        raise InputError([f"{where('outputs')}: outputs: unknown metric {o!r} (allowed: "
                          f"{', '.join(METRIC_LABELS)})" for o in unknown])
    near = path.parent / sweep.scenario  # beside the sweep file, else as given (a shipped name works)
    sc_path: Path = near if near.is_file() else Path(sweep.scenario)
    if not locate(sc_path, "scenarios").is_file():  # said once, at its own line (not once per rule set)
        raise InputError([f"{where('scenario')}: scenario: "
                          f"{non_file_problem(sc_path) or not_found(sweep.scenario, 'scenarios')}"])
    errors: list[str] = []
    base: list[LoadedScenario] = []
    for i, r in enumerate(sweep.rules):
        try:
            base.append(load_scenario(sc_path, r, sweep.until))
        except InputError as e:
            scenario_file = str(locate(sc_path, "scenarios"))
            for m in e.lines:
                if ": --until: " in m:  # the sweep's `until`, the same for every rule set: once, at its line
                    line = f"{where('until')}: until: {m.split(': --until: ', 1)[1]}"
                elif m.startswith(scenario_file):  # the scenario file's own problem: once, at `scenario:`
                    line = f"{where('scenario')}: scenario: {m}"
                else:
                    line = f"{where('rules', i)}: rules[{i}]: {m}"
                if line not in errors:
                    errors.append(line)
    if errors:
        raise InputError(errors)
    sc_doc = read_yaml(base[0].path)[0]
    docs = [b.rules.model_dump(mode="json") for b in base]
    resolved = [b.changes for b in base]
    sc_r = scenario_ranges(sc_doc)
    ru_r = [rules_ranges(d, ch) for d, ch in zip(docs, resolved, strict=True)]
    params: list[Parameter] = []
    if sweep.parameters == "all":
        # every ranged value the run reads: one the scenario leaves unread (the other waits model's, MODEL.md 3.3)
        # is left out here, refused only when named
        chosen = [(f"scenario.{k}", None) for k in sorted(sc_r) if unread(base[0].scenario, k) is None]
        chosen += [(f"rules.{k}", None) for k in sorted(set().union(*ru_r))]
    else:
        chosen = [(sp.path, sp.range) for sp in sweep.parameters]
    for j, (name, given) in enumerate(chosen):
        loc = ("parameters", j, "path")
        sub = name.split(".", 1)[1]
        if name.startswith("scenario."):
            try:
                node = get_path(sc_doc, sub)
            except KeyError:
                node = None
            if not (isinstance(node, dict) and _number(node.get("value"))):
                errors.append(f"{where(*loc)}: {'.'.join(map(str, loc[:2]))}.path: {name!r} is not a number of "
                              f"the scenario (ranged assumptions: {', '.join(sorted(sc_r)) or 'none'})")
                continue
            never = unread(base[0].scenario, sub)
            if never is not None:  # a silent no-op: refused before anything runs
                errors.append(f"{where(*loc)}: parameters[{j}].path: {name!r} is never read by the run, so a sweep "
                              f"over it changes nothing: {never.message} (allowed: a value the run reads)")
                continue
            rng = given or sc_r.get(sub)
            if rng is None:
                errors.append(f"{where(*loc)}: parameters[{j}].path: {name!r} has no declared range: give "
                              "`range: [low, high]`")
                continue
            params.append(Parameter(name, tuple(rng for _ in base), tuple(float(node["value"]) for _ in base)))
            continue
        nodes = [_rule_params(d).get(sub) for d in docs]
        if all(n is None or not _number(n["value"]) for n in nodes):
            errors.append(f"{where(*loc)}: parameters[{j}].path: {name!r} is not a number of the rule sets "
                          f"(ranged assumptions: {', '.join(sorted(set().union(*ru_r))) or 'none'})")
            continue
        declared = [rr.get(sub) for rr in ru_r]
        if given is not None:
            # varied where the rule set declares it an assumption; where none does, in every rule set
            declared = [given if (d is not None or not any(declared)) else None for d in declared]
        if not any(declared):
            errors.append(f"{where(*loc)}: parameters[{j}].path: {name!r} has no declared range: give "
                          "`range: [low, high]`")
            continue
        fixed = tuple(float(n["value"]) if n is not None and _number(n["value"]) else None for n in nodes)
        params.append(Parameter(name, tuple(declared), fixed))
    if errors:
        raise InputError(errors)
    check_design_size(sweep.design, len(params), len(sweep.rules), sweep.replications, where("design"))
    unit = unit_points(sweep.design, len(params))
    identity = tuple(_sha(b.scenario_sha256, b.rules_sha256) for b in base)
    model = SendModel(tuple(base), sc_doc, tuple(docs), identity)
    out = Plan(sweep.name, tuple(sweep.rules), tuple(params), sweep.design, unit,
               base[0].scenario.seed if sweep.seed is None else sweep.seed, sweep.replications,
               tuple(sweep.outputs), model, base[0].scenario.name, str(path))
    _check_corners(out, path)
    return out


def _check_corners(p: Plan, path: Path) -> None:
    """Every parameter at its low and high end at once must still make valid files (caught before running)."""
    if not isinstance(p.model, SendModel):
        return
    for u in (0.0, 1.0):
        for r in range(len(p.rules)):
            values = {q.name: q.value(u, r) for q in p.parameters}
            try:
                p.model.loaded(values, r)
            except Exception as e:  # a pydantic error: its first error names the field, the value and the bound
                errs = e.errors() if hasattr(e, "errors") else []
                if errs:  # in the words a file's own error has ("a fraction from 0 to 1: a percentage, 45%, is written 0.45")
                    what = (f"{'.'.join(str(x) for x in errs[0]['loc'] if not str(x).startswith('function-'))}: "
                            f"{explain(errs[0])}")
                else:
                    what = (str(e).splitlines() or [type(e).__name__])[0]
                raise InputError([f"{path}: parameters: at the {'low' if u == 0 else 'high'} end of every range "
                                  f"the files are not valid under {p.rules[r]}: {what}"
                                  + ("" if "allowed:" in what else " (allowed: ranges within what each value may be)")
                                  ]) from None


def screening_plan(scenario: str | Path, rules: list[str], trajectories: int, seed: int | None = None,
                   until: Any = None, outputs: Sequence[str] | None = None) -> Plan:
    """The Morris screening `compare --sensitivity N` runs: every declared assumption of the scenario and the rule
    sets, N trajectories, 2 replications a point, the headline outputs (a sweep written by the command)."""
    sc = Path(scenario)
    name = "compare-sensitivity"
    fields: dict[str, Any] = {"name": name, "scenario": str(sc.resolve()) if sc.is_file() else str(scenario),
                              "rules": rules, "until": until, "seed": seed, "replications": 2,
                              "design": {"kind": "morris", "trajectories": trajectories}}
    if outputs:
        fields["outputs"] = list(outputs)
    try:
        sweep = Sweep.model_validate(fields)
    except Exception as e:
        raise InputError([f"--sensitivity: {' '.join(str(e).split())}"]) from None
    return plan(sweep, Path(f"--sensitivity {trajectories}"))
