"""The HTML report of a case-study folder and of a batch folder, in the house style of `html.py`.

Why here and not in `html.py`: a run or a comparison is one set of metrics under each rule set; a case study is one
child's route (timings, the likely route, who holds each duty), and a batch is a design of many points (parameters,
ranges, sensitivity indices, whether a difference keeps its sign). `sendsim report` chooses by the folder's marker
(`analysis.runs.folder.kind_of`). Display names throughout; code names only in "Method and reproducibility".
"""

from __future__ import annotations

import base64
import shlex
from pathlib import Path
from typing import Any

from ..schema.files import InputError
from .case_words import BODIES, NEVER_A_WORD, PAYER_WORDS, ROUTE_WORDS, body, change_words  # noqa: F401
from .html import e, page
from .names import design_words, metric_label, plain, rule_set_short, value_text
from .style import Chart, png_base64
from .summary import date_words, difference, number
from .tables import NOT_REACHED, day_words, how_long_waits, reached, route_cut
from .timeline import event_words, short_label


def _weeks(d: dict[str, Any] | None) -> str:
    return (f"{d['median']:.0f} weeks (most runs between {d.get('p10', 0):.0f} and {d.get('p90', 0):.0f}; reached in "
            f"{d.get('reached_pct', 100):.0f}% of runs)")


_SAID = {"final_plan": "a final plan after", "provision": "provision in place after",
         "new_setting": "a new setting in place after"}


def how_long(c: dict[str, Any], r: dict[str, Any]) -> str:
    """The "How long" sentence of one rule set, for the child's starting state, in the text's words: which waits it
    reads, and the words for one no run reached, are `tables.how_long_waits` and `tables.NOT_REACHED`, shared with
    the case text. It read "a final plan after not reached in the runs" for a plan in force at the start
    (cessation_proposed_at_22)."""
    waits = how_long_waits(c, r)
    head = ("a plan is in force at the start: there is no final plan to wait for; "
            if waits[0][0] == "new_setting" else "")
    return head + "; ".join(f"{_SAID[k]} {_weeks(d)}" if reached(d) else NOT_REACHED[k] for k, d in waits) + "."


def _img(path: Path, alt: str) -> str:
    if not path.is_file():
        return ""
    b = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<figure><img alt="{e(alt)}" src="data:image/png;base64,{b}"></figure>'


def _steps_table(r: dict[str, Any]) -> str:
    rows = []
    for s in r.get("steps", []):
        name = short_label(s.get("label", s["step"]), s["step"])
        what = event_words(s["step"], s["event"]) + (f" ({s['appeal_of']})" if s.get("appeal_of") else "")
        who = ", ".join(body(b) for b in (s.get("duty_holder") or [])) or "no one"
        pays = ", ".join(PAYER_WORDS.get(p, p.replace("_", " ")) for p in (s.get("payer") or [])) or "-"
        # the deadline in the text's words, then whether it was met where the run measures it: 'no deadline' stood
        # beside an annual review (12 months), a setting named (20 weeks) and an appeal registered whose deadline the
        # runs do not score, while the text's table gave it (eighth held-out round)
        dl = day_words(str(s.get("deadline") or "none"))
        met = ("no deadline" if dl.startswith("none") or dl == "unmapped"
               else dl + {True: " (met)", False: " (missed)"}.get(s.get("deadline_met"), ""))
        wk = s.get("weeks_from_start")
        rows.append(f"<tr><td class=n>{'' if wk is None else f'{wk:.0f}'}</td><td>{e(name)}: {e(what)}</td>"
                    f"<td>{e(who)}</td><td>{e(pays)}</td><td>{e(met)}</td></tr>")
    return ("<table><tr><th scope=col style='width:9%'>Week</th><th scope=col style='width:38%'>Step and what "
            "happened</th><th scope=col>Who holds the duty</th><th scope=col>Who pays</th><th scope=col "
            "style='width:18%'>Deadline (met or missed)</th></tr>" + "".join(rows) + "</table>")


