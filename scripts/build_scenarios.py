#!/usr/bin/env python3
"""Build scenarios/england.yaml and scenarios/small_la.yaml from DfE's SEN2 files in data/sen2/.

Run again when DfE publishes a new year:  python scripts/build_scenarios.py
What comes from where:
- per authority, from the official files (2019 unless said): requests per year 2019-2023
  (requests.csv), refusals to assess (requests.csv), assessed without a plan (assessments.csv),
  plans in force in January 2019 by setting (caseload.csv), % within 20 weeks (timeliness_20_week.csv);
  suppressed cells fall back to the national rate, and the file says so;
- staffing (servers) is derived from each authority's own demand and its observed 2019
  timeliness by a stated rule (an assumption, to be fitted by `sendsim calibrate`);
- national behaviour (who asks, ages, disputes, durations) from scenarios/national_behaviour.yaml.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "sen2"
OUT = ROOT / "scenarios"
BASE_YEAR = 2019
YEARS = range(2019, 2024)

# staffing rule (assumption): servers = flow per day x mean working days / target utilisation
UTIL_PANEL = 0.80
UTIL_ADVICE = 0.80  # health and social care advice
SHARE_HEALTH = 0.40  # population.health_needs_probability
SHARE_SOCIAL = 0.25  # population.social_care_needs_probability


def util_ep(within_20_pct: float) -> float:
    """EP and plan-writer utilisation from the authority's 2019 timeliness: 100% on time -> 0.70, 0% -> 0.98."""
    return 0.70 + 0.28 * (1.0 - within_20_pct / 100.0)


def num(x: str) -> float | None:
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def rows(name: str, level: str = "Local authority") -> list[dict[str, str]]:
    with open(DATA / name, newline="") as f:
        return [r for r in csv.DictReader(f) if r["geographic_level"] == level
                and r.get("breakdown_topic", "All").startswith("All")]


def by_la(name: str, period: str) -> dict[str, dict[str, str]]:
    return {r["old_la_code"]: r for r in rows(name) if r["time_period"] == period}


def national(name: str, period: str) -> dict[str, str]:
    return next(r for r in rows(name, "National") if r["time_period"] == period)


def stock(r: dict[str, str]) -> dict[str, int]:
    g = lambda k: int(num(r.get(k, "")) or 0)  # noqa: E731
    resourced = sum(g(k) for k in r if k.startswith("mainstream_") and (k.endswith("_resourced_provision")
                                                                       or k.endswith("_senunit")))
    out = {
        "stock_mainstream": g("mainstream_total") - resourced,
        "stock_resourced_provision": resourced,
        "stock_maintained_special": g("special_la_maintained") + g("special_academy_free"),
        "stock_independent_special": g("special_independent") + g("special_non_maintained"),
        "stock_post16": g("fe_total"),
        "stock_alternative_provision": g("ap_pru_total"),
    }
    out["stock_other"] = max(0, g("ehcplans") - sum(out.values()))
    return out


def servers(flow_per_year: float, mean_days: float, util: float) -> int:
    return max(1, math.ceil(flow_per_year / 365.25 * mean_days / util))


