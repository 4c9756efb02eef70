"""Reading files from disk into validated models, with every error reported at once.

Each error is one line: `FILE:LINE: field.path: what is wrong (allowed: ...)`. Errors are
collected, never stopped at the first, so a user fixes a file in one pass.
"""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError


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
    except ValueError as e:  # a date that cannot exist (2019-02-30): YAML reads it as a date and fails
        raise InputError([_bad_date(path, node, e)]) from None
    lines: dict[Loc, int] = {}
    if node is not None:
        _walk(node, (), lines)
    if not isinstance(data, dict):
        raise InputError([f"{path}:1: the file must be a mapping of fields (got {type(data).__name__})"])
    return data, lines, raw


def _bad_date(path: Path, node: yaml.Node | None, err: Exception) -> str:
    """One line naming the field whose date cannot exist (YAML parses dates before the schema sees them)."""
    import datetime as dt  # noqa: PLC0415

    def find(n: yaml.Node, loc: tuple[str, ...]) -> tuple[tuple[str, ...], yaml.Node] | None:
        if isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                hit = find(v, (*loc, str(k.value)))
                if hit:
                    return hit
        elif isinstance(n, yaml.SequenceNode):
            for i, v in enumerate(n.value):
                hit = find(v, (*loc, str(i)))
                if hit:
                    return hit
        elif isinstance(n, yaml.ScalarNode) and n.tag == "tag:yaml.org,2002:timestamp":
            try:
                dt.date.fromisoformat(str(n.value)[:10])
            except ValueError:
                return loc, n
        return None

    hit = find(node, ()) if node is not None else None
    if hit is None:
        return f"{path}:?: not a valid value: {err}"
    loc, n = hit
    return f"{path}:{n.start_mark.line + 1}: {'.'.join(loc)}: {n.value} is not a date that exists ({err})"


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
        named = tuple(msg.split(" ", 1)[0].rstrip(":").split("."))
        if not loc and named in lines:  # a check across fields that names the field it is about: point at it
            loc, line = named, lines[named]
            msg = msg.split(" ", 1)[1] if " " in msg else msg
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
