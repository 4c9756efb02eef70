"""`sendsim rules list | show NAME | diff A B`: the rule sets and what separates them."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ...report.tables import fmt as _fmt
from ...report.tables import format_what_changed, table
from ...rules.accountability import assumed_period_text
from ...rules.law import compile_law
from ...rules.resolve import flatten, labels, resolve_rules, rules_dirs
from ...rules.scenario import LoadedScenario
from ...schema.files import InputError, read_yaml
from ..util import fail


@click.group("rules")
def command() -> None:
    """List, show and compare rule sets (current law and reforms)."""


@command.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print rule sets and switches as one JSON object.")
def list_(as_json: bool) -> None:
    """Every rule set and every switch that can be applied alone (NAME+switch)."""
    rows = [["Rule set", "Baseline", "Label"]]
    switches = [["Switch", "In", "In force", "Proposal"]]
    seen = set()
    for d in rules_dirs():
        for f in sorted(d.glob("*.yaml")):
            if f.stem in seen:
                continue
            seen.add(f.stem)
            try:
                data, _lines, _raw = read_yaml(f)
            except InputError as e:
                fail(e)
            rows.append([f.stem, data.get("baseline", "-"), data.get("label", "")])
            for name, sw in (data.get("switches") or {}).items():
                when = "start (hypothetical)" if sw.get("in_force") == "start" else str(sw.get("in_force", "-"))
                if sw.get("alternative"):
                    when += "; named only"
                switches.append([name, f.stem, when, sw.get("label", "")])
    if as_json:
        click.echo(json.dumps({"rule_sets": [dict(zip(("name", "baseline", "label"), r, strict=True))
                                             for r in rows[1:]],
                               "switches": [dict(zip(("name", "in", "in_force", "label"), r, strict=True))
                                            for r in switches[1:]]}, indent=2))
        return
    click.echo(table(rows))
    click.echo("\nSwitches (apply alone with e.g. current_2014+mandatory_mediation; a 'named only' switch is an "
               "alternative or sensitivity case, never part of its reform; a scenario may move any date with in_force:)")
    click.echo(table(switches))


def _resolve(name: str):
    try:
        return resolve_rules(name)
    except InputError as e:
        from ..util import fail as _fail

        _fail(e)


@command.command("show")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print the parameters as one JSON object.")
def show(name: str, as_json: bool) -> None:
    """Every parameter of a rule set: value, what it is, and its legal reference or source."""
    rs, changes, base, _h = _resolve(name)
    changed = {c.path: c for c in changes}
    lab = labels(rs)
    rows = [["Parameter", "Value", "What it is", "Reference"]]
    params: list[dict] = []
    assumed: dict[str, list[str]] = {}  # a period the map shows as a step's deadline though no source gives it
    for step, st in rs.accountability.steps.items():
        if st.assumed_period and st.in_force:
            assumed.setdefault(st.assumed_period, []).append(step)
    for path, v in flatten(rs).items():
        label, ref = lab.get(path, ("", ""))
        if path in assumed:
            label = (f"{label} (shown as the deadline of map step {', '.join(assumed[path])}: "
                     f"{assumed_period_text(rs.model_dump(mode='json'), path)})")
        key = next((p for p in changed if path == p or path.startswith(p + ".")), None)
        if key:
            ref = f"{changed[key].source} (switch {changed[key].switch}; {base}: {_fmt(changed[key].baseline)})"
        rows.append([path, _fmt(v), label, ref])
        params.append({"parameter": path, "value": v, "label": label, "reference": ref})
    if as_json:
        click.echo(json.dumps({"name": rs.name, "label": rs.label, "parameters": params}, indent=2))
        return
    click.echo(f"{rs.name}: {rs.label}\n")
    click.echo(table(rows))


@command.command("diff")
@click.argument("a")
@click.argument("b")
@click.option("--json", "as_json", is_flag=True, help="Print the differences as one JSON list.")
def diff(a: str, b: str, as_json: bool) -> None:
    """A table of the parameters that differ: parameter, A's value, B's value, source."""
    ra, ca, base_a, ha = _resolve(a)
    rb, cb, base_b, hb = _resolve(b)
    la = LoadedScenario(Path("-"), None, ra, compile_law(ra), "", ha, tuple(ca), base_a)  # type: ignore[arg-type]
    lb = LoadedScenario(Path("-"), None, rb, compile_law(rb), "", hb, tuple(cb), base_b)  # type: ignore[arg-type]
    from ...analysis.runs.compare import what_changed

    rows = what_changed(la, lb)
    click.echo(json.dumps(rows, indent=2, default=str) if as_json else format_what_changed(rows, ra.name, rb.name))
