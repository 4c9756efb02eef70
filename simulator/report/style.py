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
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

# Okabe & Ito (2008): orange, sky blue, bluish green, yellow, blue, vermillion, reddish purple, grey, black
OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999", "#000000"]
SERIES = ["#0072B2", "#D55E00", "#009E73", "#CC79A7"]  # baseline first: blue, then vermillion, green, purple
STATUTORY = "#000000"  # the statutory line: black, dashed, labelled with its reference
A4_WIDTH_IN = 7.5  # the case-study timeline's width (its own layout)
A4_COLUMN_IN = 180 / 25.4  # the text width of an A4 page with 15 mm margins (the report's @page): a chart drawn this
# wide prints at 100%, so a font of N pt in the figure is N pt on paper (tests/test_report.py checks >= 8 pt)
MIN_PT = 8.0
DPI = 150
FOOT_PT = 8.0
RC = {"font.size": 9, "axes.titlesize": 9.5, "axes.labelsize": 9, "xtick.labelsize": 8.5, "ytick.labelsize": 8.5,
      "legend.fontsize": 8.5, "axes.spines.top": False, "axes.spines.right": False, "svg.hashsalt": "sendsim",
      "svg.fonttype": "none", "font.family": "DejaVu Sans"}
SOURCE = ("Source: sendsim simulation. Council figures from DfE SEN2 'Education, health and care plans' (OGL v3.0); "
          "the rules, their sources and the range of every assumed effect are listed in the report.")


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
    alt: str = ""  # what the chart shows, in a sentence (the report's alt text; the numbers are in `rows`)


def new_figure(height: float, note: str, width: float = A4_COLUMN_IN) -> Figure:
    """A figure of the house size whose axes leave room at the bottom for the wrapped footnote `note`."""
    fig = Figure(figsize=(width, height), layout="constrained", dpi=DPI)
    text = textwrap.fill(note, int(width * 72 / (FOOT_PT * 0.58)))
    lines = text.count("\n") + 1
    frac = (0.1 + lines * FOOT_PT * 1.4 / 72) / height
    fig.text(0.01, 0.012, text, fontsize=FOOT_PT, va="bottom", ha="left", color="#333333")
    fig.get_layout_engine().set(rect=(0, frac, 1, 1 - frac), h_pad=0.06, w_pad=0.06)
    fig._sendsim_foot_in = frac * height  # type: ignore[attr-defined]  # kept for `heading`
    return fig


def heading(fig: Figure, text: str) -> None:
    """A chart's own title, bold, at the top left (what it shows, the place, the comparison), with the figure's
    legend under it: the figure grows by the title, and the plots are laid out below both.

    Why by hand: constrained layout puts an "outside" legend at the very top of the figure, over any title."""
    wrapped = textwrap.fill(text, 76)
    lines = wrapped.count("\n") + 1
    title_in = (lines * 10 * 1.25 + 6) / 72
    foot_in = getattr(fig, "_sendsim_foot_in", 0.0)
    h = fig.get_figheight() + title_in
    fig.set_figheight(h)
    fig.text(0.01, 1 - 3 / 72 / h, wrapped, fontsize=10, fontweight="bold", va="top", ha="left")
    legend_in = 0.0
    for lg in list(fig.legends):
        ncols = lg._ncols
        lg.remove()
        handles, labels, seen = [], [], set()
        for ax in fig.axes:
            for hd, lb in zip(*ax.get_legend_handles_labels(), strict=True):
                if lb not in seen:
                    seen.add(lb)
                    handles.append(hd)
                    labels.append(lb)
        new = fig.legend(handles, labels, loc="upper left", bbox_to_anchor=(0.01, 1 - title_in / h),
                         bbox_transform=fig.transFigure, ncols=ncols, frameon=False, borderaxespad=0)
        bb = new.get_window_extent(FigureCanvasAgg(fig).get_renderer())
        legend_in += bb.height / fig.dpi + 0.05
    fig.get_layout_engine().set(rect=(0, foot_in / h, 1, 1 - (foot_in + title_in + legend_in) / h))


def outside_legend(fig: Figure, **kw: Any) -> None:
    """The figure's legend over its plots, when a plot has a labelled line or bar: a chart with nothing drawn (a
    council with no plan, no dispute) printed matplotlib's "UserWarning: No artists with labels found to put in
    legend", with a file path and a line of code, on `report`'s and `serve`'s stderr (sixth held-out round)."""
    if any(ax.get_legend_handles_labels()[0] for ax in fig.axes):
        fig.legend(**kw)


def rendered_sizes(fig: Figure) -> list[tuple[str, float]]:
    """(text, size in points when the figure is printed at A4 column width) of every visible text: a figure wider
    than the column is scaled down, and its fonts with it."""
    from matplotlib.text import Text as _T

    scale = A4_COLUMN_IN / fig.get_figwidth()
    return [(t.get_text(), t.get_fontsize() * scale) for t in fig.findobj(_T) if t.get_visible() and
            t.get_text().strip()]


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


