"""The fourth "Left (found, not fixed)" list (ileftG): each test's expected values are worked out by hand from the
sources (timeline.md, errata.md, the Regulations, the bank holidays of England and Wales), never copied from the
program's output.

Why this module is long: one small group of tests per item of the list, in the list's order of the commits."""

from __future__ import annotations

import re

from .conftest import ROOT


# ------------------------------------------------------------------ 8. the projection's year bounds are declared once
def test_the_projections_last_data_year_has_the_declared_year_bounds() -> None:
    """schema/projection.py wrote its own 1990 and 2100 for `last_data_year`; they are now the one declaration of the
    years a file may name (schema/sourced.py), which scenario.py and transfers.py read too: 1990 to 2100."""
    from simulator.schema import sourced
    from simulator.schema.projection import Projection
    from simulator.schema.transfers import Year  # noqa: F401 (the plan-transfer file's years)

    assert (sourced.FIRST_YEAR, sourced.LAST_YEAR) == (1990, 2100)
    p = Projection.model_json_schema()["properties"]["last_data_year"]
    assert (p["minimum"], p["maximum"]) == (1990, 2100)
    for name in ("projection.py", "transfers.py"):
        src = (ROOT / "simulator" / "schema" / name).read_text()
        assert not re.search(r"\b(1990|2100)\b", src), name
