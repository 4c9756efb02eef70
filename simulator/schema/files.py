"""Reading files from disk into validated models, with every error reported at once.

Each error is one line: `FILE:LINE: field.path: what is wrong (allowed: ...)`. Errors are
collected, never stopped at the first, so a user fixes a file in one pass.

Why a loader of our own around PyYAML: a file is input from anyone, so reading it must be safe whatever it holds.
- The text must be UTF-8 (a stray Latin-1 byte is refused with its line, never silently replaced).
- The document is composed once (the C parser, `yaml.CSafeLoader`, when PyYAML has libyaml: about 14x faster on
  england.yaml) and the node graph is walked before anything is built from it: duplicate keys are refused (PyYAML
  keeps the last silently, which changed results), aliases may expand to at most `NODE_BUDGET` nodes in all (a
  1 KB "billion laughs" file otherwise exhausts memory), an alias inside itself is refused, and nesting deeper than
  `MAX_DEPTH` is refused (no `RecursionError`).
- NaN and infinity are refused everywhere (no field of any file means them; JSON outputs cannot hold them).
- The top level must be a mapping (not empty, not a list or a scalar).

Why this module is long: every check of an input file (encoding, size, special files, YAML structure, aliases,
NaN, schema errors turned into lines) sits beside the one reader that applies them, so each refusal's wording and
line number come from one place.
"""

from __future__ import annotations

import datetime as dt
import math
import pickle
import re
import typing
from collections import OrderedDict
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

NODE_BUDGET = 10_000  # nodes repeated by alias expansion (the shipped files use none; a real file a few dozen)
MAX_DEPTH = 64  # nesting levels: the deepest shipped file has 8
MAX_BYTES = 4 * 1024 * 1024  # the national scenario is 0.17 MB: 24x headroom, and any file is read in about a second

Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class InputError(Exception):
    """Bad input: one message line per problem. The CLI prints them and exits with code 2."""

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines


Loc = tuple[Any, ...]


def _walk(root: yaml.Node, path: Path, out: dict[Loc, int], quoted: set[Loc] | None = None) -> None:
    """Line of every field path; refuse duplicate keys, alias bombs, self-reference and deep nesting.

    Iterative (an explicit stack) so no file can exhaust Python's recursion limit; an aliased node is visited once
    per place it is used, which is exactly the expansion the constructor would do, so the budget bounds the work."""
    seen_nodes: set[int] = set()
    expanded = 0
    stack: list[tuple[yaml.Node, Loc, tuple[int, ...]]] = [(root, (), ())]
    while stack:
        node, loc, ancestors = stack.pop()
        line = node.start_mark.line + 1
        if id(node) in seen_nodes:
            expanded += 1
        seen_nodes.add(id(node))
        if expanded > NODE_BUDGET:
            raise InputError([f"{path}:{line}: {_dotted(loc)}: the document repeats more than {NODE_BUDGET:,} "
                              "values through aliases (aliases nested in aliases?) (allowed: "
                              f"at most {NODE_BUDGET:,} values repeated by aliases)"])
        if len(ancestors) > MAX_DEPTH:
            raise InputError([f"{path}:{line}: {_dotted(loc)}: nested more than {MAX_DEPTH} levels deep "
                              f"(allowed: at most {MAX_DEPTH})"])
        if id(node) in ancestors:
            raise InputError([f"{path}:{line}: {_dotted(loc)}: an alias refers to the node that contains it "
                              "(allowed: aliases of other nodes only)"])
        out.setdefault(loc, line)
        inner = (*ancestors, id(node))
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            children = []
            for k, v in node.value:
                if not isinstance(k, yaml.ScalarNode):
                    raise InputError([f"{path}:{k.start_mark.line + 1}: {_dotted(loc)}: a key must be a plain "
                                      "name (allowed: text or a number)"])
                key = k.value
                kline = k.start_mark.line + 1
                if key == "<<" and k.tag == "tag:yaml.org,2002:merge":
                    children.append((v, loc))
                    continue
                if key in seen:
                    raise InputError([f"{path}:{kline}: {_dotted((*loc, key))}: duplicate key (first given on line "
                                      f"{seen[key]}) (allowed: each key once)"])
                seen[key] = kline
                out[(*loc, key)] = kline
                children.append((v, (*loc, key)))
                # numeric keys (years) are parsed as ints by the safe loader
                if key.lstrip("-").isdigit():
                    out[(*loc, int(key))] = kline
                    children.append((v, (*loc, int(key))))
            stack.extend((v, c, inner) for v, c in reversed(children))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((v, (*loc, i), inner) for i, v in reversed(list(enumerate(node.value))))
        else:
            if node.tag not in PLAIN_TAGS:  # !!binary, !!omap, !!pairs, !!set: YAML's own types no field holds
                raise InputError([f"{path}:{line}: {_dotted(loc)}: {node.tag.rsplit(':', 1)[-1]} is not a value "
                                  "a sendsim file holds (allowed: text, a number, true/false, a date, a list or "
                                  "a mapping)"])
            if not node.style:  # plain: the C parser gives '', the Python one None
                odd = _odd_plain(node)
                if odd:
                    raise InputError([f"{path}:{line}: {_dotted(loc)}: got {node.value} ({odd})"])
            if quoted is not None and (node.style in ("'", '"') or _explicit_text(node)):
                quoted.add(loc)


