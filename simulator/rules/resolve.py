"""Resolving a rule set by name: a baseline file as it is, or a reform's switches applied over its baseline.

`NAME` or `NAME+switch+switch` (a switch of any reform applied alone, so an analyst can attribute an effect to one
proposal). Rule sets are looked for beside the scenario, then in ./scenarios/rules, then among the rule sets shipped
with the package (so an installed `sendsim` finds them from any folder).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..schema.files import InputError, Loc, non_file_problem, parse_model, read_yaml, validation_lines
from ..schema.paths import get_path
from ..schema.rules import Change, Param, RuleDelta, RuleSet, Switch, effect_problem
from ..schema.shipped import closest, shipped_dir


def rules_dirs(near: Path | None = None) -> list[Path]:
    """Where rule sets are looked for: beside the scenario, then ./scenarios/rules, then the shipped ones."""
    out = []
    if near is not None:
        out.append(near.parent / "rules")
    out.append(Path.cwd() / "scenarios" / "rules")
    out.append(shipped_dir("rules"))
    seen, uniq = set(), []
    for d in out:
        if d.is_dir() and d.resolve() not in seen:
            seen.add(d.resolve())
            uniq.append(d)
    return uniq


def find_rules_file(name: str, near: Path | None = None) -> Path | None:
    """The first folder's `NAME.yaml`. A path there that is no regular file (a folder, a broken link, a device) is
    bad input, not passed over: the shipped rule set of that name was used instead, silently, while the file the
    user had put beside the scenario was never read (tenth held-out round)."""
    for d in rules_dirs(near):
        p = d / f"{name}.yaml"
        if p.is_file():
            return p
        problem = non_file_problem(p)
        if problem:
            raise InputError([problem])
    return None


@dataclass
class AppliedChange:
    """A line of the what-changed table."""

    switch: str
    path: str
    baseline: Any
    value: Any
    source: str
    assumption: str | None
    range: tuple[float, float] | None
    in_force: str = "start"  # the switch's in-force date (ISO) from its source, or "start"
    in_force_source: str = ""
    authorities: tuple[str, ...] | None = None  # the switch applies in these authorities only (None: everywhere)
    authorities_source: str = ""
    multiply: bool = False  # the value multiplies the one in force (an effect's multiplier)
    in_force_range: tuple[str, str] | None = None  # an assumed in-force date's range (ISO dates), if its source gives one


def apply_change(doc: dict, ch: Change | AppliedChange) -> Any:
    """Set the value of the parameter at `ch.path` in a rule-set document; return the old value.

    A parameter (value, unit, label, reference) gets a new value; in the accountability map, a plain
    entry (a duty holder list, a redress list, a deadline path) is replaced.
    """
    node = get_path(doc, ch.path)
    if isinstance(node, dict) and "value" in node and "unit" in node:
        old = node["value"]
        node["value"] = old * ch.value if ch.multiply else ch.value  # type: ignore[operator]
        return old
    if ch.path.startswith("accountability.") and not isinstance(node, dict):
        parent_path, key = ch.path.rsplit(".", 1)
        parent = get_path(doc, parent_path)
        parent[key] = ch.value
        return node
    raise KeyError(ch.path)


def _parameters(node: Any, prefix: str = "") -> Iterator[tuple[str, dict]]:
    """Every parameter node (value, unit, label) of a rule-set document, with its dotted path."""
    if isinstance(node, dict):
        if "value" in node and "unit" in node and "label" in node:
            yield prefix, node
            return
        for k, v in node.items():
            yield from _parameters(v, f"{prefix}.{k}" if prefix else k)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _parameters(v, f"{prefix}[{i}]")


def flatten(rs: RuleSet) -> dict[str, Any]:
    """Every parameter of a rule set as {dotted path: value}."""
    return {p: n["value"] for p, n in _parameters(rs.model_dump(mode="json", exclude={"name", "label",
                                                                                       "description"}))}


def labels(rs: RuleSet) -> dict[str, tuple[str, str]]:
    """{dotted path: (label, reference)} for every parameter."""
    return {p: (n["label"], n["reference"]) for p, n in _parameters(rs.model_dump(mode="json"))}


def _switch_index(near: Path | None) -> dict[str, tuple[Path, str, Switch, dict[Loc, int], int]]:
    """Every switch of every reform file: name -> (file, reform, switch, line map, index of the switch)."""
    index: dict[str, tuple[Path, str, Switch, dict[Loc, int], int]] = {}
    errors: list[str] = []
    stems: set[str] = set()
    for d in rules_dirs(near):
        for f in sorted(d.glob("*.yaml")):
            if f.stem in stems:
                continue  # an earlier folder's file of the same name takes precedence
            stems.add(f.stem)
            data, lines, _raw = read_yaml(f)
            if "baseline" not in data:
                continue
            delta, lines, _raw = parse_model(f, RuleDelta)
            for i, (name, sw) in enumerate(delta.switches.items()):
                if name in index:
                    errors.append(f"{f}:{lines.get(('switches', name), '?')}: switches.{name}: the switch name is "
                                  f"also used in {index[name][0]}; switch names must be unique")
                index.setdefault(name, (f, delta.name, sw, lines, i))
    if errors:
        raise InputError(errors)
    return index


def _apply_switch(doc: dict, f: Path, name: str, sw: Switch, lines: dict[Loc, int]) -> list[AppliedChange]:
    out, errors = [], []
    for i, ch in enumerate(sw.changes):
        loc = ("switches", name, "changes", i)
        try:
            old = apply_change(doc, ch)
        except KeyError:
            errors.append(f"{f}:{lines.get((*loc, 'path'), '?')}: switches.{name}.changes[{i}].path: unknown "
                          f"parameter {ch.path!r} (parameters are dotted paths such as "
                          "redress_ladder.mediation.mandatory; see `sendsim rules show current_2014`)")
            continue
        if isinstance(old, bool) != isinstance(ch.value, bool) and isinstance(old, (bool, int, float)) \
                and isinstance(ch.value, (bool, int, float)):  # lax validation would read true as 1.0
            errors.append(f"{f}:{lines.get((*loc, 'value'), '?')}: switches.{name}.changes[{i}].value: {ch.path}: "
                          f"got {str(ch.value).lower()} (allowed: "
                          f"{'true or false' if isinstance(old, bool) else 'a number, not true/false'}, like the "
                          "parameter it changes)")
            continue
        try:
            if not ch.path.startswith("accountability."):
                Param.model_validate(get_path(doc, ch.path))
                why = effect_problem(ch.path.removeprefix("effects."), ch.value) if ch.path.startswith("effects.") \
                    else None
                if why:
                    errors.append(f"{f}:{lines.get((*loc, 'value'), '?')}: switches.{name}.changes[{i}].value: "
                                  f"{ch.path}: {why}")
                    continue
        except ValidationError as e:
            msg = e.errors()[0]["msg"].removeprefix("Value error, ")
            errors.append(f"{f}:{lines.get((*loc, 'value'), '?')}: switches.{name}.changes[{i}].value: {msg}")
            continue
        out.append(AppliedChange(name, ch.path, old, ch.value, ch.source, ch.assumption, ch.range,
                                 str(sw.in_force), sw.in_force_source,
                                 tuple(sw.authorities) if sw.authorities is not None else None,
                                 sw.authorities_source or "", ch.multiply,
                                 (str(sw.in_force_range[0]), str(sw.in_force_range[1])) if sw.in_force_range else None))
    if errors:
        raise InputError(errors)
    return out


def _load_tree(name: str, near: Path | None, seen: tuple[str, ...] = ()) -> tuple[dict, list[AppliedChange],
                                                                                 list[Path], str]:
    """A rule set's merged document: a baseline file as it is, or a reform applied over its baseline."""
    if name in seen:
        raise InputError([f"rules: {name!r} is its own baseline ({' -> '.join((*seen, name))})"])
    f = find_rules_file(name, near)
    if f is None:
        avail = sorted({p.stem for d in rules_dirs(near) for p in d.glob("*.yaml")})
        raise InputError([f"rules: no rule set named {name!r}{closest(name, avail)} (allowed: "
                          f"{', '.join(avail) or 'none'})"])
    data, lines, _raw = read_yaml(f)
    if "baseline" not in data:
        rs, _lines, _raw = parse_model(f, RuleSet)
        _named_as_file(f, rs.name, _lines)
        return rs.model_dump(mode="json"), [], [f], rs.name
    delta, lines, _raw = parse_model(f, RuleDelta)
    _named_as_file(f, delta.name, lines)
    for sname, sw in delta.switches.items():  # a switch needing itself, or a switch no reform has, was never checked
        if sw.needs is not None and (sw.needs == sname or (sw.needs not in delta.switches
                                                            and sw.needs not in _all_switch_names(near))):
            why = "itself" if sw.needs == sname else "no switch of any reform"
            raise InputError([f"{f}:{lines.get(('switches', sname, 'needs'), '?')}: switches.{sname}.needs: "
                              f"{sw.needs!r} is {why} (allowed: another switch of a reform, see `sendsim rules "
                              "list`)"])
    try:
        doc, changes, files, base = _load_tree(delta.baseline, near, (*seen, name))
    except InputError as e:
        raise InputError([f"{f}:{lines.get(('baseline',), '?')}: baseline: {m.removeprefix('rules: ')}"
                          for m in e.lines]) from None
    for sname, sw in delta.switches.items():
        if not sw.alternative:
            changes += _apply_switch(doc, f, sname, sw, lines)
    doc["label"] = delta.label
    doc["description"] = delta.description
    return doc, changes, [*files, f], base


