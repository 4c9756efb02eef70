"""The one HTML page of `sendsim serve`: the form, the progress, the results; its style and script inline.

Why inline and plain: the page must work on a volunteer's laptop without a network, and nothing it shows may run
as markup (council names, labels and messages are escaped here, and the script inserts text with `textContent`;
only the summary, which the report layer has already escaped, is inserted as HTML).
"""

from __future__ import annotations

import datetime as dt
import html
import json

from ..report.names import ABBREVIATIONS, rule_set_short, short_label

CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;font-size:15px;line-height:1.45;color:#111;max-width:62em;overflow-wrap:break-word;
margin:1em auto;padding:0 1em}h1{font-size:1.5em;margin-bottom:.1em}h2{font-size:1.15em;margin-top:1.2em;
border-bottom:2px solid #0072B2}fieldset{border:1px solid #ccc;margin:.8em 0;padding:.6em 1em}
legend{font-weight:bold}label{display:block;margin:.35em 0}input[type=text],input[type=number],select{
font-size:1em;padding:.2em;min-width:14em;max-width:100%;box-sizing:border-box}
fieldset{min-width:0}.scroll{overflow-x:auto;max-width:100%}.abbr dt{font-weight:bold;float:left;clear:left;
width:4.5em}.abbr dd{margin:0 0 .2em 5em}
@media (max-width:40em){td,th{padding:.2em .3em;font-size:.9em}}.err{color:#b00020;font-weight:bold;margin-left:.4em}
.hint{color:#555;font-size:.9em}button{font-size:1.05em;padding:.4em 1.2em;background:#0072B2;color:#fff;
border:0;border-radius:3px;cursor:pointer}button:disabled{background:#888}#progress{font-family:monospace;
font-size:.85em;background:#f4f4f4;padding:.5em;white-space:pre-wrap;max-height:12em;overflow:auto}
figure{margin:1em 0}figure img{max-width:100%;border:1px solid #ddd}figcaption{font-weight:bold}
.switches label{font-weight:normal}.cols{display:flex;gap:2em;flex-wrap:wrap}
#errors{border:2px solid #b00020;padding:.3em .8em;margin:.6em 0;color:#111}#errors a{color:#b00020}
[aria-invalid=true]{border:2px solid #b00020}#partial{color:#333;font-style:italic}
:focus-visible{outline:3px solid #E69F00;outline-offset:2px}
table{border-collapse:collapse}td,th{padding:.2em .8em;border-bottom:1px solid #ddd}
td.observed,td.model,#by-year td.num{text-align:right}.when{color:#333;font-size:.9em}
#by-year tr.clear td.diff{font-weight:bold}
"""

SCRIPT = r"""
const $ = (id) => document.getElementById(id);
const ORDER = ['source', 'name', 'requests_per_year', 'refused_pct', 'within_20_weeks_pct', 'plans_in_force',
               'council', 'horizon', 'reform', 'switches', 'replications', 'request'];
function source() { return document.querySelector('input[name=source]:checked').value; }
function toggle() {
  $('council-box').style.display = source() === 'council' ? '' : 'none';
  $('figures-box').style.display = source() === 'figures' ? '' : 'none';
}
document.querySelectorAll('input[name=source]').forEach((r) => r.addEventListener('change', toggle));
toggle();
const INFO = JSON.parse($('reform-info').textContent);
function chosen() {
  // the ticked changes, else every change of the chosen reform (its alternatives only when ticked)
  const sw = [...document.querySelectorAll('input[name=switch]:checked')].map((c) => c.value);
  return sw.length ? sw : (INFO.members[$('reform').value] || []);
}
function dates() {
  // each chosen change's in-force date beside it, and the horizon the page runs to by default
  const names = chosen();
  const ul = $('in-force-list');
  ul.replaceChildren();
  for (const n of names) {
    const li = document.createElement('li');
    li.textContent = INFO.labels[n] + ': ' + INFO.when[n];
    ul.append(li);
  }
  const later = names.map((n) => INFO.dates[n]).filter((d) => d && d > INFO.start);
  const ticked = document.querySelectorAll('input[name=switch]:checked').length > 0;
  const end = !ticked && INFO.defaults[$('reform').value] ? INFO.defaults[$('reform').value] :
    later.length ? Math.min(Math.max(...later.map((d) => +d.slice(0, 4))) + INFO.after, INFO.limit) : INFO.first_end;
  $('horizon-default').textContent = 'From January ' + INFO.start.slice(0, 4) + ' to December ' + end +
    (later.length ? ' (the changes in force, plus ' + INFO.after + ' years)' : ' (two years)');
}
$('reform').addEventListener('change', dates);
document.querySelectorAll('input[name=switch]').forEach((c) => c.addEventListener('change', dates));
dates();
function clearErrors() {
  document.querySelectorAll('.err').forEach((e) => { e.textContent = ''; });
  document.querySelectorAll('[aria-invalid]').forEach((e) => e.removeAttribute('aria-invalid'));
  $('errors').replaceChildren();
  $('errors').style.display = 'none';
}
function showErrors(errors) {
  // every bad field: its message beside it, a list beside Run, then focus and scroll to the first one
  const keys = Object.keys(errors).sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b));
  const head = document.createElement('p');
  head.textContent = keys.length === 1 ? 'One figure needs correcting:' : keys.length + ' figures need correcting:';
  const ul = document.createElement('ul');
  for (const k of keys) {
    const el = $('err-' + k);
    if (el) el.textContent = errors[k];
    const field = $(k);
    if (field) field.setAttribute('aria-invalid', 'true');
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = '#' + (field ? k : 'run');
    a.textContent = errors[k];
    a.addEventListener('click', (ev) => { ev.preventDefault(); if (field) { field.focus(); field.scrollIntoView({block: 'center'}); } });
    li.append(a);
    ul.append(li);
  }
  $('errors').replaceChildren(head, ul);
  $('errors').style.display = '';
  const first = keys.map((k) => $(k)).find((f) => f && f.offsetParent !== null);
  if (first) { first.focus(); first.scrollIntoView({block: 'center'}); }
}
$('form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clearErrors();
  const data = new URLSearchParams();
  for (const el of $('form').elements) {
    if (!el.name || el.type === 'checkbox' || (el.type === 'radio' && !el.checked)) continue;
    data.append(el.name, el.value);
  }
  const sw = [...document.querySelectorAll('input[name=switch]:checked')].map((c) => c.value);
  data.append('switches', sw.join(','));
  $('results').style.display = 'none';
  $('charts').replaceChildren();
  shown = 0;
  $('run').disabled = true;
  $('status').textContent = 'Starting...';
  const r = await fetch('/api/run', {method: 'POST', body: data});
  const j = await r.json();
  if (j.errors) {
    $('status').textContent = 'Not run: please correct the figures listed.';
    showErrors(j.errors);
    $('run').disabled = false;
    return;
  }
  t0 = performance.now();
  poll(j.job);
});
let shown = 0;
let t0 = 0;
async function poll(id) {
  const r = await fetch('/api/job/' + id);
  const j = await r.json();
  $('progress').textContent = j.progress.join('\n');
  $('progress').scrollTop = 1e9;
  if (j.summary) show(j);
  if (j.state === 'done') {
    $('status').textContent = 'Done in ' + j.seconds.toFixed(1) + ' s.';
    $('run').disabled = false;
  } else if (j.state === 'failed') {
    $('status').textContent = 'The run failed: ' + j.error;
    $('run').disabled = false;
  } else {
    if (j.state === 'queued') {
      const q = j.queue || {};
      $('status').textContent = 'Waiting: ' + (q.ahead === 1 ? 'one run is' : (q.ahead || 'other') + ' runs are') +
        ' ahead of yours; about ' + Math.max(5, Math.round(q.estimate_s || 30)) + ' s before yours starts.';
    } else if (j.partial) {
      $('status').textContent = j.partial;
    } else {
      $('status').textContent = 'Running...';
    }
    setTimeout(() => poll(id), 400);
  }
}
function show(j) {
  if ($('summary').dataset.html !== j.summary) {
    $('summary').innerHTML = j.summary;
    $('summary').dataset.html = j.summary;
  }
  $('partial').textContent = j.partial || '';
  const b = $('baseline');
  b.replaceChildren();
  if (j.baseline && j.baseline.rows) {
    $('baseline-year').textContent = j.baseline.year;
    for (const r of j.baseline.rows) {
      const tr = document.createElement('tr');
      tr.id = 'baseline-' + r.metric;
      const fmt = (v) => v === null || v === undefined ? '-' :
        (r.metric.endsWith('_pct') ? v.toFixed(1) : Math.round(v).toLocaleString('en-GB'));
      for (const [cls, v] of [['label', r.label], ['observed', fmt(r.observed)], ['model', fmt(r.model)]]) {
        const td = document.createElement('td');
        td.className = cls;
        td.textContent = v;
        if (cls === 'label' && r.source) {  // where the official figure comes from, under its name
          const src = document.createElement('span');
          src.className = 'hint source';
          src.textContent = 'Source: ' + r.source;
          td.append(document.createElement('br'), src);
        }
        tr.append(td);
      }
      b.append(tr);
    }
  }
  $('period').textContent = j.period ? 'The run covers ' + j.period + '.' : '';
  const y = $('by-year-body');
  y.replaceChildren();
  $('by-year-box').style.display = j.by_year && j.by_year.length ? '' : 'none';
  const n0 = (v) => v === null || v === undefined ? '-' : (Math.round(v) + 0).toLocaleString('en-GB');
  // a difference and its bounds at the one precision the server chose (r.digits: whole from 100, else one
  // decimal); a value that rounds to 0 has no sign ('0', '0.0')
  const n1 = (v, d) => {
    if (v === null || v === undefined) return '-';
    const t = v.toLocaleString('en-GB', {minimumFractionDigits: d, maximumFractionDigits: d});
    return /[1-9]/.test(t) ? (v > 0 ? '+' : '') + t : t.replace('-', '');
  };
  for (const r of (j.by_year || [])) {
    const tr = document.createElement('tr');
    tr.id = 'by-year-' + r.metric + '-' + r.year;
    tr.className = r.clear ? 'clear' : 'unclear';
    const cells = [['year', r.year], ['label', r.label], ['num a', n0(r.a)], ['num b', n0(r.b)],
                   ['num diff', n1(r.diff, r.digits)], ['num lo', n1(r.lo, r.digits)],
                   ['num hi', n1(r.hi, r.digits)],
                   ['verdict', r.clear ? 'clear' : r.same ? 'none: the same in every run' : 'not clear']];
    for (const [cls, v] of cells) {
      const td = document.createElement('td');
      td.className = cls;
      td.textContent = v;
      tr.append(td);
    }
    y.append(tr);
  }
  const box = $('charts');
  for (const c of j.charts.slice(shown)) {
    const f = document.createElement('figure');
    const cap = document.createElement('figcaption');
    cap.textContent = c.title;
    const img = document.createElement('img');
    img.src = c.src; img.alt = c.alt || c.title;
    f.append(cap, img);
    box.append(f);
  }
  shown = j.charts.length;
  $('charts-wait').textContent = j.state === 'done' || j.state === 'failed' ? '' : 'Charts are being drawn...';
  if (j.report) { $('download').href = j.report; $('download-box').style.display = ''; }
  else { $('download-box').style.display = 'none'; }
  $('results').style.display = '';
}
"""


def e(s: object) -> str:
    return html.escape(str(s), quote=True)


def switch_text(label: str) -> str:
    """A switch as a volunteer reads it: its label without code words; a sensitivity case or an alternative said
    as 'a what-if, not in the proposal'."""
    what_if = label.startswith(("Sensitivity", "Seed's alternative"))
    text = short_label(label)
    text = text[:1].upper() + text[1:]
    return text + (" (a what-if, not in the proposal)" if what_if else "")


def reform_short(name: str, label: str) -> str:
    return rule_set_short(name, label) if name else label


def when_text(date: str) -> str:
    """A switch's in-force date as a volunteer reads it: 'in force from 1 September 2030', or from the first day of
    the run for a proposal never dated."""
    if date == "start":
        return "no date proposed: modelled from the first day of the run"
    d = dt.date.fromisoformat(date)
    return f"in force from {d.day} {d:%B %Y}"


def page(councils: list[str], sets: list[tuple[str, str]], switches: list[tuple[str, str, str]],
         figures: tuple[tuple[str, str, float, float, bool], ...], examples: dict[str, str], latest: int,
         dates: dict[str, str] | None = None, defaults: dict[str, int] | None = None,
         years: tuple[int, int] | None = None) -> str:
    """The whole page as a string. `dates`: each switch's in-force date (ISO or 'start'); `defaults`: each reform's
    default end year from the latest caseload; `years`: the first January of that caseload and the last end year."""
    dates = dates or {}
    first, limit = years or (latest + 1, latest + 12)
    opts = "".join(f'<option value="{e(c)}">{e(c)}</option>' for c in councils)
    reform_opts = "".join(f'<option value="{e(s)}">{e(label)}</option>' for s, label in sets)
    names = dict(sets)
    sw = "".join(f'<label><input type="checkbox" name="switch" value="{e(n)}"> {e(switch_text(label))} '
                 f'<span class=hint>({e(reform_short(r, names.get(r, r)))}; <span class=when>'
                 f'{e(when_text(dates.get(n, "start")))}</span>)</span></label>' for n, r, label in switches)
    alternative = {n for n, _r, label in switches if label.startswith(("Sensitivity", "Seed's alternative"))}
    info = {"start": f"{first}-01-01", "limit": limit, "after": 3, "first_end": first + 1,
            "dates": {n: d for n, d in dates.items() if d != "start"},
            "when": {n: when_text(dates.get(n, "start")) for n, _r, _l in switches},
            "labels": {n: switch_text(label) for n, _r, label in switches},
            "members": {s: [n for n, r, _l in switches if r == s and n not in alternative] for s, _l in sets},
            "defaults": defaults or {}}
    # inside <script type=application/json>: '<' escaped so no text can close the element
    info_json = json.dumps(info).replace("<", "\\u003c")
    # every abbreviation the form, the summary or the report may use, each in full (a volunteer met 'SENCo', 'AP',
    # 'ISP' and 'ICB' unexplained)
    glossary = ("<details class=hint><summary>Abbreviations used here</summary><dl class=abbr>"
                + "".join(f"<dt>{html.escape(a)}</dt><dd>{html.escape(w)}</dd>" for a, w in sorted(
                    ABBREVIATIONS.items(), key=lambda kv: kv[0].lower())) + "</dl></details>")
    horizon_opts = "".join(f'<option value="{y}">From January {first} to December {y}</option>'
                           for y in range(first + 1, limit + 1))
    figs = "".join(f'<label>{e(label)} <input type="text" inputmode="decimal" name="{e(k)}" id="{e(k)}" '
                   f'placeholder="e.g. {examples[k]}"><span class=err id="err-{e(k)}"></span></label>'
                   for k, label, _lo, _hi, _i in figures)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>sendsim: what a reform would change for your council</title><style>{CSS}</style></head><body>
<h1>What would a reform change for your council?</h1>
<p class=hint>sendsim simulates every child's route through the EHC needs assessment and plan process, under
current law and under a proposal, with the same children and the same chance events, from the council's
latest caseload to a few years after the proposal comes into force, on this computer; nothing is sent
anywhere.</p>
{glossary}
<form id=form autocomplete=off novalidate>
<fieldset><legend>1. Your council</legend>
<label><input type=radio name=source value=figures checked> I will type our four figures</label>
<label><input type=radio name=source value=council> An English council, with its official DfE figures</label>
<div id=figures-box><label>Name <input type=text name=name id=name value="My council"><span class=err
id=err-name></span></label>{figs}
<p class=hint>From your council's SEN2 return or the local offer: one calendar year ({latest}). National values are
used for everything else, and the council's delay is fitted to its % within 20 weeks.</p></div>
<div id=council-box><label>Council <select name=council id=council>{opts}</select><span class=err
id=err-council></span></label>
<label>Years to run <select name=horizon id=horizon><option value="" id=horizon-default selected>From January
{first} to three years after the changes are in force</option>{horizon_opts}<option value=history>2019 to {latest}:
the years with official figures (to check the model against them)</option></select><span class=err
id=err-horizon></span></label>
<p class=hint id=council-year>From the council's own caseload in January {first} (DfE SEN2, by setting and age), its
requests and rates to {latest}, then a stated projection (the same for every council, with its ranges in the
report). Or the years 2019-{latest}, with official figures 2019-{latest} as in the England scenario and the
council's delays as fitted there, the model beside its latest year with figures.</p></div>
</fieldset>
<fieldset><legend>2. The change to compare with current law</legend>
<label>A reform <select name=reform id=reform>{reform_opts}</select><span class=err id=err-reform></span></label>
<p class=hint>When each change comes into force (no effect before):</p><ul id=in-force-list class=when></ul>
<div class=switches><p>or only some of its changes (ticking any of these compares current law plus just
those):</p>{sw}<span class=err id=err-switches></span></div>
</fieldset>
<fieldset><legend>3. Run</legend>
<label>Runs of every child (2 to 30; more: narrower intervals, slower) <input type=text inputmode=numeric
name=replications id=replications value=5><span class=err id=err-replications></span></label>
<span class=err id=err-source></span><span class=err id=err-request></span>
<button id=run type=submit>Run the comparison</button> <span id=status role=status aria-live=polite></span>
<div id=errors role=alert style="display:none"></div>
</fieldset>
</form>
<div id=progress aria-label="Progress of the run" role=log></div>
<div id=results style="display:none">
<h2>Your council in <span id=baseline-year></span>: official figures and the model under current law</h2>
<p class=hint>The latest year with figures. Where the model is far from the official figure, read what a reform
changes with care.</p>
<div class=scroll tabindex=0 role=region aria-label="Official figures and the model"><table><thead><tr><th
scope=col>Figure</th><th scope=col>Official</th><th scope=col>Model (current law)</th></tr>
</thead><tbody id=baseline></tbody></table></div>
<p id=period></p>
<h2>Summary</h2><p id=partial></p><div id=summary></div>
<div id=by-year-box style="display:none"><h2>Year by year: the reform against current law</h2>
<p class=hint>The same children under both. A difference is clear when its 95% interval is all on one side of
zero.</p>
<div class=scroll tabindex=0 role=region aria-label="Year by year"><table><thead><tr><th scope=col>Year</th><th scope=col>Measure</th><th scope=col>Current law</th><th
scope=col>Reform</th><th scope=col>Difference</th><th scope=col>95% interval from</th><th scope=col>to</th><th
scope=col>Clear?</th></tr></thead><tbody id=by-year-body></tbody></table></div></div>
<p id=download-box style="display:none"><a id=download href="#" download="sendsim-report.html">Download the full
report (one HTML file, printable)</a></p>
<h2>Charts</h2><p id=charts-wait class=hint></p><div id=charts></div>
</div>
<script type="application/json" id=reform-info>{info_json}</script>
<script>{SCRIPT}</script>
</body></html>
"""