def _step_lines_under(ax: Any, box: Any, pad: float) -> int:
    """How many segments of the axes' step lines (a post step: a flat, then a rise) run through `box` (display
    units), widened by `pad` pixels for the lines' width."""
    x0, x1, y0, y1 = box.x0 - pad, box.x1 + pad, box.y0 - pad, box.y1 + pad
    n = 0
    for line in ax.get_lines():
        if len(line.get_xdata()) < 3:  # a limit's dashed line
            continue
        xy = ax.transData.transform(np.column_stack([line.get_xdata(), line.get_ydata()]).astype(float))
        xs, ys = xy[:, 0], xy[:, 1]
        flat = (ys[:-1] >= y0) & (ys[:-1] <= y1) & (xs[:-1] <= x1) & (xs[1:] >= x0)
        rise = ((xs[1:] >= x0) & (xs[1:] <= x1) & (np.minimum(ys[:-1], ys[1:]) <= y1)
                & (np.maximum(ys[:-1], ys[1:]) >= y0))
        n += int(flat.sum() + rise.sum())
    return n


def clear_of_step_lines(fig: Figure, labels: list[tuple[Any, Text, float]]) -> None:
    """Each (axes, label drawn at the foot with va='bottom', y at the top) left at the foot unless the axes' step
    lines run through it there (a council whose plans pass 20 weeks climbs through the weeks chart's limit label),
    then moved to the top if fewer run through it there. Measured on the laid-out figure, with the label's own size
    (call it after `heading`): a fixed band of the axis (0 to 21%) missed lines at 22% to 25% under a two-line label."""
    if not labels:
        return
    fig.draw_without_rendering()  # the final layout: the label's extent in pixels
    pad = 1.6 * fig.dpi / 72  # the lines' width
    for ax, text, top in labels:
        low = _step_lines_under(ax, text.get_window_extent(), pad)
        if not low:
            continue
        foot = text.get_position()[1]
        text.set_y(top)
        text.set_va("top")
        if _step_lines_under(ax, text.get_window_extent(), pad) >= low:
            text.set_y(foot)
            text.set_va("bottom")


def _lines_through(ax: Any, box: Any, pad: float) -> int:
    """How many segments of any of the axes' lines (data, steps, and lines across the axes such as an in-force
    date's `axvline`, each in its own transform) run through `box` (display units), widened by `pad` pixels for the
    lines' width. Each segment is sampled finely (a sloped line of a by-year chart as well as a step's flat)."""
    x0, x1, y0, y1 = box.x0 - pad, box.x1 + pad, box.y0 - pad, box.y1 + pad
    n = 0
    t = np.linspace(0.0, 1.0, 64)[:, None]
    for line in ax.get_lines():
        if line.get_linestyle() in ("None", "none", "", " ") or not line.get_visible():
            continue  # markers only (the official figures' diamonds)
        xy = line.get_transform().transform(np.column_stack([line.get_xdata(), line.get_ydata()]).astype(float))
        for a, b in zip(xy[:-1], xy[1:], strict=True):
            pts = a + t * (b - a)
            if np.any((pts[:, 0] >= x0) & (pts[:, 0] <= x1) & (pts[:, 1] >= y0) & (pts[:, 1] <= y1)):
                n += 1
    return n


def clear_of_lines(fig: Figure, labels: list[tuple[Any, Text, list[tuple[float, float, str, str, str]]]]) -> None:
    """Each (axes, label, places) moved to the first of its `places` ((x, y, ha, va, text) in the label's own
    transform, the first its place as drawn) that no line of the axes runs through, else to the one fewest lines
    run through. Measured on the laid-out figure (call it after `heading`), like `clear_of_step_lines`, but with
    every line: the by-year chart's "every plan within the limit" was crossed by the reform's in-force date lines."""
    if not labels:
        return
    if not hasattr(fig.canvas, "get_renderer"):  # `heading` gives the figure its Agg canvas when it has a legend
        FigureCanvasAgg(fig)
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    pad = 1.6 * fig.dpi / 72
    for ax, text, places in labels:
        best: tuple[int, int] | None = None
        for i, (x, y, ha, va, words) in enumerate(places):
            text.set_position((x, y))
            text.set_ha(ha)
            text.set_va(va)
            text.set_text(words)
            n = _lines_through(ax, text.get_window_extent(renderer), pad)
            if best is None or n < best[0]:
                best = (n, i)
            if n == 0:
                break
        assert best is not None
        x, y, ha, va, words = places[best[1]]
        text.set_position((x, y))
        text.set_ha(ha)
        text.set_va(va)
        text.set_text(words)
