"""One self-contained HTML report of a run or a comparison: summary, charts, tables, what changed, method.

Why one file with nothing external: a forum volunteer mails it, a consultation writer prints it to PDF, and neither
should depend on a network or leak that the file was opened. Charts are inline PNG (base64); the style sheet is in
the page. Every text that comes from a scenario or a rule set file is escaped (`html.escape`): a scenario's
description is data, never markup.
"""

from __future__ import annotations

import html
from typing import Any

from .. import __version__
from ..analysis.runs.results import Results, label_of, unit_of
from .charts import run_charts
from .style import png_base64
from .summary import number, summary

CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;font-size:11pt;line-height:1.45;color:#111;max-width:60em;
margin:1.5em auto;padding:0 1em}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.2em;border-bottom:2px solid #0072B2;padding-bottom:.15em;
margin-top:1.6em}
p.meta{color:#444;margin-top:0}.description{background:#f4f4f4;border-left:4px solid #999;padding:.5em .8em;
white-space:pre-wrap}
ul.effects li{margin-bottom:.4em}figure{margin:1em 0;page-break-inside:avoid;break-inside:avoid}
figure img{max-width:100%;height:auto;border:1px solid #ddd}figcaption{font-weight:bold;margin-bottom:.3em}
table{border-collapse:collapse;width:100%;font-size:9pt;margin:.5em 0}th,td{border:1px solid #ccc;
padding:.25em .4em;vertical-align:top;text-align:left}th{background:#eef3f8}td.n{text-align:right;
white-space:nowrap}code{font-size:.85em;color:#555}.small{font-size:9pt;color:#444}
@page{size:A4;margin:15mm}
@media print{body{max-width:none;margin:0;font-size:10pt}h2{page-break-after:avoid;break-after:avoid}
tr{page-break-inside:avoid;break-inside:avoid}a{color:#111;text-decoration:none}}
"""


def e(x: Any) -> str:
    """Escaped text (every scenario or rule-set string goes through here)."""
    return html.escape("" if x is None else str(x), quote=True)


def _ci(m: dict[str, Any], unit: str) -> str:
    lo, hi = m["ci95"]
    mean = number(m["mean"], unit)
    return f"{mean} ({number(lo, unit)} to {number(hi, unit)})" if lo is not None else mean


def _value(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:g}"
    if isinstance(v, list):
        return ", ".join(_value(x) for x in v)
    return "-" if v is None else str(v)


def _metric_table(results: Results) -> str:
    if results.comparison is None:
        run = results.runs[0]
        head = f"<tr><th>Metric</th><th>{e(run.label)}: mean (95% interval)</th></tr>"
        body = "".join(f"<tr><td>{e(label_of(k))}</td><td class=n>{e(_ci(m, unit_of(k)))}</td></tr>"
                       for k, m in run.summary["metrics"].items())
        return f"<table>{head}{body}</table>"
    comp = results.comparison
    a, b = comp["rules"]
    ka, kb = (a, b) if a != b else ("a", "b")
    la, lb = results.runs[0].label, results.runs[1].label
    head = (f"<tr><th>Metric</th><th>{e(la)}: mean (95% interval)</th><th>{e(lb)}: mean (95% interval)</th>"
            "<th>Difference, paired (95% interval)</th></tr>")
    rows = []
    for k, m in comp["metrics"].items():
        u = unit_of(k)
        lo, hi = m["diff_ci95"]
        if m["diff"] is None:
            d = "-"
        else:
            pts = " points" if u == "percent" else ""
            sign = "+" if m["diff"] > 0 else ""
            d = (f"{sign}{number(m['diff'], u).rstrip('%')}{pts}" + (f" ({number(lo, u).rstrip('%')} to "
                                                                     f"{number(hi, u).rstrip('%')})"
                                                                     if lo is not None else ""))
        rows.append(f"<tr><td>{e(m['label'])}</td><td class=n>{e(_ci(m[ka], u))}</td>"
                    f"<td class=n>{e(_ci(m[kb], u))}</td><td class=n>{e(d)}</td></tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def _what_changed(results: Results) -> str:
    comp = results.comparison
    if comp is None:
        return "<p>A single run: nothing is compared.</p>"
    a, b = comp["rules"]
    rows = comp["what_changed"]
    if not rows:
        return "<p>Nothing: the two rule sets have the same parameters.</p>"
    la, lb = results.runs[0].label, results.runs[1].label
    head = (f"<tr><th>Parameter</th><th>{e(la)}</th><th>{e(lb)}</th><th>Source</th>"
            "<th>Assumption (range)</th><th>Switch</th></tr>")
    body = []
    for r in rows:
        assumption = "" if not r.get("assumption") else (f"{r['assumption']}" + (
            f" (range {_value(r['range'])})" if r.get("range") is not None else ""))
        body.append(f"<tr><td>{e(r.get('label') or r['parameter'])}<br><code>{e(r['parameter'])}</code></td>"
                    f"<td class=n>{e(_value(r.get(a)))}</td><td class=n>{e(_value(r.get(b)))}</td>"
                    f"<td>{e(r.get('source'))}</td><td>{e(assumption)}</td><td>{e(r.get('switch') or '')}</td></tr>")
    return f"<table>{head}{''.join(body)}</table>"


def summary_html(results: Results) -> str:
    """The plain-language summary as HTML (the report's first section; the web page shows it too)."""
    s = summary(results)
    out = [f"<p><strong>What was compared.</strong> {e(s['compared'])}</p>"]
    if results.comparison is not None:
        if s["no_clear_difference"]:
            out.append("<p><strong>No clear difference:</strong> no metric's paired 95% interval excludes zero "
                       "with these replications (more replications narrow the intervals).</p>")
        else:
            out.append("<p><strong>The largest clear effects</strong> (relative to the baseline, among metrics "
                       "whose paired 95% interval excludes zero):</p><ul class=effects>"
                       + "".join(f"<li>{e(x)}</li>" for x in s["effects"]) + "</ul>")
        if s.get("groups"):
            out.append("<p><strong>The largest clear differences within a group of families</strong> (by their "
                       "capacity to seek redress: time, money, advice):</p><ul class=groups>"
                       + "".join(f"<li>{e(x)}</li>" for x in s["groups"]) + "</ul>")
        elif results.comparison.get("by_group"):
            out.append("<p>Within each group of families by redress capacity, no difference in the outcomes charted "
                       "is clear (every paired 95% interval includes zero).</p>")
        if s["assumptions"]:
            out.append("<p><strong>The assumptions they rest on</strong> (effect sizes the proposals do not state; "
                       "each has a range in the rule set file):</p><ul>"
                       + "".join(f"<li>{e(r.get('label') or r['parameter'])}: {e(r['assumption'])}"
                                 + (f" (range {e(_value(r['range']))})" if r.get("range") is not None else "")
                                 + "</li>" for r in s["assumptions"]) + "</ul>")
        else:
            out.append("<p>No assumed effect separates the two rule sets: every changed parameter has a source.</p>")
    else:
        out.append("<ul class=effects>" + "".join(f"<li>{e(x)}</li>" for x in s["effects"]) + "</ul>")
    return "\n".join(out)


def _method(results: Results) -> str:
    r0 = results.runs[0]
    m = r0.manifest
    n = r0.summary["replications"]
    files = "".join(f"<li>{e(r.label)} (<code>{e(r.name)}</code>): rules sha256 <code>{e(r.manifest.get('rules_sha256',''))[:16]}"
                    "</code></li>" for r in results.runs)
    return f"""
<p>Each run simulates every child of the scenario, one event at a time, through the statutory steps (request,
decision to assess, advice, decision to issue, draft, final plan, placement, redress, tribunal, reviews) with the
authority's own figures and queues. The figures are means over {n} replications with Student's t 95% confidence
intervals. {"Both rule sets run the same children with the same random draws (common random numbers), so a "
           "difference reflects the rules, not chance; its interval is computed from the paired differences." if
           results.comparison is not None else ""}</p>
<ul>
<li>Counts and costs are totals over the whole horizon ({e(r0.summary['start_date'])} to
{e(r0.summary['end_date'])}, {results.years:.1f} years), not per year; costs are the rule set's unit costs of
process steps and yearly placement costs, in pounds of the year their source states.</li>
<li>The effect of a reform is an assumption wherever the proposal gives no figure: the "what changed" table
marks each one and its range. Read a difference as what follows <em>if</em> those assumptions hold.</li>
<li>With few replications the intervals are wide; a difference whose interval includes zero is not evidence of
no effect.</li>
<li>The model is checked against DfE SEN2 national and local figures (<code>sendsim backtest</code>); a single
authority's figures vary more between replications than England's.</li>
<li>Scenario <code>{e(r0.scenario)}</code>, file <code>{e(m.get('scenario_file', ''))}</code>, sha256
<code>{e(m.get('scenario_sha256', ''))[:16]}</code>; seed {e(r0.summary['seed'])}; sendsim {e(__version__)}.</li>
</ul><ul class=small>{files}</ul>
<p class=small>Made by <code>sendsim report {e(results.folder.name)}</code> from the folder's files alone
(summary.json, manifest.json, journeys.parquet{", compare.json" if results.comparison is not None else ""}).</p>
"""


GENERATOR = "sendsim report"  # in every report's head: `sendsim report` may replace a file that carries it


def report_html(results: Results) -> str:
    """The whole page as one string."""
    r0 = results.runs[0]
    if results.comparison is not None:
        title = f"{r0.scenario}: {results.runs[1].label} against {r0.label}"
    else:
        title = f"{r0.scenario} under {r0.label}"
    charts = run_charts(results)
    figs = "\n".join(f'<figure><figcaption>{e(c.title)}</figcaption><img alt="{e(c.title)}" '
                     f'src="data:image/png;base64,{png_base64(c)}"></figure>' for c in charts)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="generator" content="{GENERATOR}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)}</title><style>{CSS}</style></head>
<body>
<h1>{e(title)}</h1>
<p class=meta>{e(r0.summary['start_date'])} to {e(r0.summary['end_date'])} &middot; {e(r0.summary['replications'])}
replications &middot; seed {e(r0.summary['seed'])}</p>
<p class=description id=scenario-description>{e(r0.description)}</p>
<section id=summary><h2>Summary</h2>
{summary_html(results)}
</section>
<section id=charts><h2>Charts</h2>
{figs}
</section>
<section id=tables><h2>Tables</h2>
{_metric_table(results)}
</section>
<section id=what-changed><h2>What changed, and the sources</h2>
{_what_changed(results)}
</section>
<section id=method><h2>Method and caveats</h2>
{_method(results)}
</section>
</body></html>
"""