def build_las(behaviour: dict) -> tuple[list[dict], dict[str, str]]:
    req = {y: by_la("requests.csv", str(y)) for y in YEARS}
    ass = by_la("assessments.csv", str(BASE_YEAR))
    cas = by_la("caseload.csv", f"{BASE_YEAR - 1}{str(BASE_YEAR)[2:]}")
    tim = by_la("timeliness_20_week.csv", str(BASE_YEAR))
    nat_req = national("requests.csv", str(BASE_YEAR))
    nat_ref = float(nat_req["requests_decided_not_to_assess"]) / float(nat_req["requests_received_in_year"])
    nat_ass = national("assessments.csv", str(BASE_YEAR))
    nat_noplan = float(nat_ass["assess_not_issued"]) / (float(nat_ass["assess_not_issued"])
                                                        + float(nat_ass["assess_issued"]))
    nat_tim = float(national("timeliness_20_week.csv", str(BASE_YEAR))["PC_plans_issued_20_weeks_ex"])
    d = {k: v["value"] for k, v in behaviour["durations"].items()}
    fallbacks: list[str] = []
    las = []
    for code, r in sorted(cas.items(), key=lambda kv: kv[1]["la_name"]):
        rq = req[BASE_YEAR].get(code)
        n_req = num(rq["requests_received_in_year"]) if rq else None
        if n_req is None:
            fallbacks.append(f"{r['la_name']}: no 2019 request count")
            continue
        refused = num(rq["requests_decided_not_to_assess"])
        p_ref = refused / n_req if refused is not None and n_req > 0 else None
        if p_ref is None:
            p_ref = nat_ref
            fallbacks.append(f"{r['la_name']}: refusals suppressed, national rate used")
        a = ass.get(code, {})
        iss, notiss = num(a.get("assess_issued", "")), num(a.get("assess_not_issued", ""))
        if iss is not None and notiss is not None and iss + notiss > 0:
            p_noplan = notiss / (iss + notiss)
        else:
            p_noplan = nat_noplan
            fallbacks.append(f"{r['la_name']}: assessed-no-plan suppressed, national rate used")
        t = tim.get(code, {})
        within = num(t.get("PC_plans_issued_20_weeks_ex", ""))
        if within is None:
            within = nat_tim
            fallbacks.append(f"{r['la_name']}: 2019 timeliness suppressed, national value used")
        assessed = n_req * (1 - p_ref)
        plans = assessed * (1 - p_noplan)
        ue = util_ep(within)
        by_year = {}
        for y in YEARS:
            v = req[y].get(code)
            x = num(v["requests_received_in_year"]) if v else None
            if x is not None:
                by_year[y] = x
        la = {
            "name": r["la_name"], "code": code, "region": r["region_name"],
            "requests_per_year": n_req, "requests_by_year": by_year,
            "refuse_to_assess_probability": round(min(p_ref, 1.0), 4),
            "no_plan_after_assessment_probability": round(min(p_noplan, 1.0), 4),
            **stock(r),
            "panel_servers": servers(n_req, d["panel_decision_days"], UTIL_PANEL),
            "ep_servers": servers(assessed, d["ep_advice_days"], ue),
            "health_advice_servers": servers(assessed * SHARE_HEALTH, d["health_advice_days"], UTIL_ADVICE),
            "social_care_advice_servers": servers(assessed * SHARE_SOCIAL, d["social_care_advice_days"],
                                                  UTIL_ADVICE),
            "plan_writer_servers": servers(plans, d["draft_writing_days"], ue),
            "observed_within_20_weeks_pct": within,
        }
        las.append(la)
    return las, {"fallbacks": "; ".join(fallbacks) or "none"}


