"""Reading files from disk into validated models, with every error reported at once.

Each error is one line: `FILE:LINE: field.path: what is wrong (allowed: ...)`. Errors are
collected, never stopped at the first, so a user fixes a file in one pass.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from .rules import (
    AppliedChange,
    Law,
    Param,
    RuleDelta,
    RuleSet,
    Switch,
    apply_change,
    compile_law,
    find_rules_file,
    get_path,
    rules_dirs,
)
from .scenario import Scenario


class InputError(Exception):
    """Bad input: one message line per problem. The CLI prints them and exits with code 2."""

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines


Loc = tuple[Any, ...]


def _walk(node: yaml.Node, loc: Loc, out: dict[Loc, int]) -> None:
    out.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            key = k.value
            out[(*loc, key)] = k.start_mark.line + 1
            # numeric keys (years) are parsed as ints by the safe loader
            if isinstance(key, str) and key.lstrip("-").isdigit():
                out[(*loc, int(key))] = k.start_mark.line + 1
            _walk(v, (*loc, key), out)
            if isinstance(key, str) and key.lstrip("-").isdigit():
                _walk(v, (*loc, int(key)), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _walk(v, (*loc, i), out)


def read_yaml(path: Path) -> tuple[Any, dict[Loc, int], bytes]:
    """Parse a YAML file; return the data, a map from field path to line number, and the raw bytes."""
    if not path.is_file():
        raise InputError([f"{path}: file not found"])
    raw = path.read_bytes()
    text = raw.decode("utf-8", errors="replace")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f"{mark.line + 1}" if mark else "?"
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise InputError([f"{path}:{line}: not valid YAML: {problem}"]) from None
    lines: dict[Loc, int] = {}
    if node is not None:
        _walk(node, (), lines)
    if not isinstance(data, dict):
        raise InputError([f"{path}:1: the file must be a mapping of fields (got {type(data).__name__})"])
    return data, lines, raw


def _dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def _model_at(model: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The pydantic model that owns the field at `loc` (to list its allowed fields)."""
    cur: Any = model
    for part in loc:
        if isinstance(part, int) or not (isinstance(cur, type) and issubclass(cur, BaseModel)):
            if isinstance(part, int):
                continue
            return None
        field = cur.model_fields.get(part)
        if field is None:
            return None
        ann = field.annotation
        cur = _unwrap(ann)
    return cur if isinstance(cur, type) and issubclass(cur, BaseModel) else None


def _unwrap(ann: Any) -> Any:
    for _ in range(4):
        origin = typing.get_origin(ann)
        if origin is None:
            return ann
        args = [a for a in typing.get_args(ann) if a is not type(None)]
        if origin in (list, tuple):
            ann = args[0]
        elif origin is dict:
            ann = args[1]
        elif origin is typing.Annotated:
            ann = args[0]
        else:  # Union / Optional
            models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
            ann = models[0] if models else args[0]
    return ann


def validation_lines(path: Path, err: ValidationError, lines: dict[Loc, int], model: type[BaseModel]) -> list[str]:
    out = []
    for e in err.errors():
        loc = tuple(p for p in e["loc"] if p not in ("function-after[_explained(), Provenance]",))
        line = None
        for n in range(len(loc), -1, -1):
            if loc[:n] in lines:
                line = lines[loc[:n]]
                break
        msg = e["msg"].removeprefix("Value error, ")
        typ = e["type"]
        if typ == "extra_forbidden":
            owner = _model_at(model, loc[:-1])
            allowed = ", ".join(owner.model_fields) if owner else ""
            msg = f"unknown field {loc[-1]!r}" + (f" (allowed: {allowed})" if allowed else "")
        elif typ == "missing":
            msg = "required field is missing"
        elif typ == "literal_error" or typ.startswith("enum") or typ in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
            msg = f"{msg} (got {e.get('input')!r})"
        out.append(f"{path}:{line if line is not None else '?'}: {_dotted(loc)}: {msg}")
    return out


def parse_model(path: Path, model: type[BaseModel]) -> tuple[Any, dict[Loc, int], bytes]:
    data, lines, raw = read_yaml(path)
    try:
        obj = model.model_validate(data)
    except ValidationError as e:
        raise InputError(validation_lines(path, e, lines, model)) from None
    return obj, lines, raw


