"""Display names for everything a person reads: places, rule sets, switches, metrics, money and yes/no values.

Why one module: a forum volunteer read "walsall", "(green_paper_2022)", "+ mandatory_mediation", "£-450 thousand"
and "False → True" on the page and in the report. Every text a reader sees goes through here, so code names stay
inside the report's "Method and reproducibility" section (a test scans the rest for them: `code_names`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from ..analysis.runs.results import REGISTRY, Results, RunData

MINUS = "\u2212"  # a real minus sign: "−£450k" reads as money, "£-450" does not
SHORT = {"current_2014": "Current law", "green_paper_2022": "Green Paper", "improvement_plan_2023": "Improvement Plan",
         "white_paper_2026": "White Paper"}  # short names of the shipped rule sets; others: the label up to "("
SMALL_COUNT = 20  # a count below this (a mean per run) is "small numbers": one family more or less moves it a lot


@lru_cache(maxsize=1)
def _switch_labels() -> dict[str, str]:
    """{switch: its short label} from the shipped rule-set files (the part before any ':' or '(')."""
    import yaml

    from ..rules.resolve import rules_dirs

    out: dict[str, str] = {}
    for d in rules_dirs():
        for f in sorted(d.glob("*.yaml")):
            data = yaml.load(f.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
            for name, sw in ((data or {}).get("switches") or {}).items():
                label = str((sw or {}).get("label", name))
                out[name] = label
    return out


def switch_label(name: str) -> str:
    """A switch by its label ('Mediation compulsory before any appeal'), never its code name."""
    return _switch_labels().get(name, name.replace("_", " "))


def short_label(text: str) -> str:
    """A label without its parenthesis, its 'Sensitivity:' prefix and with a lower-case first letter kept as is."""
    t = re.sub(r"\s*\([^)]*\)", "", text).strip()
    t = re.sub(r"^(Sensitivity|Seed's alternative):\s*", "", t)
    return t


def rule_set_short(name: str, label: str = "") -> str:
    """'Green Paper', 'Current law + mediation compulsory before any appeal': short enough to repeat in a sentence."""
    base, *switches = name.split("+")
    head = SHORT.get(base) or (short_label(label.split(" + ")[0]) if label else base.replace("_", " "))
    if not switches:
        return head
    parts = [short_label(switch_label(s)) for s in switches]
    return head + " + " + " + ".join(p[:1].lower() + p[1:] for p in parts)


def rule_set_long(run: RunData) -> str:
    """The rule set's full label, with each switch by its label."""
    base, *switches = run.name.split("+")
    head = run.label.split(" + ")[0] if switches else run.label
    return head + "".join(f" + {switch_label(s)}" for s in switches)


def place(run: RunData) -> str:
    """The place a run is of, by its official name: a council ('Walsall'), England, or the number of councils."""
    man = run.manifest
    places = man.get("places") or []
    n = int(man.get("local_authorities") or len(places) or 1)
    if n == 1 and places:
        return str(places[0])
    if run.scenario.startswith("england"):
        return f"England ({n} councils)"
    if n > 1:
        return f"{n} councils"
    return run.scenario.replace("_", " ").strip().title() or "The council"


def metric_label(key: str) -> str:
    """A metric's label from the registry, with '(GBP)' said as a reader says it."""
    m = REGISTRY.get(key)
    label = m.label if m is not None else key.replace("_", " ")
    return label.replace(" (GBP)", "")


def money(v: float | None, signed: bool = False) -> str:
    """'£1.2m', '£450k', '−£450k' ('+£450k' when `signed`)."""
    if v is None:
        return "not available"
    a = abs(v)
    # each unit chosen by the value as rounded for it: £999,950 is '£1.0m', not '£1,000k'; £999.70 '£1.0k'
    if a >= 1e6 or round(a / 1e3) >= 1000:
        body = f"£{a / 1e6:,.1f}m"
    elif a >= 1e4 or round(a / 1e3, 1) >= 10:
        body = f"£{a / 1e3:,.0f}k"
    elif a >= 1e3 or round(a) >= 1000:
        body = f"£{a / 1e3:,.1f}k"
    else:
        body = f"£{a:,.0f}"
    if not any(ch in body for ch in "123456789"):  # rounds to £0: no sign ('−£0' for −£0.40)
        return body
    return (MINUS if v < 0 else ("+" if signed and v > 0 else "")) + body


def yes_no(v: Any) -> Any:
    """True/False as 'yes'/'no'; anything else as it is."""
    if isinstance(v, bool):
        return "yes" if v else "no"
    return v


def value_text(v: Any) -> str:
    """A parameter's value as a reader says it (booleans as yes/no, lists joined, None as a dash)."""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:,.0f}" if abs(v) >= 1000 else f"{v + 0.0:g}"  # + 0.0: -0.0 reads '0', not '-0'
    if isinstance(v, list):
        return ", ".join(value_text(x) for x in v) if v else "none"
    if v is None:
        return "-"
    if isinstance(v, str):
        return v.replace("_", " ")
    return str(v)