def _all_switch_names(near: Path | None) -> set[str]:
    """The switch names of every reform file (read as YAML only: a copy of a shipped reform beside a scenario shares
    its switch names, which `_switch_index` refuses only when a switch is named in an expression)."""
    names: set[str] = set()
    for d in rules_dirs(near):
        for f in d.glob("*.yaml"):
            data = read_yaml(f)[0]
            if isinstance(data, dict) and isinstance(data.get("switches"), dict):
                names |= set(data["switches"])
    return names


def _named_as_file(f: Path, name: str, lines: dict[Loc, int]) -> None:
    """A rule set is called by its file's name: a `name:` inside that says otherwise (`name: other` in wp_x.yaml) was
    used for a baseline's name, or ignored, without a word."""
    if name != f.stem:
        raise InputError([f"{f}:{lines.get(('name',), '?')}: name: {name!r} differs from the file's name "
                          f"(allowed: {f.stem}, the name the rule set is called by)"])


def _at_change(line: str, expr: str, changes: list[AppliedChange], near: Path | None) -> str:
    """A merged rule set's error (`rules EXPR:?: timeline: annual_review_interval: ...`, a rule across fields) said
    at the switch's change that set the field, `FILE:LINE: switches.S.changes[i].value: ...`, when one did. Why: the
    line named no file and no line (ninth held-out round), so the reform's author could not find the change."""
    head = f"rules {expr}:?: "
    if not line.startswith(head):
        return line
    rest = line[len(head):]
    index = None
    for ch in changes:
        section, _, field = ch.path.partition(".")
        if not (rest.startswith(f"{section}: {field}: ") or rest.startswith(f"{ch.path}: ")):
            continue
        index = index if index is not None else _switch_index(near)
        if ch.switch not in index:
            continue
        f, _reform, sw, lines, _i = index[ch.switch]
        i = next((k for k, c in enumerate(sw.changes) if c.path == ch.path), None)
        if i is None:
            continue
        why = rest.split(": ", 2)[-1] if rest.startswith(f"{section}: {field}: ") else rest[len(ch.path) + 2:]
        at = lines.get(("switches", ch.switch, "changes", i, "value"), "?")
        return f"{f}:{at}: switches.{ch.switch}.changes[{i}].value: {ch.path}: {why}"
    return line