def case_study_html(cases: list[dict[str, Any]], folder: Path) -> str:
    """One report for every case study in the folder: each child's timings, likely route and its duties in words."""
    parts, method = [], []
    for c in cases:
        res = c["results"]
        names = [rule_set_short(r["rules"], r.get("label", "")) for r in res]
        parts.append(f"<section aria-labelledby='h-{e(c['case'])}'><h2 id='h-{e(c['case'])}'>{e(c['title'])}</h2>"
                     f"<p class=description>{e(plain(c.get('summary', '')))}</p>")
        if c.get("start_date") and c.get("route_end"):
            moved = c.get("dates_moved_days")
            parts.append(f"<p class=meta>The route read here: {e(date_words(c['start_date']))} to "
                         f"{e(date_words(c['route_end']))}"
                         + (f"; the start was moved, and the case's other dates (moves, placements, custody, "
                            f"hospital) with it, by {moved:+,} days" if moved else "") + ".</p>")
        if route_cut(c):
            parts.append(f"<p class=meta>{e(route_cut(c))}</p>")
        for key in ("transfer_before_start", "disputes_note", "reorganised"):  # a transfer due before the start; no education part
            if isinstance(c.get(key), str):
                parts.append(f"<p class=meta>{e(c[key])}</p>")
        if c.get("authorities"):  # two authorities: each one's duties, payments and what is uncertain
            parts.append("<h3>Two authorities: who does what, and who pays</h3><ul>" + "".join(
                f"<li><strong>{e(a['authority'])}</strong> ({e(a['role'])}): {e('; '.join(a['duties']))}. Pays: "
                f"{e('; '.join(a['pays']))}." + "".join(f" Uncertain: {e(u)}." for u in a["uncertain"]) + "</li>"
                for a in c["authorities"]) + "</ul>")
        items = []
        for r, n in zip(res, names, strict=True):
            items.append(f"<li><strong>{e(n)}</strong>: {e(how_long(c, r))}</li>")
        parts.append(f"<h3>How long, under each rule set</h3><ul class=effects>{''.join(items)}</ul>")
        parts.append(_img(folder / f"{c['case']}.png", f"Timeline of {c['title']}: the likely route under each rule "
                                                         "set, week by week, with the statutory limits."))
        for r, n in zip(res, names, strict=True):
            parts.append(f"<h3>The likely route under {e(n)} ({e(r.get('route_share_pct', 0))}% of runs), step by "
                         f"step</h3>{_steps_table(r)}")
        if c.get("what_changes"):
            ch = c["what_changes"]
            lines = ch if isinstance(ch, list) else [str(ch)]
            # one list per rule set against the first (a case study's JSON): each sentence an item of its own
            lines = [y for x in lines for y in (x if isinstance(x, list) else [x])]
            steps = {s["step"]: short_label(s.get("label", s["step"]), s["step"])
                     for r in res for s in r.get("steps", [])}
            parts.append("<h3>What changes for this child</h3><ul>" + "".join(
                f"<li>{e(change_words(x, steps) if isinstance(x, str) else plain(value_text(x)))}</li>"
                for x in lines) + "</ul>")
        if c.get("sources"):
            parts.append("<p class=small>Sources of this case: " + e(plain("; ".join(c["sources"]))) + "</p>")
        parts.append("</section>")
        rules = " ".join(f"--rules {shlex.quote(r['rules'])}" for r in res)
        given = "".join(f" {flag} {shlex.quote(str(c[key]))}" for flag, key in
                        (("--scenario", "scenario_given"), ("--start-date", "start_date_given")) if c.get(key))
        given += " --from-start" if c.get("from_start") else ""  # the command the results came from, overrides too
        method.append(f"<li>Case <code>{e(c['case'])}</code>: scenario <code>{e(c.get('scenario'))}</code>, seed "
                      f"{e(c.get('seed'))}, {e(c.get('runs'))} runs; <code>sendsim case-study "
                      f"{e(shlex.quote(str(c.get('file_given') or c['case'])))} "
                      f"{e(rules)}{e(given)} --runs {e(c.get('runs'))} --seed {e(c.get('seed'))} --out "
                      f"{e(shlex.quote(folder.name))}</code></li>")
    title = "Case studies: " + ", ".join(c["title"].split(":")[0] for c in cases)
    body_html = (f"<p class=meta>{len(cases)} {'child' if len(cases) == 1 else 'children'}, each run many times "
                 "under each rule set.</p>" + _how_to_read_case() + "".join(parts)
                 + "<section id=method aria-labelledby=h-method><h2 id=h-method>Method and reproducibility</h2>"
                 "<p>Each child is simulated many times under each rule set, with pinned events held fixed; the "
                 "likely route is the commonest sequence of steps. To make the same results again:</p>"
                 f"<ul>{''.join(method)}</ul><p class=small>Then <code>sendsim report "
                 f"{e(shlex.quote(folder.name))}</code>.</p></section>")
    return page(title, body_html)


