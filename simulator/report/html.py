"""One self-contained HTML report of a run or a comparison: summary, charts, tables, what changed, method.

Why one file with nothing external: a forum volunteer mails it, a consultation writer prints it to PDF, and neither
should depend on a network or leak that the file was opened. Charts are inline PNG (base64) with a data table under
each (`<details>`, for a screen reader and for anyone who wants the numbers); the style sheet is in the page. Every
text that comes from a scenario or a rule set file is escaped (`html.escape`): a scenario's description is data,
never markup.

Why display names: everything a reader sees says places, rule sets, switches and measures by their names
(`names.py`); code names, the seed, hashes and file paths appear only in "Method and reproducibility", with the
command that makes the same report again.
"""

from __future__ import annotations

import html
import re
import shlex
from typing import Any

from .. import __version__
from ..analysis.runs.results import Results, unit_of
from .charts import run_charts
from .names import change_sentence, legend, metric_label, place, plain, rule_set_short, value_text
from .style import Chart, png_base64
from .summary import date_words, number, projection_sentences, section_of, shared_like, summary

CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;font-size:11pt;line-height:1.45;color:#111;max-width:60em;overflow-wrap:break-word;
margin:1.5em auto;padding:0 1em}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.2em;border-bottom:2px solid #0072B2;padding-bottom:.15em;
margin-top:1.6em}h3{font-size:1.05em;margin:1em 0 .3em}h4{font-size:1em;margin:.8em 0 .2em}
p.meta{color:#333;margin-top:0}.description{background:#f4f4f4;border-left:4px solid #767676;padding:.5em .8em;
white-space:pre-wrap}.howto{border:2px solid #0072B2;padding:.4em 1em;margin:1em 0;background:#f5f9fc}
.howto h2{border:0;margin-top:.3em}.legend dt{font-weight:bold;float:left;clear:left;width:2em}
.legend dd{margin:0 0 .3em 2.2em}.abbr dt{font-weight:bold;float:left;clear:left;width:4.5em}
.abbr dd{margin:0 0 .3em 5em}
ul.effects li{margin-bottom:.4em}figure{margin:1em 0;page-break-inside:avoid;break-inside:avoid}
figure img{max-width:100%;height:auto;border:1px solid #ddd}figcaption{font-weight:bold;margin-bottom:.3em}
details{margin:.3em 0 1em}summary{cursor:pointer;color:#005a8c}
table{border-collapse:collapse;width:100%;font-size:9pt;margin:.5em 0;table-layout:fixed}th,td{border:1px solid #ccc;
padding:.25em .4em;vertical-align:top;text-align:left;overflow-wrap:anywhere}th{background:#eef3f8}
td.n{text-align:right}code{font-size:.85em;color:#333;overflow-wrap:anywhere}.small{font-size:9pt;color:#333}
tr.sec th{background:#dde8f2;text-align:left}a{color:#005a8c}pre{white-space:pre-wrap;overflow-wrap:anywhere}
@page{size:A4;margin:15mm}
@media print{body{max-width:none;margin:0;font-size:10pt}h2,h3{page-break-after:avoid;break-after:avoid}
tr{page-break-inside:avoid;break-inside:avoid}a{color:#111;text-decoration:none}details{display:none}
table{font-size:8pt}}
"""
SECTION_TITLES = ("How long until a plan and provision", "Disputes", "Who loses", "Costs", "Everything else")


def e(x: Any) -> str:
    """Escaped text (every scenario or rule-set string goes through here)."""
    return html.escape("" if x is None else str(x), quote=True)


def _ci(m: dict[str, Any], unit: str, like: float | None = None) -> str:
    lo, hi = m["ci95"]
    # a count and its bounds at the point's precision (summary.count_decimals), or at the row's (`like`: the rule
    # sets' means side by side at one precision, summary.shared_like)
    like = m["mean"] if like is None else like
    mean = e(number(m["mean"], unit, like))
    return f"{mean}<br><span class=small>({e(number(lo, unit, like))} to {e(number(hi, unit, like))})</span>" \
        if lo is not None else mean


def range_words(r: dict[str, Any]) -> str:
    """An assumption's range in the unit its sentence uses: a multiplier as 'times the scenario's' ('40% fewer
    contents disputes (range 0.3 to 1 times the scenario's)'), a share or chance as percentages ('85% on the list
    (range 60% to 95%)'); it was '(range 0.3, 1)' and '(range 0.6, 0.95)' beside a value in %."""
    rng = r.get("range")
    if not isinstance(rng, list | tuple) or len(rng) != 2 or not all(isinstance(x, int | float) for x in rng):
        return value_text(rng)
    a, b = (float(x) for x in rng)
    if str(r.get("parameter", "")).endswith("_multiplier"):
        return f"{a:g} to {b:g} times the scenario's"
    if 0 <= a <= b <= 1:
        return f"{100 * a:g}% to {100 * b:g}%"
    return f"{a:g} to {b:g}"


def _diff(m: dict[str, Any], unit: str) -> str:
    if m.get("diff") is None:
        return "-"
    lo, hi = m["diff_ci95"]
    like = m["diff"]  # a count and its bounds at the point's precision (summary.count_decimals)
    shown = number(m["diff"], unit, like).rstrip("%")
    sign = "+" if m["diff"] > 0 and re.search(r"[1-9]", shown) else ""  # '+0.0 weeks' for a diff of 0.03
    pts = " pp" if unit == "percent" else ""  # percentage points ('pp', said in the column's heading), not '%'
    d = f"{sign}{shown}{pts}"
    if lo is None:
        return e(d)
    return (f"{e(d)}<br><span class=small>({e(number(lo, unit, like).rstrip('%'))} to "
            f"{e(number(hi, unit, like).rstrip('%'))}"
            f"{pts})</span>")


def _ordered(keys: list[str]) -> list[str]:
    """Metrics in the summary's order: its sections first to last, the registry's order within each."""
    return sorted(keys, key=lambda k: (section_of(k), keys.index(k)))


def metric_table(results: Results) -> str:
    """Every metric, under each rule set and the paired difference(s), rows in the summary's order."""
    letters = [x[0] for x in legend(results)]
    if results.comparison is None:
        run = results.runs[0]
        ms = run.summary["metrics"]
        head = f"<tr><th scope=col>Measure</th><th scope=col>{e(letters[0])}: mean (95% interval)</th></tr>"
        body = "".join(f"<tr><th scope=row>{e(metric_label(k))}</th><td class=n>{_ci(ms[k], unit_of(k))}</td></tr>"
                       for k in _ordered(list(ms)))
        return f"<table>{head}{body}</table>"
    pairs = results.comparisons or [results.comparison]
    runs = results.runs
    head = "<tr><th scope=col style='width:30%'>Measure</th>" + "".join(
        f"<th scope=col>{e(letters[i])}</th>" for i in range(len(runs))) + "".join(
        f"<th scope=col>{e(letters[i])} minus {e(letters[0])} (95% interval; pp: percentage points)</th>"
        for i in range(1, len(runs))) + "</tr>"
    rows, last = [], -1
    keys = _ordered(list(pairs[0]["metrics"]))
    for k in keys:
        s = section_of(k)
        if s != last:
            rows.append(f"<tr class=sec><th colspan={2 * len(runs)} scope=colgroup>{e(SECTION_TITLES[s])}</th></tr>")
            last = s
        u = unit_of(k)
        cells = []
        sides = [(pair, *((pair["rules"][0], pair["rules"][1]) if pair["rules"][0] != pair["rules"][1]
                          else ("a", "b"))) for pair in pairs]
        row_like = shared_like(*[((p["metrics"].get(k) or {}).get(key) or {}).get("mean")
                                 for i, (p, ka, kb) in enumerate(sides) for key in ((ka, kb) if i == 0 else (kb,))])
        for i, (pair, ka, kb) in enumerate(sides):
            m = pair["metrics"].get(k) or {}
            if i == 0:
                cells.append(f"<td class=n>{_ci(m[ka], u, row_like) if m.get(ka) else '-'}</td>")
            cells.append(f"<td class=n>{_ci(m[kb], u, row_like) if m.get(kb) else '-'}</td>")
        diffs = [f"<td class=n>{_diff(pair['metrics'].get(k) or {}, u)}</td>" for pair in pairs]
        rows.append(f"<tr><th scope=row>{e(metric_label(k))}</th>{''.join(cells)}{''.join(diffs)}</tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def what_changed(results: Results) -> str:
    """Each parameter that differs, by its label, its values as a reader says them, its source or assumption."""
    if results.comparison is None:
        return "<p>A single run: nothing is compared.</p>"
    out = []
    for i, pair in enumerate(results.comparisons or [results.comparison], start=1):
        a, b = pair["rules"]
        ra, rb = results.runs[0], results.runs[i]
        sa, sb = rule_set_short(ra.name, ra.label), rule_set_short(rb.name, rb.label)
        rows = pair["what_changed"]
        if len(results.runs) > 2:
            out.append(f"<h3>{e(sb)} against {e(sa)}</h3>")
        if not rows:
            out.append("<p>Nothing: the two rule sets have the same parameters.</p>")
            continue
        head = (f"<tr><th scope=col style='width:34%'>What changes: {e(sa)} \u2192 {e(sb)}</th><th scope=col>Source"
                "</th><th scope=col>Assumption (range)</th></tr>")
        body = []
        for r in rows:
            assumption = "" if not r.get("assumption") else (f"{plain(r['assumption'])}" + (
                f" (range {value_text(r['range'])})" if r.get("range") is not None else ""))
            label = r.get("label") or "A parameter (named in the method section)"
            body.append(f"<tr><td>{e(change_sentence(label, r.get(a), r.get(b)))}</td><td>{e(plain(r.get('source')))}</td>"
                        f"<td>{e(assumption)}</td></tr>")
        out.append(f"<table>{head}{''.join(body)}</table>")
    return "\n".join(out)


def how_to_read(results: Results) -> str:
    """The box a parent reads first: what an interval is, what 'the same children' means, what rests on assumptions."""
    n = results.runs[0].summary["replications"]
    return f"""<aside class=howto aria-labelledby=howto-h><h2 id=howto-h>How to read this</h2><ul>
<li><strong>Each figure is an average over {e(n)} simulated runs</strong> of every child in the council, not a
forecast of one year.</li>
<li><strong>The 95% interval</strong> is the range the average would fall in if the simulation were repeated many
times. When the interval of a difference is all on one side ("between 1.2 and 3.4 weeks shorter"), the difference
is clear; when it runs from shorter to longer, the runs cannot tell the rule sets apart.</li>
<li><strong>The same children under both rule sets:</strong> each run follows the same children meeting the same
chance events (a late report, a mediation that fails) under each set of rules, so a difference comes from the
rules, not from luck.</li>
<li><strong>Assumptions:</strong> where a proposal does not say how big its effect would be, the model assumes a
size and states a range (listed below the summary). A difference is what follows <em>if</em> those assumptions
hold.</li>
<li><strong>Small numbers</strong> (fewer than 20 cases a run) are marked: one family more or less moves them a
lot.</li></ul></aside>"""


def legend_html(results: Results) -> str:
    items = "".join(f"<dt>{e(k)}</dt><dd><strong>{e(s)}</strong>: {e(long)}</dd>" for k, s, long in legend(results))
    return f"<dl class=legend aria-label='The rule sets compared'>{items}</dl>"


def summary_html(results: Results) -> str:
    """The plain-language summary as HTML (the report's first section; the web page shows it too)."""
    s = summary(results)
    out = [f"<p><strong>What was compared.</strong> {e(s['compared'])}</p>"]
    if results.comparison is None:
        out.append("<ul class=effects>" + "".join(f"<li>{e(x)}</li>" for x in s["effects"]) + "</ul>")
        proj = results.runs[0].summary.get("projection")
        if proj:
            out.append("<p><strong>Beyond the last year with figures</strong>:</p><ul class=projection>"
                       + "".join(f"<li>{e(x)}</li>" for x in projection_sentences(proj)) + "</ul>")
        return "\n".join(out)
    if s.get("nothing_in_force"):
        out.append(f"<p class=nothing-in-force><strong>Nothing in force.</strong> {e(plain(s['nothing_in_force']))}</p>")
    elif s["no_clear_difference"]:
        out.append("<p><strong>No clear difference:</strong> with these runs, no measure's 95% interval is all on "
                   "one side of zero (more runs narrow the intervals).</p>")
    many = len(s["contrasts"]) > 1
    for c in s["contrasts"]:
        if many:
            out.append(f"<h3>{e(c['title'])}</h3>")
        for k, sec in enumerate(c["sections"], start=1):
            if not sec["items"]:
                continue
            tag = "h4" if many else "h3"
            out.append(f"<{tag}>{k}. {e(sec['title'])}</{tag}><ul class=effects>"
                       + "".join(f"<li>{e(x)}</li>" for x in sec["items"]) + "</ul>")
    if s.get("in_force"):
        out.append("<p><strong>When each change comes into force</strong> (no effect before):</p><ul class=in-force>"
                   + "".join(f"<li>{e(x)}</li>" for x in s["in_force"]) + "</ul>")
    proj = (results.comparison or {}).get("projection") or results.runs[0].summary.get("projection")
    if proj:
        out.append("<p><strong>Beyond the last year with figures</strong>:</p><ul class=projection>"
                   + "".join(f"<li>{e(x)}</li>" for x in projection_sentences(proj)) + "</ul>")
    if s["assumptions"]:
        out.append("<p><strong>The assumptions these rest on</strong> (effect sizes the proposals do not state; each "
                   "has a range):</p><ul>"
                   + "".join(f"<li>{e(r.get('label') or 'A parameter')}: {e(plain(r['assumption']))}"
                             + (f" (range {e(range_words(r))})" if r.get("range") is not None else "")
                             + "</li>" for r in s["assumptions"]) + "</ul>")
    else:
        out.append("<p>No assumed effect separates the rule sets: every changed parameter has a source.</p>")
    return "\n".join(out)


DROP = {"rule_set", "metric", "measure", "outcome", "payer", "unit", "run", "rules", "parameter", "step"}
RENAME = {"rule_set_label": "Rule set", "label": "Measure", "payer_label": "Payer",
          # the CSV's column names in words, each with its unit: 'ci95 low gbp', 'mean pct', 'diff' were shown as
          # they are (code names with spaces, 'ci95', 'pct' and 'gbp' unexplained)
          "mean": "Mean", "ci95_low": "95% interval from", "ci95_high": "to", "mean_gbp": "Mean (£)",
          "ci95_low_gbp": "95% interval from (£)", "ci95_high_gbp": "to (£)", "mean_pct": "Mean (%)",
          "mean_weeks": "Mean (weeks)", "diff": "Difference", "diff_ci95_low": "95% interval from",
          "diff_ci95_high": "to", "diff_per_100_requests": "Difference per 100 requests of the group",
          "pct_of_new_requests_reached": "% of new requests reached", "new_requests": "New requests",
          "redress_capacity": "Family redress capacity", "capacity": "Family redress capacity",
          "mediations": "Mediations", "week": "Week", "year": "Year", "years": "Years"}


def data_table(chart: Chart, limit: int = 120) -> str:
    """The numbers behind a chart as a table (display columns only: code-name columns are in the CSV)."""
    if not chart.rows:
        return ""
    cols = [c for c in chart.rows[0] if c not in DROP]
    head = "".join(f"<th scope=col>{e(RENAME.get(c, c.replace('_', ' ').capitalize()))}</th>" for c in cols)

    def cell(v: Any) -> str:
        if isinstance(v, float):
            return f"{v:,.2f}".rstrip("0").rstrip(".")
        return value_text(v) if not isinstance(v, str) else v

    rows = "".join("<tr>" + "".join(f"<td>{e(cell(r.get(c)))}</td>" for c in cols) + "</tr>"
                   for r in chart.rows[:limit])
    more = f"<p class=small>The first {limit} of {len(chart.rows)} rows; all are in the chart's CSV.</p>" \
        if len(chart.rows) > limit else ""
    return (f"<details><summary>The numbers behind this chart</summary><table>"
            f"<caption class=small>{e(chart.title)}</caption><tr>{head}</tr>{rows}</table>{more}</details>")


def figures(charts: list[Chart]) -> str:
    return "\n".join(f'<figure><figcaption>{e(c.title)}</figcaption><img alt="{e(c.alt or c.title)}" '
                     f'src="data:image/png;base64,{png_base64(c)}">{data_table(c)}</figure>' for c in charts)


def reproduce_command(results: Results) -> str:
    r0 = results.runs[0]
    m = r0.manifest
    s = r0.summary
    rules = " ".join(f"--rules {shlex.quote(r.name)}" for r in results.runs)
    verb = "compare" if results.comparison is not None else "run"
    rules = rules if verb == "compare" else f"--rules {shlex.quote(r0.name)}"
    folder = shlex.quote(results.folder.name or "out")
    until = f" --until {s['end_date']}" if s.get("end_date") and s["end_date"] != \
        str((m.get("scenario_parameters") or {}).get("end_date", s["end_date"])) else ""
    return (f"sendsim {verb} {shlex.quote(str(m.get('scenario_file') or r0.scenario))} {rules} --replications "
            f"{s['replications']} --seed {s['seed']}{until} --out {folder}\nsendsim report {folder} --out report.html")


def method(results: Results) -> str:
    """How the figures were made and how to make them again: the only section with code names, seeds and files."""
    r0 = results.runs[0]
    m = r0.manifest
    n = r0.summary["replications"]
    files = "".join(f"<li>{e(rule_set_short(r.name, r.label))}: <code>{e(r.name)}</code>, rules sha256 "
                    f"<code>{e(r.manifest.get('rules_sha256', ''))[:16]}</code></li>" for r in results.runs)
    return f"""
<p>Each run simulates every child of the scenario, one event at a time, through the statutory steps (request,
decision to assess, advice, decision to issue, draft, final plan, placement, redress, tribunal, reviews) with the
authority's own figures and queues. The figures are means over {n} replications with Student's t 95% confidence
intervals. {"Every rule set runs the same children with the same random draws (common random numbers), so a "
           "difference reflects the rules, not chance; its interval is computed from the paired differences." if
           results.comparison is not None else ""}</p>
<ul>
<li>Counts and costs are totals over the whole horizon ({e(r0.summary['start_date'])} to
{e(r0.summary['end_date'])}, {results.years:.1f} years), not per year; costs are the rule set's unit costs of
process steps and yearly placement costs, in pounds of the year their source states.</li>
<li>With few replications the intervals are wide; a difference whose interval includes zero is not evidence of
no effect.</li>
<li>The model is checked against DfE SEN2 national and local figures (<code>sendsim backtest</code>); a single
authority's figures vary more between replications than England's.</li>
<li>Scenario <code>{e(r0.scenario)}</code>, file <code>{e(m.get('scenario_file', ''))}</code>, sha256
<code>{e(m.get('scenario_sha256', ''))[:16]}</code>; seed {e(r0.summary['seed'])}; sendsim {e(__version__)}.</li>
</ul><ul class=small>{files}</ul>
<p>To make the same figures and this report again (the same scenario and seed give the same numbers):</p>
<pre><code>{e(reproduce_command(results))}</code></pre>
<p class=small>Made by <code>sendsim report {e(results.folder.name)}</code> from the folder's files alone
(summary.json, manifest.json, journeys.parquet{", compare.json" if results.comparison is not None else ""}).</p>
"""


GENERATOR = "sendsim report"  # in every report's head: `sendsim report` may replace a file that carries it


def title_of(results: Results) -> str:
    r0 = results.runs[0]
    if results.comparison is not None:
        others = " and ".join(rule_set_short(r.name, r.label) for r in results.runs[1:])
        return f"{place(r0)}: {others} against {rule_set_short(r0.name, r0.label)}"
    return f"{place(r0)} under {rule_set_short(r0.name, r0.label)}"


def abbreviations_html(body: str) -> str:
    """The abbreviations the page's text uses (not its method section, which keeps code names), each in full."""
    from .names import abbreviations_in

    text = re.sub(r"<(style|script)\b.*?</\1>", " ", body.split("<section id=method")[0], flags=re.S)
    used = abbreviations_in(html.unescape(re.sub(r"<[^>]+>", " ", text)))
    if not used:
        return ""
    return ("<section id=abbreviations aria-labelledby=h-abbr><h2 id=h-abbr>Abbreviations</h2><dl class=abbr>"
            + "".join(f"<dt>{e(a)}</dt><dd>{e(w)}</dd>" for a, w in used) + "</dl></section>")


def page(title: str, body: str) -> str:
    glossary = abbreviations_html(body)
    if glossary:  # before the method section, the last one for a reader
        at = body.find("<section id=method")
        body = body[:at] + glossary + body[at:] if at >= 0 else body + glossary
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="generator" content="{GENERATOR}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)}</title><style>{CSS}</style></head>
<body><main>
<h1>{e(title)}</h1>
{body}
</main></body></html>
"""


def report_html(results: Results) -> str:
    """The whole page as one string."""
    r0 = results.runs[0]
    charts = run_charts(results)
    body = f"""<p class=meta>{e(date_words(r0.summary['start_date']))} to {e(date_words(r0.summary['end_date']))} &middot;
{e(r0.summary['replications'])} runs of every child</p>
{legend_html(results)}
<p class=description id=scenario-description>{e(r0.description)}</p>
{how_to_read(results)}
<section id=summary aria-labelledby=h-summary><h2 id=h-summary>Summary</h2>
{summary_html(results)}
</section>
<section id=charts aria-labelledby=h-charts><h2 id=h-charts>Charts</h2>
{figures(charts)}
</section>
<section id=tables aria-labelledby=h-tables><h2 id=h-tables>Every measure</h2>
{metric_table(results)}
</section>
<section id=what-changed aria-labelledby=h-changed><h2 id=h-changed>What changed, and the sources</h2>
{what_changed(results)}
</section>
<section id=method aria-labelledby=h-method><h2 id=h-method>Method and reproducibility</h2>
{method(results)}
</section>"""
    return page(title_of(results), body)
