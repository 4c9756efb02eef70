"""The house style of every chart, saving a chart (PNG, SVG and the CSV behind it), and the text-layout check.

Why one module: a consultation response puts several charts side by side, so they share one palette (Okabe-Ito,
safe for the common colour-vision deficiencies), one size (the text width of an A4 page, legible at 100%), one
footnote (source and assumptions as plain text) and one way of saving (the same bytes for the same results).
`text_problems` finds overlapping or clipped text in a drawn figure; the tests run it on every chart.
"""

from __future__ import annotations

import base64
import csv
import io
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

# Okabe & Ito (2008): orange, sky blue, bluish green, yellow, blue, vermillion, reddish purple, grey, black
OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999", "#000000"]
SERIES = ["#0072B2", "#D55E00", "#009E73", "#CC79A7"]  # baseline first: blue, then vermillion, green, purple
STATUTORY = "#000000"  # the statutory line: black, dashed, labelled with its reference
A4_WIDTH_IN = 7.5  # the text width of an A4 page with 2 cm margins, so a chart prints at 100%
DPI = 150
FOOT_PT = 6.5
RC = {"font.size": 8.5, "axes.titlesize": 9.5, "axes.labelsize": 8.5, "xtick.labelsize": 8, "ytick.labelsize": 8,
      "legend.fontsize": 8, "axes.spines.top": False, "axes.spines.right": False, "svg.hashsalt": "sendsim",
      "svg.fonttype": "none", "font.family": "DejaVu Sans"}
SOURCE = ("Source: sendsim simulation. Scenario built from DfE SEN2 'Education, health and care plans' (OGL v3.0); "
          "rule sets, their sources and the ranges of every assumed effect in scenarios/rules/.")


@contextmanager
def house() -> Iterator[None]:
    """The house's matplotlib settings, for drawing and saving only (the caller's settings are left alone)."""
    with matplotlib.rc_context(RC):
        yield


@dataclass
class Chart:
    """A drawn chart: its file name, its title (for the report), the figure and the rows of data behind it."""

    name: str
    title: str
    figure: Figure
    rows: list[dict[str, Any]] = field(default_factory=list)


def new_figure(height: float, note: str, width: float = A4_WIDTH_IN) -> Figure:
    """A figure of the house size whose axes leave room at the bottom for the wrapped footnote `note`."""
    fig = Figure(figsize=(width, height), layout="constrained", dpi=DPI)
    text = textwrap.fill(note, int(width * 72 / (FOOT_PT * 0.56)))
    lines = text.count("\n") + 1
    frac = (0.1 + lines * FOOT_PT * 1.4 / 72) / height
    fig.text(0.01, 0.012, text, fontsize=FOOT_PT, va="bottom", ha="left", color="#333333")
    fig.get_layout_engine().set(rect=(0, frac, 1, 1 - frac), h_pad=0.06, w_pad=0.06)
    return fig


def wrap(s: str, width: int) -> str:
    return textwrap.fill(s, width)


def save(chart: Chart, folder: Path) -> list[Path]:
    """`name.png`, `name.svg` and `name.csv` in `folder`; the same chart gives the same bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    with house():
        png = folder / f"{chart.name}.png"
        chart.figure.savefig(png, dpi=DPI, metadata={"Software": None})
        svg = folder / f"{chart.name}.svg"
        chart.figure.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
        out += [png, svg]
    if chart.rows:
        c = folder / f"{chart.name}.csv"
        with open(c, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(chart.rows[0]), lineterminator="\n")
            w.writeheader()
            w.writerows(chart.rows)
        out.append(c)
    return out


def png_base64(chart: Chart) -> str:
    """The chart as a PNG in base64, to inline in an HTML page (a report loads nothing from elsewhere)."""
    buf = io.BytesIO()
    with house():
        chart.figure.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return base64.b64encode(buf.getvalue()).decode("ascii")


def text_problems(fig: Figure, tolerance_px: float = 0.5) -> list[str]:
    """Texts that overlap another text or stick out of the figure, as drawn by the Agg renderer.

    Why: a clipped or overlapping label is a chart a reader cannot use ("le to ass" in the old timeline). The
    check draws the figure and compares the window extents of every visible, non-empty text."""
    with house():
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        renderer = canvas.get_renderer()
        hidden = set()  # tick labels outside the view limits exist as objects but are not drawn
        for ax in fig.axes:
            for axis in (ax.xaxis, ax.yaxis):
                lo, hi = sorted(axis.get_view_interval())
                eps = (hi - lo) * 1e-9
                for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                    if not lo - eps <= tick.get_loc() <= hi + eps:
                        hidden |= {id(tick.label1), id(tick.label2)}
        boxes = [(t, t.get_window_extent(renderer)) for t in fig.findobj(Text)
                 if t.get_visible() and t.get_text().strip() and id(t) not in hidden]
    W, H = fig.bbox.width, fig.bbox.height
    out = []
    for t, bb in boxes:
        if bb.x0 < -tolerance_px or bb.y0 < -tolerance_px or bb.x1 > W + tolerance_px or bb.y1 > H + tolerance_px:
            out.append(f"clipped by the figure edge: {t.get_text()!r}")
        if t.get_clip_on() and t.get_clip_box() is not None:  # drawn only within its clip box (an axes)
            ab = t.get_clip_box()
            if bb.x0 < ab.x0 - tolerance_px or bb.x1 > ab.x1 + tolerance_px or bb.y0 < ab.y0 - tolerance_px \
                    or bb.y1 > ab.y1 + tolerance_px:
                out.append(f"clipped by its axes: {t.get_text()!r}")
    for i in range(len(boxes)):
        ti, bi = boxes[i]
        for k in range(i + 1, len(boxes)):
            tk, bk = boxes[k]
            ox = min(bi.x1, bk.x1) - max(bi.x0, bk.x0)
            oy = min(bi.y1, bk.y1) - max(bi.y0, bk.y0)
            if ox > tolerance_px and oy > tolerance_px:
                out.append(f"overlap: {ti.get_text()!r} and {tk.get_text()!r}")
    return out