def _how_to_read_case() -> str:
    return ("<aside class=howto aria-labelledby=howto-h><h2 id=howto-h>How to read this</h2><ul><li>A case study "
            "follows one child, described below, many times under each set of rules; the weeks are the middle run "
            "(median), with the range most runs fall in.</li><li>The likely route is the commonest sequence of steps; "
            "the table says who holds the duty at each step, who pays, and whether the deadline was met.</li></ul>"
            "</aside>")


# --------------------------------------------------------------------------------------------------- batches
def tornado_chart(sens: dict[str, Any], param_labels: dict[str, str]) -> Chart | None:
    """Bars of Morris mu* (or Sobol total-order ST) per parameter for each output difference, with the 95%
    confidence as whiskers; None when the design gives no indices (a grid)."""
    import numpy as np

    from .style import SERIES, house, new_figure, outside_legend
    from .style import heading as style_heading

    outs = [o for o in sens.get("outputs", []) if o.get("indices")]
    if not outs:
        return None
    diffs = [o for o in outs if o.get("kind") == "difference"] or outs
    outs = diffs[:4]
    with house():
        params = [r["parameter"] for r in outs[0]["indices"]][:10]
        fig = new_figure(1.8 + 0.28 * len(params) * len(outs), "Bars: each parameter's effect on the output over "
                         "its range (Morris mu*, or Sobol total-order index); whiskers: 95% confidence. Longer bars "
                         "matter more.")
        ax = fig.subplots()
        morris = "mu_star" in outs[0]["indices"][0]
        y = np.arange(len(params))[::-1].astype(float)
        h = 0.8 / len(outs)
        rows = []
        for i, o in enumerate(outs):
            idx = {r["parameter"]: r for r in o["indices"]}
            v = np.array([(idx.get(p) or {}).get("mu_star" if morris else "ST") or 0.0 for p in params], dtype=float)
            c = np.array([(idx.get(p) or {}).get("mu_star_conf" if morris else "ST_conf") or 0.0 for p in params],
                         dtype=float)
            yy = y + (len(outs) - 1) / 2 * h - i * h
            ax.barh(yy, v, height=h * 0.9, color=SERIES[i % len(SERIES)], xerr=c, ecolor="#333333",
                    label=metric_label(o["metric"]))
            rows += [{"output": metric_label(o["metric"]), "parameter_label": param_labels.get(p, p),
                      "index": float(a), "conf95": float(b)} for p, a, b in zip(params, v, c, strict=True)]
        ax.set_yticks(y, [param_labels.get(p, p)[:48] for p in params])
        ax.set_xlabel(f"Morris mu* ({_mu_unit(outs)})" if morris else "Sobol total-order index (0 to 1)")
        outside_legend(fig, loc="outside upper center", ncols=2, frameon=False)
        style_heading(fig, f"Which assumptions matter most: {design_words(sens.get('design'))} design, "
                           f"{sens.get('points')} points")
    return Chart("sensitivity-tornado", "Which assumptions matter most", fig, rows,
                 "Horizontal bars, one group per parameter, longest first: how much each assumption moves each "
                 "output over its range, with 95% confidence whiskers.")


def _mu_unit(outs: list[dict[str, Any]]) -> str:
    """The unit of Morris mu* (that of its outputs): percentage points for a difference of percentages, where 'units
    of the output' left a reader to guess; 'units of each output' when the outputs have different units."""
    from ..analysis.runs.results import unit_of

    words = {"percent": "percentage points", "weeks": "weeks", "count": "number", "GBP": "£"}
    units = {("percent" if o.get("kind") == "difference" else "percent of a value")
             if unit_of(o["metric"]) == "percent" else unit_of(o["metric"]) for o in outs}
    if len(units) != 1:
        return "units of each output"
    u = units.pop()
    return "%" if u == "percent of a value" else words.get(u, "units of the output")