# a sweep's design as a reader says it (the file's `design.kind` is the code): the batch text and report, the tornado
# chart's title, the compare text's uncertainty line
DESIGN_WORDS = {"grid": "grid", "lhs": "Latin hypercube", "morris": "Morris (elementary effects)", "sobol": "Sobol"}


def design_words(kind: Any) -> str:
    """'Morris (elementary effects)' for 'morris', 'Latin hypercube' for 'lhs' (a kind not listed as given)."""
    return DESIGN_WORDS.get(str(kind), str(kind).replace("_", " "))


# a parameter's last name as a reader says it, where a sentence quotes one ('the 2019 value x (1 +
# redress.dispute_growth_pct_per_year)'): named here, else its unit words ('_pct_per_year' as ', % a year')
PARAMETER_WORDS = {
    "dispute_growth_pct_per_year": "the yearly % growth of disputes per decision",
    "hearings_growth_pct_per_year": "the yearly % growth of the tribunal's hearings",
    "population_growth_pct_per_year": "the yearly % growth of the population aged 0-25",
    "capacity_growth_pct_per_year": "the yearly % growth of staffing",
    "casework_growth_pct_per_year": "the yearly % growth of the casework team",
    "special_places_growth_pct_per_year": "the yearly % growth of special school places",
    "capacity_projection_pct_per_year": "the projected yearly % growth of staffing",
}


def parameter_words(name: str) -> str:
    """A parameter's code name ('dispute_growth_pct_per_year') in words: from PARAMETER_WORDS, else with its unit
    said ('x_pct_per_year' as 'x, % a year', 'x_pct' as 'x, %', 'x_days' as 'x, days')."""
    if name in PARAMETER_WORDS:
        return PARAMETER_WORDS[name]
    for suffix, unit in (("_pct_per_year", ", % a year"), ("_per_year", " a year"), ("_pct", ", %"),
                         ("_days", ", days"), ("_weeks", ", weeks")):
        if name.endswith(suffix):
            return name[: -len(suffix)].replace("_", " ") + unit
    return name.replace("_", " ")