def resolve_rules(expr: str, near: Path | None = None) -> tuple[RuleSet, list[AppliedChange], str, str]:
    """Resolve `NAME` or `NAME+switch+switch`: (merged rule set, what changed from the baseline, baseline, hash)."""
    name, *extra = expr.split("+")
    for part in (name, *extra):  # a name, never a path (`../../etc/passwd` must not be read as a rule set)
        if not re.fullmatch(r"[A-Za-z0-9_]+", part):
            raise InputError([f"rules: {part!r} in {expr!r} is not a rule-set or switch name (allowed: letters, "
                              "digits and _, joined by +, e.g. current_2014+mandatory_mediation)"])
    doc, changes, files, base = _load_tree(name, near)
    if extra:
        index = _switch_index(near)
        for sw in extra:
            if sw not in index:
                hint = closest(sw, sorted(index))
                allowed = "see `sendsim rules list`" if hint else (", ".join(sorted(index)) or "none")
                raise InputError([f"rules: no switch named {sw!r} in {expr!r}{hint} (allowed: {allowed})"])
            f, _reform, switch, lines, _i = index[sw]
            if sw in {ch.switch for ch in changes}:  # in force already (named twice, or the reform's own): once only,
                continue  # or a multiplier (`multiply: true`) compounded with itself
            if switch.needs and switch.needs not in {ch.switch for ch in changes}:
                raise InputError([f"rules: switch {sw!r} in {expr!r} needs switch {switch.needs!r} first (allowed: "
                                  f"{name}+{switch.needs}+{sw}, or a reform that has it, e.g. "
                                  f"{index[switch.needs][1] if switch.needs in index else 'its reform'}+{sw})"])
            changes += _apply_switch(doc, f, sw, switch, lines)
            files.append(f)
        doc["label"] = doc["label"] + " + " + " + ".join(extra)
    doc["name"] = expr
    try:
        rs = RuleSet.model_validate(doc)
    except ValidationError as e:
        raise InputError([_at_change(ln, expr, changes, near)
                          for ln in validation_lines(Path(f"rules {expr}"), e, {}, RuleSet)]) from None
    digest = hashlib.sha256(expr.encode())
    for f in files:
        digest.update(f.read_bytes())
    return rs, changes, base, digest.hexdigest()


def switch_names(near: Path | None = None) -> list[str]:
    """Every switch of every reform file (the names a scenario's `in_force:` may use)."""
    return sorted(_switch_index(near))


def load_rules(name: str, near: Path | None = None) -> tuple[RuleSet, str]:
    rs, _changes, _base, digest = resolve_rules(name, near)
    return rs, digest
