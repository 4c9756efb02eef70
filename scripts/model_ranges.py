#!/usr/bin/env python3
"""Write the ranges of the redress assumptions into docs/MODEL.md from the files that hold them, so the document
never states a range the files no longer have (a typed copy went stale once: issue 23).

    python scripts/model_ranges.py          # rewrite the block between the markers in docs/MODEL.md
    python scripts/model_ranges.py --check  # exit 1 if the block differs from the files (tests/test_integrity.py)
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = "<!-- ranges from the files: begin (scripts/model_ranges.py) -->", "<!-- ranges: end -->"
REDRESS = ("mediation_agreement_for_family_share", "mediation_partial_agreement_share",
           "mediation_settles_compelled_probability", "mediation_wait_when_late_probability",
           "la_follows_nonbinding_review_probability")


def _num(x: float) -> str:
    return f"{x:g}"


def _one(node: dict) -> str:
    lo, hi = node["range"]
    return f"{_num(node['value'])} ({_num(lo)}-{_num(hi)})"


def block() -> str:
    beh = yaml.safe_load((ROOT / "scenarios" / "national_behaviour.yaml").read_text())["redress"]
    law = yaml.safe_load((ROOT / "scenarios" / "rules" / "current_2014.yaml").read_text())
    parts = [f"`redress.{k}` {_one(beh[k])}" for k in REDRESS]
    drop = beh["drop_out_at_compelled_rung_probability"]
    parts.append("`drop_out_at_compelled_rung_probability` " + ", ".join(f"{c} {_one(drop[c])}"
                                                                          for c in ("low", "medium", "high")))
    defer = law["compliance"]["cessation_deferred"]
    parts.append(f"`compliance.cessation_deferred` {_num(defer['value'])} {defer['unit']} "
                 f"({_num(defer['range'][0])}-{_num(defer['range'][1])})")
    return "\n".join([BEGIN, "; ".join(parts) + ".", END])


def main() -> int:
    doc = ROOT / "docs" / "MODEL.md"
    text = doc.read_text()
    start, end = text.index(BEGIN), text.index(END) + len(END)
    new = text[:start] + block() + text[end:]
    if "--check" in sys.argv:
        return 0 if new == text else 1
    doc.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