PROVENANCE = {
    "requests_per_year": {"source": "DfE SEN2 requests.csv (release 2025), requests_received_in_year, calendar 2019"},
    "requests_by_year": {"source": "DfE SEN2 requests.csv (release 2025), requests_received_in_year, calendar "
                                   "2019-2023 (person-level from 2022: DfE cautions on comparisons)"},
    "refuse_to_assess_probability": {"source": "DfE SEN2 requests.csv, requests_decided_not_to_assess / "
                                               "requests_received_in_year, 2019 (national rate where suppressed)"},
    "no_plan_after_assessment_probability": {"source": "DfE SEN2 assessments.csv, assess_not_issued / (assess_issued "
                                                       "+ assess_not_issued), 2019 (national where suppressed)"},
    "stock": {"source": "DfE SEN2 caseload.csv, plans in force January 2019 by placement: mainstream (less "
                        "resourced provision and SEN units), resourced provision + SEN units, LA and academy special, "
                        "independent + non-maintained special, FE, AP/PRU, other (educated elsewhere, early years, "
                        "awaiting provision)"},
    "panel_servers": {"assumption": "Concurrent decisions the LA's SEN team can progress: 2019 requests/365 x "
                                    "durations.panel_decision_days / 0.80 utilisation (scripts/build_scenarios.py)",
                      "range": [0.5, 2.0]},
    "ep_servers": {"assumption": "Concurrent EP advices: 2019 assessments/365 x durations.ep_advice_days / u, with "
                                 "u = 0.70 + 0.28 x (1 - observed 2019 % within 20 weeks); EP workforce ~3,500 FTE "
                                 "nationally (statistics.md 3.6). Range is a multiplier",
                   "range": [0.5, 2.0]},
    "health_advice_servers": {"assumption": "Concurrent health advices: 40% of assessments x "
                                            "durations.health_advice_days / 0.80", "range": [0.5, 2.0]},
    "social_care_advice_servers": {"assumption": "Concurrent social care advices: 25% of assessments x "
                                                 "durations.social_care_advice_days / 0.80", "range": [0.5, 2.0]},
    "plan_writer_servers": {"assumption": "Concurrent drafts: 2019 expected plans/365 x durations.draft_writing_days "
                                          "/ u (u as for ep_servers)", "range": [0.5, 2.0]},
    "observed_within_20_weeks_pct": {"source": "DfE SEN2 timeliness_20_week.csv, PC_plans_issued_20_weeks_ex, 2019 "
                                               "(for comparison and for the staffing rule; national where suppressed)"},
}

CAPACITY_GROWTH = {
    "value": 11.0,
    "assumption": "Yearly growth of LA assessment staffing (panel, EP, health, social care, plan writers) from "
                  "2020; demand grew 13.8% a year 2019-2023 while timeliness fell from 60.4% to 50.3% (SEN2), so "
                  "capacity grew more slowly than demand. To be fitted by calibration",
    "range": [0.0, 20.0],
}


def dump_scenario(path: Path, header: str, doc: dict) -> None:
    """Write a scenario: blocks in a readable order, one line per authority."""
    class Dumper(yaml.SafeDumper):
        pass

    def flow_dict(dumper, data):
        return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True)

    las = doc["local_authorities"]["items"]
    text = [header.rstrip() + "\n"]
    top = {k: v for k, v in doc.items() if k != "local_authorities"}
    first = {k: top.pop(k) for k in ("name", "description", "rules", "start_date", "end_date", "seed",
                                     "replications", "warmup_days", "lead_in_days")}
    text.append(yaml.safe_dump(first, sort_keys=False, width=110, allow_unicode=True))
    text.append("\nlocal_authorities:\n  provenance:\n")
    prov = yaml.safe_dump(doc["local_authorities"]["provenance"], sort_keys=False, width=110)
    text.append("".join("    " + ln + "\n" for ln in prov.splitlines()))
    text.append("  items:\n")
    Dumper.add_representer(dict, flow_dict)
    for la in las:
        line = yaml.dump(la, Dumper=Dumper, sort_keys=False, width=100000, allow_unicode=True).strip()
        text.append(f"    - {line}\n")
    text.append("\n")
    text.append(yaml.safe_dump(top, sort_keys=False, width=110, allow_unicode=True))
    path.write_text("".join(text))