@dataclass(frozen=True)
class LoadedScenario:
    path: Path
    scenario: Scenario
    rules: RuleSet
    law: Law
    scenario_sha256: str
    rules_sha256: str
    changes: tuple[AppliedChange, ...] = ()
    baseline: str = ""
    until: dt.date | None = None


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
        try:
            if not ch.path.startswith("accountability."):
                Param.model_validate(get_path(doc, ch.path))
        except ValidationError as e:
            msg = e.errors()[0]["msg"].removeprefix("Value error, ")
            errors.append(f"{f}:{lines.get((*loc, 'value'), '?')}: switches.{name}.changes[{i}].value: {msg}")
            continue
        out.append(AppliedChange(name, ch.path, old, ch.value, ch.source, ch.assumption, ch.range))
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
        raise InputError([f"rules: no rule set named {name!r} (available: {', '.join(avail) or 'none'})"])
    data, lines, _raw = read_yaml(f)
    if "baseline" not in data:
        rs, _lines, _raw = parse_model(f, RuleSet)
        return rs.model_dump(mode="json"), [], [f], rs.name
    delta, lines, _raw = parse_model(f, RuleDelta)
    try:
        doc, changes, files, base = _load_tree(delta.baseline, near, (*seen, name))
    except InputError as e:
        raise InputError([f"{f}:{lines.get(('baseline',), '?')}: baseline: {m.removeprefix('rules: ')}"
                          for m in e.lines]) from None
    for sname, sw in delta.switches.items():
        changes += _apply_switch(doc, f, sname, sw, lines)
    doc["label"] = delta.label
    doc["description"] = delta.description
    return doc, changes, [*files, f], base


def resolve_rules(expr: str, near: Path | None = None) -> tuple[RuleSet, list[AppliedChange], str, str]:
    """Resolve `NAME` or `NAME+switch+switch`: (merged rule set, what changed from the baseline, baseline, hash)."""
    name, *extra = expr.split("+")
    doc, changes, files, base = _load_tree(name, near)
    if extra:
        index = _switch_index(near)
        for sw in extra:
            if sw not in index:
                raise InputError([f"rules: no switch named {sw!r} in {expr!r} (switches: "
                                  f"{', '.join(sorted(index)) or 'none'})"])
            f, _reform, switch, lines, _i = index[sw]
            changes += _apply_switch(doc, f, sw, switch, lines)
            files.append(f)
        doc["label"] = doc["label"] + " + " + " + ".join(extra)
    doc["name"] = expr
    try:
        rs = RuleSet.model_validate(doc)
    except ValidationError as e:
        raise InputError(validation_lines(Path(f"rules {expr}"), e, {}, RuleSet)) from None
    digest = hashlib.sha256(expr.encode())
    for f in files:
        digest.update(f.read_bytes())
    return rs, changes, base, digest.hexdigest()


def load_rules(name: str, near: Path | None = None) -> tuple[RuleSet, str]:
    rs, _changes, _base, digest = resolve_rules(name, near)
    return rs, digest


def load_scenario(path: str | Path, rules: str | None = None, until: dt.date | None = None) -> LoadedScenario:
    """Load and validate a scenario and the rule set it names (or `rules`, to override).

    `until` ends the run earlier than the scenario's `end_date` (a shorter look at a long scenario).
    """
    path = Path(path)
    sc, lines, raw = parse_model(path, Scenario)
    if until is not None:
        if not sc.start_date < until <= sc.end_date:
            raise InputError([f"{path}: --until: {until} must fall after start_date {sc.start_date} and no later "
                              f"than end_date {sc.end_date}"])
        sc = sc.model_copy(update={"end_date": until})
        raw = raw + f"\n# until {until}".encode()
    name = rules or sc.rules
    try:
        rs, changes, base, rules_hash = resolve_rules(name, path)
    except InputError as e:
        line = lines.get(("rules",), "?")
        raise InputError([f"{path}:{line}: {m}" if m.startswith("rules:") else m for m in e.lines]) from None
    return LoadedScenario(path, sc, rs, compile_law(rs), hashlib.sha256(raw).hexdigest(), rules_hash,
                          tuple(changes), base, until)
