"""Dotted paths into a document read from disk (`redress_ladder.mediation.mandatory`, `costs.hearing.0.amount`).

One helper for every layer that names a parameter by its path: the rule-set validator, the switches that change a
parameter, calibration (which writes fitted values into a scenario document) and the scenario's own references
to its fields (`redress.mediation_settles_probability`).
"""

from __future__ import annotations

from typing import Any


def get_path(doc: Any, path: str) -> Any:
    """The node at a dotted path of nested dicts and lists (a number indexes a list); KeyError if there is none."""
    cur: Any = doc
    for part in path.split("."):
        if isinstance(cur, list) and part.isdigit() and int(part) < len(cur):
            cur = cur[int(part)]
        elif isinstance(cur, dict) and part in cur:
            cur = cur[part]
        else:
            raise KeyError(path)
    return cur


def get_attr_path(obj: Any, path: str) -> Any:
    """The same walk over attributes of validated models (`scenario.redress.mediation_settles_probability`)."""
    node = obj
    for part in path.split("."):
        node = getattr(node, part)
    return node


def set_value(doc: dict[str, Any], path: str, value: Any, leaf_defaults: dict[str, Any] | None = None) -> None:
    """Set `value` of the parameter node at `path` of a document, making the nodes on the way if missing."""
    node: Any = doc
    keys = path.split(".")
    for k in keys[:-1]:
        node = node.setdefault(k, {})
    leaf = node.setdefault(keys[-1], {})
    leaf["value"] = value
    if leaf_defaults and "source" not in leaf and "assumption" not in leaf:
        leaf.update(leaf_defaults)