def _explicit_text(node: yaml.ScalarNode) -> bool:
    """A plain value tagged `!!str` that YAML would otherwise read as something else (`!!str 0.0`): text, as a quoted
    "0.0" is, so a number field refuses it as it refuses the quoted one (pydantic's lax mode read it as 0.0)."""
    return node.tag == _STR and not node.style and Loader.resolve(Loader, yaml.ScalarNode, node.value,
                                                                   (True, False)) != _STR


# The scalar tags a sendsim file may hold (why: `!!binary` became bytes and then text, silently: `name: !!binary
# aGVsbG8=` was the scenario "hello"); mappings, lists and the merge key are walked above.
_STR = "tag:yaml.org,2002:str"
PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp"))
_SEXAGESIMAL = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")
_LEADING_ZERO = re.compile(r"[-+]?0[0-9_]+")


def _odd_plain(node: yaml.ScalarNode) -> str | None:
    """Why a plain (unquoted) value that YAML 1.1 reads as a number or a time is not what it looks like, or None.

    Why: YAML 1.1 reads `1:30` as 90 (base 60), `052` as 42 (octal), and `2019-01-01T10:30` as a date and a time
    whose time the schema drops: each was taken silently as another value than the one written."""
    v = node.value
    if node.tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
        if _SEXAGESIMAL.fullmatch(v):
            return "YAML reads digits joined by ':' as a number in base 60 (allowed: a number written with digits " \
                   "and a decimal point, e.g. 90; a time as a quoted text)"
        if node.tag == "tag:yaml.org,2002:int" and _LEADING_ZERO.fullmatch(v):
            return "YAML reads a whole number with a leading 0 as octal (allowed: the number without its leading " \
                   "zeros, e.g. 52)"
    if node.tag == "tag:yaml.org,2002:timestamp" and len(v) > 10:
        return "a date and a time of day (allowed: a date written YYYY-MM-DD, without a time)"
    return None


def _non_finite(data: Any, loc: Loc = ()) -> list[Loc]:
    """Paths of every NaN or infinite number in the built data (iterative, like `_walk`)."""
    bad, stack = [], [(data, loc)]
    while stack:
        x, at = stack.pop()
        if isinstance(x, float) and not math.isfinite(x):
            bad.append(at)
        elif isinstance(x, dict):
            stack.extend((v, (*at, k)) for k, v in x.items())
        elif isinstance(x, list):
            stack.extend((v, (*at, i)) for i, v in enumerate(x))
    return sorted(bad, key=str)


def _line_of(lines: dict[Loc, int], loc: Loc) -> int | str:
    for n in range(len(loc), -1, -1):
        if loc[:n] in lines:
            return lines[loc[:n]]
    return "?"