def _by_rule_set(values: list[Any], rules: list[str], ranged: bool = True) -> str:
    """A parameter's range (or its value otherwise) in words: one text when every rule set has the same, else each
    rule set's by its short name. A parameter varied only under a reform (an effect current law has not) has no
    range under the others: the report used to fail reading it ('NoneType' object is not iterable)."""
    def text(v: Any) -> str:
        if not ranged:
            return value_text(v)
        return "not varied" if v is None else " to ".join(value_text(x) for x in v)

    shown = [text(v) for v in values]
    if len(set(shown)) <= 1:
        return shown[0] if shown else ""
    names = [rule_set_short(r) for r in rules] + [f"rule set {i + 1}" for i in range(len(rules), len(shown))]
    return "; ".join(f"{n}: {t}" for n, t in zip(names, shown, strict=False))


def batch_html(b: dict[str, Any], folder: Path) -> str:
    """A batch: its design, parameters and ranges, the tornado chart, the sign-keeping table, results by group."""
    ident, sens = b["identity"], b.get("sensitivity") or {}
    labels = b.get("parameter_labels", {})
    rules = ident.get("rules", [])
    short = {r: rule_set_short(r) for r in rules}
    design = ident.get("design", {})
    params = "".join(
        f"<tr><td>{e(labels.get(p['name'], p['name']))}</td><td>{e(_by_rule_set(p.get('ranges') or [None], rules))}"
        f"</td><td>{e(_by_rule_set(p.get('fixed') or [None], rules, ranged=False))}</td></tr>"
        for p in ident.get("parameters", []))
    parts = [f"<p class=meta>{e(design_words(design.get('kind', '?')))} design, {e(ident.get('points'))} points, "
             f"{e(ident.get('replications'))} runs each, under {e(', '.join(short.values()))}</p>",
             f"<p class=description>{e(b.get('description', ''))}</p>",
             "<aside class=howto aria-labelledby=howto-h><h2 id=howto-h>How to read this</h2><ul><li>A batch runs "
             "the same children at many settings of the assumptions a proposal does not state, to see which ones "
             "the conclusions depend on.</li><li>A difference that <strong>keeps its sign</strong> at every point "
             "(always fewer appeals, say) holds whatever the assumption's value within its range.</li></ul></aside>",
             "<section aria-labelledby=h-design><h2 id=h-design>The design: what was varied, over what range</h2>"
             f"<table><tr><th scope=col>Assumption</th><th scope=col>Range</th><th scope=col>Value otherwise</th></tr>"
             f"{params}</table></section>"]
    chart = tornado_chart(sens, labels)
    parts.append("<section aria-labelledby=h-tornado><h2 id=h-tornado>Which assumptions matter most</h2>")
    if chart is not None:
        parts.append(f'<figure><img alt="{e(chart.alt)}" src="data:image/png;base64,{png_base64(chart)}"></figure>')
    else:
        parts.append("<p>This design (a grid) gives no sensitivity indices: the tables below show each output's "
                     "range over the points instead.</p>")
    parts.append("</section>")
    rows = []
    for o in sens.get("outputs", []):
        of = o.get("of", "")
        if o.get("kind") == "difference":
            left, _, right = of.partition(" - ")
            what = f"{rule_set_short(left)} minus {rule_set_short(right)}"
            keeps = "yes: the same direction at every point" if o.get("keeps_sign") else "no: it changes direction"
        else:
            what, keeps = f"under {rule_set_short(of)}", "-"
        show = _d if o.get("kind") == "difference" else _u  # a difference of percentages: percentage points
        ends = _ends(o.get("min"), o.get("max"))
        rows.append(f"<tr><td>{e(metric_label(o['metric']))}</td><td>{e(what)}</td><td class=n>"
                    f"{e(show(o.get('min'), o['metric'], ends))} to {e(show(o.get('max'), o['metric'], ends))}</td>"
                    f"<td>{e(keeps)}"
                    "</td></tr>")
    parts.append("<section aria-labelledby=h-sign><h2 id=h-sign>Does each difference keep its sign?</h2><table><tr>"
                 "<th scope=col>Measure</th><th scope=col>Of</th><th scope=col>From ... to, over the points</th>"
                 "<th scope=col>Keeps its sign</th></tr>" + "".join(rows) + "</table></section>")
    groups = b.get("by_group") or []
    if groups:
        g = "".join(f"<tr><td>{e(metric_label(r['metric']))}</td><td>{e(r['group'])}</td><td>{e(short.get(r['rules'], r['rules']))}"
                    f"</td><td class=n>{e(_u(r['mean'], r['metric']))}</td></tr>" for r in groups)
        parts.append("<section aria-labelledby=h-groups><h2 id=h-groups>Results by group: each point of the design"
                     "</h2><p>Mean over the runs at each point (and over every point for a group of families)."
                     "</p><table><tr><th scope=col>Measure</th><th scope=col>Point or group</th>"
                     f"<th scope=col>Rule set</th><th scope=col>Mean</th></tr>{g}</table></section>")
    cmd = f"sendsim batch {shlex.quote(str(ident.get('sweep_file', '')))} --out {shlex.quote(folder.name)}"
    parts.append("<section id=method aria-labelledby=h-method><h2 id=h-method>Method and reproducibility</h2>"
                 f"<p>Batch <code>{e(ident.get('name'))}</code> ({e(ident.get('batch_id'))}), scenario "
                 f"<code>{e(ident.get('scenario'))}</code>, rule sets <code>{e(', '.join(rules))}</code>, seed "
                 f"{e(ident.get('seed'))}; parameters <code>{e(', '.join(p['name'] for p in ident.get('parameters', [])))}"
                 f"</code>. To run it again:</p><pre><code>{e(cmd)}\nsendsim report {e(shlex.quote(folder.name))}"
                 "</code></pre></section>")
    title = f"Which assumptions matter: {b.get('title') or ident.get('name', '').replace('_', ' ')}"
    return page(title, "".join(parts))