def plain(text: Any) -> str:
    """A rule-set file's own words (a source, an assumption) with any code name in it said by its display name:
    a switch by its label, a rule set by its short name, a metric by its label; 'UNVERIFIED' as 'not verified'."""
    t = "" if text is None else str(text)
    if "_" in t:
        bases = "|".join(re.escape(b) for b in SHORT)
        t = re.sub(rf"(?<![A-Za-z0-9_+])(?:{bases})(?:\+[a-z0-9_]+)+", lambda m: rule_set_short(m.group(0)), t)
        for name, label in sorted(_switch_labels().items(), key=lambda kv: -len(kv[0])):
            t = re.sub(rf"(?<![A-Za-z0-9_])(switch )?{re.escape(name)}(?![A-Za-z0-9_])",
                       f"the switch '{short_label(label)}'", t)
        for name, short in SHORT.items():
            t = re.sub(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", short, t)
        for name in sorted(REGISTRY, key=len, reverse=True):
            if "_" in name and name in t:  # 'requests' or 'mediations' alone are plain words
                t = re.sub(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", f"'{metric_label(name)}'", t)
    t = re.sub(r"\s*\((?:[a-z0-9_]+\.)+[a-z0-9_\[\]]+\)", "", t)  # '(support_plans.eligible_by_need)': a path
    t = re.sub(r"(?<![\w/.])(?:[a-z0-9_]+\.)+([a-z0-9_]+)(?![\w(])", lambda m: parameter_words(m.group(1))
               if "_" in m.group(0) else m.group(0), t)
    t = re.sub(rf"(?<![A-Za-z0-9_.])({'|'.join(map(re.escape, PARAMETER_WORDS))})(?![A-Za-z0-9_])",
               lambda m: parameter_words(m.group(1)), t)  # a parameter quoted without its path
    return t.replace("UNVERIFIED", "not verified")


def change_sentence(label: str, a: Any, b: Any) -> str:
    """'Mediation compulsory before an appeal: no → yes'."""
    return f"{label}: {value_text(a)} \u2192 {value_text(b)}"


def comparison_words(results: Results) -> str:
    """'Walsall: Green Paper against Current law' (every chart's title names the place and the comparison)."""
    r0 = results.runs[0]
    if len(results.runs) == 1:
        return f"{place(r0)} under {rule_set_short(r0.name, r0.label)}"
    others = " and ".join(rule_set_short(r.name, r.label) for r in results.runs[1:])
    return f"{place(r0)}: {others} against {rule_set_short(r0.name, r0.label)}"


def legend(results: Results) -> list[tuple[str, str, str]]:
    """[(letter, short name, full label)] of the rule sets compared, baseline first: said once, at the top."""
    return [(chr(ord("A") + i), rule_set_short(r.name, r.label), rule_set_long(r)) for i, r in enumerate(results.runs)]


@lru_cache(maxsize=1)
def code_names() -> frozenset[str]:
    """Every code name a reader must not see outside the method section: metric names, rule sets, switches, payers,
    shipped scenario names. (Single words such as 'family' or 'contents' are ordinary English and not listed.)"""
    from ..rules.resolve import rules_dirs
    from ..schema.vocabulary import PAYERS

    names = set(REGISTRY) | set(_switch_labels()) | {p for p in PAYERS if "_" in p}
    for d in rules_dirs():
        names |= {f.stem for f in d.glob("*.yaml")}
    names |= {"small_la", "england", "seed"}
    return frozenset(n for n in names if "_" in n or n == "seed")


def find_code_names(text: str) -> list[str]:
    """Code names (from `code_names`) found in a visible text, and 'seed N' / file paths."""
    found = sorted(n for n in code_names() if n != "seed" and re.search(rf"(?<![A-Za-z0-9_]){re.escape(n)}(?![A-Za-z0-9_])",
                                                                           text))
    found += re.findall(r"\bseed \d+", text)
    found += re.findall(r"\b[a-z0-9]+_[a-z0-9_]*\.[a-z0-9_.]*[a-z0-9_]\b|\b[a-z0-9]+\.[a-z0-9]+_[a-z0-9_.]*\b", text)
    found += re.findall(r"(?:/[\w.-]+){2,}\.(?:ya?ml|json|parquet|csv)", text)
    return found


# Every abbreviation a reader may meet in a report or on the web page, said in full once, in a list beside the text
# (a forum volunteer met 'ISP', 'SENCo', 'TSQ', 'ICB' and 'WP4' unexplained). `abbreviations_in` finds those used.
ABBREVIATIONS = {
    "AP": "alternative provision: schools and units for children who cannot attend a mainstream or special school",
    "CFA": "the Children and Families Act 2014",
    "CSV": "a spreadsheet file of the numbers (comma-separated values)",
    "DfE": "the Department for Education",
    "EHC": "education, health and care (an EHC needs assessment, an EHC plan)",
    "EHCP": "an education, health and care plan",
    "HTML": "a web page saved as one file, which any browser opens and prints",
    "ICB": "integrated care board: the NHS body that arranges health services in an area",
    "ISP": "Individual Support Plan: the White Paper's plan made by a school, with no appeal to the tribunal",
    "LA": "local authority: the council", "LAs": "local authorities: the councils",
    "MoJ": "the Ministry of Justice, which publishes the tribunal's statistics",
    "NHS": "the National Health Service",
    "ONS": "the Office for National Statistics",
    "PRU": "pupil referral unit (alternative provision run by the council)",
    "SEN": "special educational needs", "SEND": "special educational needs and disabilities",
    "SEN2": "the return every council makes to the DfE each January about EHC plans, published as the statistics "
            "'Education, health and care plans'",
    "SENCo": "special educational needs co-ordinator: the teacher who leads SEN support in a school",
    "TSQ": "Tribunal Statistics Quarterly, published by the MoJ",
    "pp": "percentage points: the difference between two percentages (45% against 52% is 7 pp)",
    # in the sources' own words (a rule set's sources, shown in 'What changed, and the sources')
    "ASD": "autism spectrum disorder", "CAMHS": "child and adolescent mental health services",
    "CQC": "the Care Quality Commission", "DSG": "dedicated schools grant (the schools' money from government)",
    "EP": "educational psychologist", "EPs": "educational psychologists", "FE": "further education (a college)",
    "FOI": "a Freedom of Information request", "GBP": "pounds sterling (£)",
    "HMCTS": "His Majesty's Courts and Tribunals Service", "IFS": "the Institute for Fiscal Studies",
    "IPSEA": "Independent Provider of Special Education Advice (a charity)",
    "LGSCO": "the Local Government and Social Care Ombudsman", "NAO": "the National Audit Office",
    "NEET": "not in education, employment or training", "OGL": "the Open Government Licence",
    "PHP": "PHP Law, a firm of solicitors whose published guidance is cited",
    "PHSO": "the Parliamentary and Health Service Ombudsman", "PQ": "a written parliamentary question",
    "SALT": "speech and language therapy", "SEMH": "social, emotional and mental health needs",
    "SENDIASS": "SEND information, advice and support service", "UK": "the United Kingdom",
}
PROPOSAL_REF = {"GP": "Green Paper", "WP": "White Paper", "IP": "Improvement Plan"}  # 'WP4': a source's reference


def abbreviations_in(text: str) -> list[tuple[str, str]]:
    """[(abbreviation, what it stands for)] of those in `text` (visible text, no markup), in alphabetical order; a
    proposal's number in a source ('GP3', 'WP4') as that proposal."""
    found = {a: w for a, w in ABBREVIATIONS.items() if re.search(rf"(?<![\w-]){re.escape(a)}(?![\w-])", text)}
    for m in sorted(set(re.findall(r"(?<![\w-])(GP|WP|IP)(\d+)(?![\w-])", text))):
        found[m[0] + m[1]] = f"proposal {m[1]} of the {PROPOSAL_REF[m[0]]}, as the sources number them"
    return sorted(found.items(), key=lambda kv: kv[0].lower())