def main() -> None:
    behaviour = yaml.safe_load((OUT / "national_behaviour.yaml").read_text())
    behaviour["demand"]["capacity_growth_pct_per_year"] = CAPACITY_GROWTH
    las, notes = build_las(behaviour)
    n_la = len(las)
    nat_backlog = 1600
    tribunal_national = {
        "hearings_per_year": {"value": 3800, "source": "MoJ Tribunal Statistics Quarterly 2019/20: 3,800 appeals "
                                                       "decided at a hearing (56% of 6,700 outcomes)"},
        "hearings_per_year_by_year": {2019: 3800, 2022: 7968},
        "hearings_growth_pct_per_year": {"value": 28.0, "source": "MoJ TSQ: hearings 3,800 (2019/20) to 7,968 "
                                                                  "(2022/23), compound growth 28% a year; used "
                                                                  "between and after the years given"},
        "earliest_hearing_days": {"value": 84, "source": "IPSEA: hearing formerly about 12 weeks from registration "
                                                         "(tribunal's listing target)"},
        "backlog_at_start": {"value": nat_backlog,
                             "assumption": "Appeals waiting for a hearing on 1 January 2019 beyond those the lead-in "
                                           "makes: MoJ TSQ open caseload was 3,300 in Q2 2020/21 (a record), of which "
                                           "about 1,700 were within 12 weeks of registration (7,385 appeals a year)",
                             "range": [500, 3300]},
    }
    england = {
        "name": "england",
        "description": (f"England at national scale: all {n_la} local authorities in the January 2019 caseload, "
                        "their own request volumes (2019-2023, then the national trend), refusal rates and plans "
                        "in force in January 2019, one national tribunal. Built by scripts/build_scenarios.py from "
                        f"DfE SEN2 files in data/sen2. Fallbacks to national rates: {notes['fallbacks']}."),
        "rules": "current_2014",
        "start_date": "2019-01-01", "end_date": "2019-12-31", "seed": 20190101, "replications": 2,
        "warmup_days": 0.0,
        "lead_in_days": 273.0,
        "local_authorities": {"provenance": PROVENANCE, "items": las},
        **{k: behaviour[k] for k in ("demand", "population", "durations", "naming", "redress")},
        "tribunal": tribunal_national,
        "reviews": behaviour["reviews"],
    }
    header = ("# GENERATED by scripts/build_scenarios.py from data/sen2 (DfE SEN2, OGL v3.0) and\n"
              "# scenarios/national_behaviour.yaml. Edit those and rebuild; do not edit this file by hand.\n")
    dump_scenario(OUT / "england.yaml", header, england)

    # one median-sized authority, for examples and fast tests
    reqs = sorted(la["requests_per_year"] for la in las)
    median_req = reqs[len(reqs) // 2]
    la = min(las, key=lambda x: (abs(x["requests_per_year"] - median_req), x["code"]))
    share = la["requests_per_year"] / sum(x["requests_per_year"] for x in las)
    small_tribunal = {
        "hearings_per_year": {"value": round(3800 * share, 2),
                              "source": f"MoJ TSQ 2019/20 3,800 hearings x this authority's share of 2019 "
                                        f"requests ({share:.4%}): the authority's share of the national tribunal"},
        "hearings_per_year_by_year": {2019: round(3800 * share, 2), 2022: round(7968 * share, 2)},
        "hearings_growth_pct_per_year": tribunal_national["hearings_growth_pct_per_year"],
        "earliest_hearing_days": tribunal_national["earliest_hearing_days"],
        "backlog_at_start": {"value": round(nat_backlog * share),
                             "assumption": "England's assumed backlog (1,600) x the authority's request share",
                             "range": [round(500 * share), round(3300 * share)]},
    }
    small = {
        **england,
        "name": "small_la",
        "description": (f"One local authority of median size ({la['name']}, {int(la['requests_per_year'])} "
                        "requests in 2019) with its own official figures, two calendar years, and its share of "
                        "the national tribunal. Runs in seconds: for examples and tests."),
        "start_date": "2019-01-01", "end_date": "2020-12-31", "seed": 42, "replications": 5,
        "local_authorities": {"provenance": PROVENANCE, "items": [la]},
        "tribunal": small_tribunal,
    }
    dump_scenario(OUT / "small_la.yaml", header, small)
    print(f"wrote {OUT / 'england.yaml'} ({n_la} authorities) and {OUT / 'small_la.yaml'} ({la['name']})")


if __name__ == "__main__":
    main()