def _n(v: Any) -> str:
    if v is None:
        return "-"
    v = float(v)
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:,.3g}"


def _u(v: Any, metric: str, like: float | None = None) -> str:
    """A batch's value with its unit, as the comparison's report says it ('£42.8m', '60.5%', '12.3 weeks'): a
    cost was a bare '42,837,258'; a count at the precision of `like` (the range's ends, `_ends`)."""
    from ..analysis.runs.results import unit_of

    return "-" if v is None else number(float(v), unit_of(metric), like)


def _d(v: Any, metric: str, like: float | None = None) -> str:
    """A batch's difference with its unit: a difference of two percentages in percentage points ('+4.1 percentage
    points'; it was '4.1%', which reads as a per cent of the first value); a count at the precision of `like`."""
    from ..analysis.runs.results import unit_of

    return "-" if v is None else difference(float(v), unit_of(metric), like)


def _ends(lo: Any, hi: Any) -> float | None:
    """A range's larger end in size, whose precision both ends take (`summary.count_decimals`): a count's 'from ...
    to' read '95.0 to 210', each end at its own."""
    ends = [float(v) for v in (lo, hi) if v is not None]
    return max(ends, key=abs) if ends else None


def report_for(folder: Path) -> tuple[str, str]:
    """(the HTML report, what it is of) for any folder sendsim writes, chosen by its marker (a run or comparison
    folder without one, from an older version, is read as before)."""
    from ..analysis.runs.folder import kind_of
    from ..analysis.runs.results import load_case_studies, load_results
    from .html import report_html

    folder = Path(folder)
    kind = kind_of(folder) if folder.is_dir() else None
    if kind in ("case_study", "batch"):
        # their JSON files are read as written (runs and comparisons are validated on reading, `load_results`): a
        # field missing, null or of another type was an internal error; it is a damaged file, said in one line
        try:
            if kind == "case_study":
                cases = load_case_studies(folder)
                return case_study_html(cases, folder), f"case studies {', '.join(c['case'] for c in cases)}"
            from ..analysis.batch.readback import load_batch

            b = load_batch(folder)
            return batch_html(b, folder), f"batch {b['identity'].get('name')}"
        except (KeyError, TypeError, AttributeError, IndexError, ValueError) as err:
            what = "case study's .json" if kind == "case_study" else "batch.json or its tables"
            raise InputError([f"{folder}: its {what} cannot be read ({type(err).__name__}: {str(err)[:80]}) (allowed: "
                              "the files sendsim wrote there: damaged, edited, or written by another version?)"]) from None
    results = load_results(folder)
    return report_html(results), f"{results.kind} of {', '.join(r.name for r in results.runs)}"