def utf16(raw: bytes) -> bool:
    """Whether bytes look like UTF-16 text (a spreadsheet's "Unicode Text", Notepad's "Unicode"): its byte-order mark,
    or ASCII text with a NUL byte beside every character. Such a file was refused as "a binary file", which sends a
    user looking for the wrong fault (seventh held-out round)."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    head = raw[:200]
    if len(head) < 4 or len(head) % 2:
        return False
    text = head[0::2] if not any(head[1::2]) else head[1::2] if not any(head[0::2]) else b""
    return bool(text) and all(32 <= b < 127 or b in (9, 10, 13) for b in text)


UTF16 = "UTF-16 text, not UTF-8"  # said where a file is refused for it


def decode(path: Path, raw: bytes) -> str:
    """The text of a file that must be UTF-8: a bad byte is refused with its line, never replaced."""
    if utf16(raw):
        raise InputError([f"{path}:1: (file): {UTF16} (allowed: UTF-8 text; from a spreadsheet, save as \"CSV UTF-8\", "
                          "not \"Unicode Text\")"])
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise InputError([f"{path}:{line}: (file): a NUL byte: this is a binary file, not text "
                          "(allowed: UTF-8 text)"])
    try:  # a byte-order mark (a spreadsheet's "CSV UTF-8") is not part of the text: the first header stays "metric"
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise InputError([f"{path}:{line}: (file): byte 0x{raw[e.start]:02x} is not UTF-8 text "
                          "(allowed: UTF-8 text; save the file as UTF-8)"]) from None


# How a shipped file of each kind is used, said beside a suggestion of that kind: a missing file's hint searches
# every kind (the reader does not know which command asked), and `sendsim run ivy` suggested the case study
# `ivy_excluded_...` as if it were a scenario. A scenario is said as itself.
_KIND_USE = {"rules": "a rule set: --rules {}", "targets": "a backtest's targets", "sweeps": "a sweep: sendsim batch {}",
             "case_studies": "a case study: sendsim case-study {}", "benchmarks": "a benchmark network: sendsim bench {}"}


def _shipped_hint(path: Path) -> str:
    """' (did you mean X?)' when a missing file's name is close to a shipped file's (scenario, case study, ...), each
    suggestion that is not a scenario with its kind and the command that takes it."""
    from .shipped import KINDS, another_kind, closest, shipped_names

    exact = another_kind(path)  # locate() found no file of the command's kind of that name: it is of another kind
    if exact:
        return exact
    kind_of: dict[str, str] = {}
    for kind in KINDS:
        for n in shipped_names(kind):
            kind_of.setdefault(n, kind)
    hint = closest(path.stem, sorted(kind_of))
    if not hint:
        return ""
    names = hint.removeprefix(" (did you mean ").removesuffix("?)").split(" or ")
    said = [n if kind_of[n] == "scenarios" else f"{n} ({_KIND_USE[kind_of[n]].format(n)})" for n in names]
    return f" (did you mean {' or '.join(said)}?)"


def _special(path: Path) -> str:
    """A non-regular file in words (a named pipe, a device, a socket)."""
    import stat  # noqa: PLC0415

    mode = path.stat().st_mode
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a socket" if stat.S_ISSOCK(mode) else "a special file"


def _a_folder(path: Path) -> str:
    """A folder where a file is meant, in words with what is allowed: a file, and the first of the folder's own YAML
    or CSV files as an example (the user may have meant one of them). Why: "is a folder, not a file" did not say what
    to give instead."""
    import os  # noqa: PLC0415

    names: list[str] = []
    try:
        with os.scandir(path) as entries:
            for i, e in enumerate(entries):
                if i >= 1000:  # a huge folder: the example is a courtesy, never a long scan
                    break
                if e.name.endswith((".yaml", ".yml", ".csv")) and e.is_file():
                    names.append(e.name)
    except OSError:
        pass
    example = f", e.g. {path / min(names)}" if names else ""
    return f"is a folder, not a file (allowed: a file saved on disk{example})"


def non_file_problem(path: Path) -> str | None:
    """`PATH: is a folder, not a file` (or a device, a FIFO) for a path that exists but is not a regular file; None
    for a regular file or a missing one (whose message, "file not found", each caller words with its own hint)."""
    if path.is_file() or not (path.exists() or path.is_symlink()):
        return None
    if path.is_dir():
        return f"{path}: {_a_folder(path)}"
    if not path.exists():  # a symlink to nothing
        return f"{path}: is a link that leads to no file (allowed: a file saved on disk, or a link to one)"
    return f"{path}: is {_special(path)}, not a regular file (allowed: a file saved on disk)"


def read_bytes(path: Path) -> bytes:
    """The bytes of an input file; a missing, unreadable or oversized file is bad input (one line)."""
    try:
        if not path.is_file():
            if path.is_dir():
                what = _a_folder(path)
            elif path.exists():  # /dev/zero, a FIFO, a socket: reading would never end, or block
                what = f"is {_special(path)}, not a regular file (allowed: a file saved on disk)"
            elif path.is_symlink():  # a broken link, or links in a loop (it said "file not found", did you mean...)
                what = "is a link that leads to no file (allowed: a file saved on disk, or a link to one)"
            else:
                what = "file not found" + _shipped_hint(path)
            raise InputError([f"{path}: {what}"])
        if path.stat().st_size > MAX_BYTES:
            raise InputError([f"{path}:1: (file): the file is {path.stat().st_size:,} bytes (allowed: at most "
                              f"{MAX_BYTES:,})"])
        with open(path, "rb") as f:  # at most MAX_BYTES + 1 even if the file grows (or says 0, as /proc does)
            raw = f.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            raise InputError([f"{path}:1: (file): the file is more than {MAX_BYTES:,} bytes (allowed: at most "
                              f"{MAX_BYTES:,})"])
        return raw
    except OSError as e:
        raise InputError([f"{path}: cannot be read: {e.strerror or e}"]) from None


# Parsed documents by their bytes (most recently used last): a command that resolves several rule sets, or a test
# session, reads the same rule set and scenario files many times (a four-rule case study parses current_2014.yaml
# 20 times). Only a file that parsed cleanly is kept, as its pickle, so every caller gets objects of its own to
# change; a file whose bytes changed is parsed afresh, and a bad file is checked (and refused) every time.
_PARSED: OrderedDict[bytes, tuple[bytes, dict[Loc, int], frozenset[Loc]]] = OrderedDict()
PARSED_KEPT = 32  # documents kept: the shipped scenarios and rule sets are 20 files, 3 MB of pickles in all


def _not_csv(path: Path) -> None:
    """A CSV file where a YAML file is meant (`sendsim validate targets/small_la.csv`) is said as such. Why: it was
    "the file is a single value (allowed: a mapping of fields)", or "not valid YAML", which does not say what the
    file is nor which command reads it."""
    if path.suffix.lower() == ".csv":
        raise InputError([f"{path}:1: (file): this is a CSV file, not YAML (allowed: a YAML file of `name: value` "
                          "lines; a CSV file of official figures is a backtest's targets: sendsim backtest --targets "
                          "FILE)"])


def read_yaml(path: Path, quoted: set[Loc] | None = None) -> tuple[Any, dict[Loc, int], bytes]:
    """Parse a YAML file; return the data, a map from field path to line number, and the raw bytes (and, into
    `quoted` if given, the paths of quoted values: "5" is text, so a number field refuses it)."""
    raw = read_bytes(path)
    kept = _PARSED.get(raw)
    if kept is not None:
        _PARSED.move_to_end(raw)
        pickled, lines, quoted_locs = kept
        if quoted is not None:
            quoted.update(quoted_locs)
        return pickle.loads(pickled), dict(lines), raw
    found: set[Loc] = set()
    data, lines = _parse(path, raw, found)
    if quoted is not None:
        quoted.update(found)
    _PARSED[raw] = (pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL), dict(lines), frozenset(found))
    if len(_PARSED) > PARSED_KEPT:
        _PARSED.popitem(last=False)
    return data, lines, raw


def _parse(path: Path, raw: bytes, quoted: set[Loc]) -> tuple[Any, dict[Loc, int]]:
    """The checks and the parse of `read_yaml` (every refusal one line naming the file and line)."""
    text = decode(path, raw)
    if not text.strip() or all(ln.lstrip().startswith("#") or not ln.strip() for ln in text.splitlines()):
        raise InputError([f"{path}:1: (file): the file is empty (allowed: a mapping of fields)"])
    loader = Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            line = f"{mark.line + 1}" if mark else "?"
            problem = getattr(e, "problem", None) or str(e).splitlines()[0]
            _not_csv(path)
            raise InputError([f"{path}:{line}: (file): not valid YAML: {problem}"]) from None
        lines: dict[Loc, int] = {}
        if node is None:
            raise InputError([f"{path}:1: (file): the file is empty (allowed: a mapping of fields)"])
        if not isinstance(node, yaml.MappingNode):
            _not_csv(path)
            kind = "a list" if isinstance(node, yaml.SequenceNode) else "a single value"
            raise InputError([f"{path}:{node.start_mark.line + 1}: (top level): the file is {kind} "
                              "(allowed: a mapping of fields, `name: value` lines)"])
        _walk(node, path, lines, quoted)
        try:
            data = loader.construct_document(node)
        except ValueError as e:  # a date that cannot exist (2019-02-30): YAML reads it as a date and fails
            if "date" in str(e) or "day" in str(e) or "month" in str(e):
                raise InputError([_bad_date(path, node, e)]) from None
            raise InputError([f"{path}:?: (file): not valid YAML: {e}"]) from None
        except (yaml.YAMLError, TypeError, OverflowError) as e:
            mark = getattr(e, "problem_mark", None)
            line = f"{mark.line + 1}" if mark else "?"
            problem = getattr(e, "problem", None) or str(e).splitlines()[0]
            raise InputError([f"{path}:{line}: (file): not valid YAML: {problem}"]) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise InputError([f"{path}:1: (top level): the file must be a mapping of fields (got "
                          f"{type(data).__name__})"])
    bad = _non_finite(data)
    if bad:
        raise InputError([f"{path}:{_line_of(lines, loc)}: {_dotted(loc)}: not a finite number (allowed: a finite "
                          "number; NaN and infinity are never meaningful here)" for loc in bad])
    return data, lines


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
    return (f"{path}:{n.start_mark.line + 1}: {'.'.join(loc)}: {n.value} is not a date that exists ({err}) (allowed: a "
            "real day, YYYY-MM-DD; 29 February only in a leap year)")


def _dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        if part == "[key]":  # pydantic's mark of a bad dict key: the path before it names the key already
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def _is_tag(part: Any) -> bool:
    """A part of pydantic's error location that names its own machinery, not a field of the file:
    `function-after[_explained(), Provenance]`, `list[...]`, `literal['all']` (a union's branches)."""
    return isinstance(part, str) and re.fullmatch(r"[a-z][a-z-]*\[.*\]", part) is not None


def _union_branch(loc: Loc) -> tuple[Loc, str] | None:
    """(the field's location, the union branch tried) when the error is one branch of a union field, else None."""
    for i, part in enumerate(loc):
        if isinstance(part, str) and re.fullmatch(r"(literal|list|dict|str|int|float|bool)\[.*\]", part):
            return tuple(p for p in loc[:i] if not _is_tag(p)), part.split("[", 1)[0]
    return None


def _parse_dotted(text: str) -> Loc:
    """`moves[0].date` as the location ('moves', 0, 'date'): the inverse of `_dotted`, so a check across fields whose
    message names an item of a list points at that item's line."""
    out: list[str | int] = []
    for part in text.split("."):
        name, *idx = part.split("[")
        out.append(name)
        for i in idx:
            digits = i.rstrip("]")
            out.append(int(digits) if digits.isdigit() else digits)
    return tuple(out)


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


_BOUND_WORDS = {"ge": "greater than or equal to", "gt": "greater than", "le": "less than or equal to",
                "lt": "less than"}


def _short(x: Any) -> str:
    """A value as the user wrote it, cut to one short line (an empty value as YAML's word for it: "got None" was
    Python's)."""
    if x is None:
        return "null (no value)"
    if isinstance(x, bool):  # as YAML writes it ("got True" was Python's)
        return "true" if x else "false"
    r = repr(x).replace("\n", " ")
    return r if len(r) <= 60 else r[:57] + "..."


SCHEMA_KINDS = {"Scenario": "scenario", "RuleSet": "rules", "Sweep": "sweep", "CaseStudy": "case_study"}  # schema --kind


# what a field of each kind takes, for pydantic's type errors (tenth held-out round: "got 'abc' (input should be a
# valid tuple)" on a range, 91 of 466 bad files, named the problem in pydantic's words and not what is allowed)
_TYPE_ALLOWED = {
    "float_parsing": "a number, e.g. 0.25", "float_type": "a number, e.g. 0.25", "finite_number": "a finite number",
    "int_parsing": "a whole number, e.g. 5", "int_type": "a whole number, e.g. 5",
    "int_from_float": "a whole number, e.g. 5", "bool_parsing": "true or false", "bool_type": "true or false",
    "string_type": "a text (in quotes if it would read as a number, a date or true/false)",
    "dict_type": "a mapping of keys to values (key: value lines)",
    "model_type": "a mapping of its fields (field: value lines)",
    "model_attributes_type": "a mapping of its fields (field: value lines)",
    "list_type": "a list, e.g. [a, b]", "tuple_type": "a list of its values in brackets, e.g. [0.1, 0.3]"}


def explain(e: dict[str, Any]) -> str:
    """One pydantic error as `what is wrong (allowed: ...)`, for a caller that checks a model itself (a sweep's
    corners)."""
    return _explain(e)


def _explain(e: dict[str, Any]) -> str:
    """One pydantic error as `what is wrong (allowed: ...)`."""
    msg = e["msg"].removeprefix("Value error, ")
    typ = e["type"]
    ctx = e.get("ctx") or {}
    got = _short(e.get("input"))
    if typ == "missing":  # said what is allowed too (seventh held-out round: the line ended at "missing")
        return "required field is missing (allowed: the field given)"
    if typ in ("too_long", "too_short") and ("max_length" in ctx or "min_length" in ctx):
        n = ctx.get("max_length", ctx.get("min_length"))  # a range of three values was "Tuple should have at most 2
        most = "at most" if typ == "too_long" else "at least"  # items after validation, not 3", no "allowed"
        return f"got {got} (allowed: {most} {n} item{'s' if n != 1 else ''})"
    # a bare number (20190401, 5) read as a timestamp, or text that is no date ('2019-1-1', '1 Sept 2019')
    if typ in ("date_from_datetime_inexact", "date_parsing", "date_from_datetime_parsing", "date_type"):
        return f"got {got} (allowed: a date written YYYY-MM-DD, e.g. 2019-09-01)"
    x = e.get("input")
    if typ == "less_than_equal" and ctx.get("le") == 1 and isinstance(x, int | float) and not isinstance(x, bool) \
            and 1 < x <= 100:  # a share or a probability written as a percentage: 45 for 0.45 (45%)
        return f"got {got} (allowed: a fraction from 0 to 1: a percentage, {x:g}%, is written {x / 100:g})"
    if typ in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        bound = " and ".join(f"{_BOUND_WORDS[k]} {ctx[k]:g}" for k in ("ge", "gt", "le", "lt") if k in ctx)
        return f"got {got} (allowed: a number {bound})"
    if typ in _TYPE_ALLOWED:  # pydantic's "input should be a valid tuple" said what was wrong, never what is allowed
        return f"got {got} ({msg[0].lower() + msg[1:]}; allowed: {_TYPE_ALLOWED[typ]})"
    if typ == "literal_error" or typ.startswith("enum"):
        return f"{msg} (got {got})"
    if typ in ("string_pattern_mismatch", "string_too_short", "string_too_long", "too_short", "too_long"):
        return f"got {got} ({msg[0].lower() + msg[1:]})"
    return msg


def validation_lines(path: Path, err: ValidationError, lines: dict[Loc, int], model: type[BaseModel]) -> list[str]:
    out = []
    errors = err.errors()
    branches = [_union_branch(e["loc"]) for e in errors]
    deeper = {b[0] for e, b in zip(errors, branches, strict=True)
              if b is not None and len([p for p in e["loc"] if not _is_tag(p)]) > len(b[0])}
    # a date-or-literal field (`in_force: {switch: 2020-01-01 | start}`): pydantic names the date branch `date`, with
    # no brackets (a field may be called date too), so it is a branch only beside its literal one; it gave two lines
    literal_at = {b[0] for b in branches if b is not None and b[1] == "literal"}
    branches = [(tuple(p for p in e["loc"][:-1] if not _is_tag(p)), "date")
                if b is None and e["loc"] and e["loc"][-1] == "date"
                and tuple(p for p in e["loc"][:-1] if not _is_tag(p)) in literal_at else b
                for e, b in zip(errors, branches, strict=True)]
    said: set[Loc] = set()
    for e, branch in zip(errors, branches, strict=True):
        if branch is not None and branch[0] in deeper and branch[1] == "literal":
            continue  # `parameters: all` or a list: the list's own errors say what is wrong, not "should be 'all'"
        if branch is not None and branch[0] not in deeper and len(set(b[1] for b in branches if b and
                                                                   b[0] == branch[0])) > 1:
            if branch[0] not in said:  # neither branch fits: one line saying both
                said.add(branch[0])
                kinds = sorted({({"list": "a list", "dict": "a mapping", "date": "a date written YYYY-MM-DD"}
                                 .get(b[1], b[1]) if b[1] != "literal" else
                                 _short(err_e.get("ctx", {}).get("expected", "")).strip("'\""))
                                for b, err_e in zip(branches, errors, strict=True) if b and b[0] == branch[0]})
                out.append(f"{path}:{_line_of(lines, branch[0])}: {_dotted(branch[0])}: got {_short(e.get('input'))} "
                           f"(allowed: {' or '.join(kinds)})")
            continue
        loc = tuple(p for p in e["loc"] if not _is_tag(p))
        line = _line_of(lines, loc)
        named = ()
        if not loc:  # a check across fields that names the field it is about: point at that field
            first = e["msg"].removeprefix("Value error, ").split(" ", 1)[0].rstrip(":")
            named = _parse_dotted(first)
            if named in lines:
                loc, line = named, lines[named]
            else:
                named = ()
        elif e["type"] == "value_error":  # a block's check naming a field inside the block ("provenance.x.range: ..")
            first = e["msg"].removeprefix("Value error, ").split(" ", 1)[0]
            inner = _parse_dotted(first.rstrip(":")) if first.endswith(":") else ()
            if inner and (*loc, *inner) in lines:
                named = loc = (*loc, *inner)
                line = lines[loc]
        if e["type"] == "extra_forbidden":
            owner = _model_at(model, loc[:-1])
            allowed = ", ".join(owner.model_fields) if owner else ""
            why = (getattr(owner, "NOT_MODELLED", None) or {}).get(loc[-1]) if owner else None
            msg = (f"{why} (allowed: {allowed})" if why else  # a field an author may expect, said why it is not one
                   f"unknown field {loc[-1]!r}" + (f" (allowed: {allowed})" if allowed else ""))
        else:
            msg = _explain(e)
            kind = SCHEMA_KINDS.get(model.__name__)
            if e["type"] == "missing" and kind:
                msg = msg.replace("(allowed: the field given)", f"(allowed: the field given; `sendsim schema --kind "
                                                                f"{kind}` lists every field)")
            if named:  # the message began with the field's name: it is now the line's field
                msg = msg.split(" ", 1)[1] if " " in msg else msg
        out.append(f"{path}:{line}: {_dotted(loc)}: {msg}".replace("\n", " "))
    return out


def _kind_mismatches(given: Any, built: Any, quoted: set[Loc], loc: Loc = ()) -> list[tuple[Loc, Any, str]]:
    """Where the file gave a boolean and the model made it a number (`seed: true` -> 1), or a number the model made
    a boolean (`in_force: 1` -> True): pydantic's lax mode converts both silently, so
    `refuse_to_assess_probability: true` read as 1.0. Compared leaf by leaf, so every model is covered at once."""
    out: list[tuple[Loc, Any, str]] = []
    stack = [(given, built, loc)]
    while stack:
        g, b, at = stack.pop()
        if isinstance(g, bool):
            if not isinstance(b, bool) and isinstance(b, (int, float)):
                out.append((at, g, "a number, not true/false"))
        elif isinstance(g, (int, float)):
            if isinstance(b, bool):
                out.append((at, g, "true or false, not a number"))
            elif isinstance(b, dt.date):  # a whole number of days' seconds: `old_authority_learned: 0` was read as
                # 1 January 1970 (Unix time), `1551657600` as 4 March 2019 (tenth held-out round)
                out.append((at, g, "a date written YYYY-MM-DD, e.g. 2019-09-01, not a number"))
        elif isinstance(g, str) and at in quoted:
            if isinstance(b, (int, float)) and not isinstance(b, bool):
                out.append((at, g, "a number, without quotes"))
            elif isinstance(b, bool):
                out.append((at, g, "true or false, without quotes"))
        elif isinstance(g, dict) and isinstance(b, dict):
            stack.extend((v, b[k], (*at, k)) for k, v in g.items() if k in b)
        elif isinstance(g, list) and isinstance(b, (list, tuple)) and len(g) == len(b):
            stack.extend((v, b[i], (*at, i)) for i, v in enumerate(g))
    return sorted(out, key=lambda x: str(x[0]))


# A top-level field only one kind of file has, what that kind is, and the command that reads it: a file of one kind
# given where another is expected (`sendsim validate case.yaml`, `case-study --scenario case.yaml`) is said so in one
# line, instead of a dozen "required field is missing" lines about the other kind.
FILE_KINDS: dict[str, tuple[str, str]] = {
    "child": ("a case-study file", "sendsim case-study FILE --rules ..."),
    "local_authorities": ("a scenario", "sendsim validate FILE, sendsim run FILE"),
    "design": ("a sweep", "sendsim batch FILE"),
    "redress_ladder": ("a rule set", "a scenario's rules: NAME, or --rules NAME"),
    "switches": ("a reform's changes to a rule set", "a scenario's rules: NAME, or --rules NAME"),
    "stages": ("a benchmark network", "sendsim bench FILE"),
    "national_out_rate_by_year": ("a plan-transfers file", "a scenario's plan_transfers: FILE"),
    "delays_calibrated": ("a calibration file", "scripts/build_scenarios.py (sendsim calibrate writes it)"),
}


def other_kind(data: Any, model: type[BaseModel]) -> tuple[str, str, str, str] | None:
    """(the key, what the file is, its command, what was expected) when `data` is plainly a file of another kind than
    `model` reads: it has another kind's own top-level field, and `model` has none of that name; else None."""
    if not isinstance(data, dict):
        return None
    expected = next((FILE_KINDS[k][0] for k in FILE_KINDS if k in model.model_fields), None)
    if expected is None:
        return None
    for key, (what, command) in FILE_KINDS.items():
        if key in data and key not in model.model_fields and what != expected:
            return key, what, command, expected
    return None


def parse_model(path: Path, model: type[BaseModel]) -> tuple[Any, dict[Loc, int], bytes]:
    quoted: set[Loc] = set()
    data, lines, raw = read_yaml(path, quoted)
    try:
        obj = model.model_validate(data)
    except ValidationError as e:
        other = other_kind(data, model)
        if other is not None:
            key, what, command, expected = other
            raise InputError([f"{path}:{lines.get((key,), 1)}: {key}: this is {what}, not {expected} (allowed: "
                              f"{expected}; {what} is read by {command})"]) from None
        raise InputError(validation_lines(path, e, lines, model)) from None
    bad = _kind_mismatches(data, obj.model_dump(by_alias=True), quoted)
    if bad:
        raise InputError([f"{path}:{_line_of(lines, loc)}: {_dotted(loc)}: got "
                          f"{_short(g) if isinstance(g, str) else str(g).lower()} (allowed: {what})"
                          for loc, g, what in bad])
    return obj, lines, raw
