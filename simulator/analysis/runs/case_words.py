"""A case study in plain words: what changes for the child between two rule sets, and what the file says about the
child beyond the attributes the journey draws on."""

from __future__ import annotations

from typing import Any

from ...schema.case_study import HOSPITAL_SCHOOL, MODELLED_AS, CaseStudy


def differences(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """Plain-language differences for this child between two rule sets."""
    out = []
    fa, fb = a["weeks_to_final_plan"]["median"], b["weeks_to_final_plan"]["median"]
    if fa != fb:
        out.append(f"Median weeks to a final plan: {fa} under {a['rules']}, {fb} under {b['rules']}.")
    pa, pb = a["weeks_to_provision"]["median"], b["weeks_to_provision"]["median"]
    if pa != pb:
        out.append(f"Median weeks to provision in place: {pa} under {a['rules']}, {pb} under {b['rules']}.")
    sa = [s.split(":")[0] for s in a["most_likely_route"]]
    sb = [s.split(":")[0] for s in b["most_likely_route"]]
    added = [s for s in dict.fromkeys(sb) if s not in sa]
    removed = [s for s in dict.fromkeys(sa) if s not in sb]
    if added:
        out.append(f"Steps on the likely route under {b['rules']} only: {', '.join(added)}.")
    if removed:
        out.append(f"Steps on the likely route under {a['rules']} only: {', '.join(removed)}.")
    ea = dict(s.split(":", 1) for s in a["most_likely_route"])
    for step, ev in dict(s.split(":", 1) for s in b["most_likely_route"]).items():
        if step in ea and ea[step] != ev:  # the same step decided otherwise
            out.append(f"At {step}: {ea[step]} under {a['rules']}, {ev} under {b['rules']}.")
    ga = {(s["step"], g) for s in a["steps"] for g in s["gaps"]}
    for step, g in dict.fromkeys((s["step"], g) for s in b["steps"] for g in s["gaps"]):
        if (step, g) not in ga:  # each gap once, however often its step recurs on the route
            out.append(f"New gap under {b['rules']} at {step}: {g}.")
    if not out:
        out.append("No difference on this child's likely route.")
    return out


def describe_child(case: CaseStudy) -> list[str]:
    """What the file says about the child beyond the attributes the journey draws on, and how the engine models
    the settings it has no type for (early years as mainstream, specialist colleges as post-16 places)."""
    ch, out = case.child, []
    if ch.year_group is not None:
        out.append("Reception" if ch.year_group == 0 else f"year group {ch.year_group}")
    setting = case.existing_plan.setting if case.existing_plan is not None else ch.current_setting
    if setting == HOSPITAL_SCHOOL:
        out.append("at a hospital school (a special school or pupil referral unit in a hospital: Education Act 1996 "
                   "s.19; its head gives the educational advice)")
    elif setting == "none" and case.education is not None and case.education.arrangement == \
            "elective_home_education":
        out.append("no school: educated at home by the parents' choice; the LA's duties to a child in its area "
                   "cover the request (CFA s.22, s.24, s.36)")
    elif setting is not None:
        out.append("out of school" if setting == "none" else f"currently in {setting}")
    pp = case.previous_plan
    if pp is not None:
        out.append(f"a plan ceased at age {pp.ceased_age:g} ({pp.reason.replace('_', ' ')}: CFA s.45); this is a "
                   "new request under CFA s.36(1), with its own 20 weeks")
    if ch.excluded:
        out.append(f"excluded ({ch.excluded.replace('_', ' ')})")
    if ch.out_of_school:
        out.append("the LA's s.19 duty to arrange education applies (redress: complaint, LGSCO, judicial review)")
    for s in {setting, ch.preferred} & set(MODELLED_AS):
        out.append(f"{s} modelled as {MODELLED_AS[s].replace('_', ' ')} place")
    if case.cessation is not None:
        out.append(f"the LA proposes to cease the plan at the {case.cessation.at_review} review: "
                   f"{case.cessation.reason.replace('_', ' ')}")
    return out + beyond_school_words(case)


ARRANGEMENT_WORDS = {
    "elective_home_education": "educated at home by the parents (CFA s.42(5))",
    "otherwise_than_in_school": "educated otherwise than in a school (CFA s.61)",
    "hospital": "educated in hospital (Education Act 1996 s.19)",
    "youth_custody": "detained in youth custody (CFA ss.70-75)"}


def at_request(case: CaseStudy) -> list[tuple[str, str]]:
    """(step, event) the route logs on a new request's first day for what the file says of the child then: a plan
    that ceased before it (CFA s.45; the request is new, s.36(1)); a hospital school the child attends (Education
    Act 1996 s.19: the LA's duty to arrange education for a child who cannot attend school because of health
    needs, met there). Home education at the request is its own step (engine elsewhere.py)."""
    if not case.is_request:
        return []
    out = []
    pp = case.previous_plan
    if pp is not None:
        out.append(("cessation", f"earlier_plan_ceased_at_{pp.ceased_age:g}_{pp.reason}_new_request_s36"
                    .replace(".", "_")))
    if case.child.current_setting == HOSPITAL_SCHOOL:
        out.append(("hospital_education", "at_hospital_school_at_request_s19"))
    return out


def beyond_school_words(case: CaseStudy) -> list[str]:
    """Where the child is educated, the items disputed and the budget asked for, in words (issue 25)."""
    out, ed = [], case.education
    if ed is not None:
        when = f" from {ed.since}" if ed.since else ""
        until = f" to {ed.until}" + (f", then {ed.setting_after.replace('_', ' ')}" if ed.setting_after else "") \
            if ed.until else ""
        extra = (" (arrangements not suitable)" if not ed.suitable else "") + (" on remand" if ed.remanded else "")
        out.append(f"{ARRANGEMENT_WORDS[ed.arrangement]}{extra}{when}{until}")
    if case.plan is not None and case.plan.disputes:
        sections = {i.id: i.section for i in case.plan.items}
        out.append("disputed: " + ", ".join(
            f"{d.item} (section {sections[d.item]}" + (f", said to belong in {d.family_says})"
                                                       if d.family_says and d.family_says != sections[d.item]
                                                       else ")") for d in case.plan.disputes))
    pb = case.personal_budget
    if pb is not None:
        dp = f"; a direct payment for {', '.join(pb.direct_payment.items)}" if pb.direct_payment else ""
        out.append(f"a personal budget asked for at the {pb.asked_at} for {', '.join(pb.items)}{dp}")
    return out


# The educational advice of an assessment (SEND Regulations 2014 reg 6(1)(b); timeline.md row 4: "educational advice
# (head/SENCo)"): from the head or principal of the school or post-16 institution the child or young person attends;
# where none attends, from a person the LA is satisfied has experience of teaching children or young people with
# SEN. The map's label ("from the school or setting") fits a pupil; a young person past compulsory school age with no
# setting at all (a 22-year-old out of education) was told the advice came from a school (third held-out round).
NO_SETTING_ADVICE = {
    "label": "Educational advice from a teacher of young people with SEN whom the LA asks (no school or college "
             "attends: SEND Regs 2014 reg 6(1)(b))",
    "duty_holder": ["local_authority"],
    "payer": ["la_general_fund"],  # an assessment's advice is the LA's general fund (errata.md 5)
    "redress": ["complaint_la", "lgsco"],  # a complaint about the LA's assessment (no school to complain to)
}
POST16_AGE = 16.0  # past compulsory school age by the advice: a young person's college, not a school
# a child under compulsory school age (Education Act 1996 s.8: from 5) in no early years setting (`current_setting:
# none`): no head teacher or early years provider to give the advice, so the LA asks a person with experience of
# teaching children with SEN, as reg 6(1)(b) says (fourth held-out round: a baby of 0 in no setting was told the
# advice came "from the school or setting")
UNDER5_NO_SETTING_ADVICE = {
    **NO_SETTING_ADVICE,
    "label": "Educational advice from a person with experience of teaching children with SEN whom the LA asks (no "
             "early years setting or school attends: SEND Regs 2014 reg 6(1)(b))",
}
COMPULSORY_SCHOOL_START = 5.0


def no_setting(case: CaseStudy) -> bool:
    """The child attends no school or college at the start: out of school, or `current_setting: none` with no plan
    naming a setting. A child out of school who attends alternative provision (a pupil referral unit or an AP
    academy: a school, Education Act 1996 s.19(2)) attends a school, whose head gives the advice (fourth held-out
    round: a young person of 16 attending only a PRU was told no school or college attended)."""
    ch = case.child
    return (case.existing_plan is None and ch.current_setting not in ("alternative_provision", HOSPITAL_SCHOOL)
            and (ch.out_of_school or ch.current_setting == "none"))


def home_educated_request(case: CaseStudy) -> bool:
    """A new request for a child educated at home by the parents' choice (no school: no head to give the advice)."""
    return case.is_request and case.education is not None and case.education.arrangement == "elective_home_education"


def educational_advice(case: CaseStudy, age_at_advice: float) -> dict[str, Any]:
    """What replaces the map's row for the educational advice of this child (empty: the map's row stands): a young
    person of 16 or over attending no school or college, and a child under 5 in no early years setting, get it from
    a person the LA asks."""
    if age_at_advice >= POST16_AGE and no_setting(case):
        return dict(NO_SETTING_ADVICE)
    if age_at_advice < COMPULSORY_SCHOOL_START and case.existing_plan is None and case.child.current_setting == "none":
        return dict(UNDER5_NO_SETTING_ADVICE)
    if home_educated_request(case):  # of school age, educated at home: no school whose head could give it
        return dict(HOME_EDUCATED_ADVICE)
    return {}


# a child of school age educated at home by the parents' choice, at a new request: no school attends, so the LA asks
# a person with experience of teaching children with SEN (reg 6(1)(b)), as for a child in no setting
HOME_EDUCATED_ADVICE = {
    **NO_SETTING_ADVICE,
    "label": "Educational advice from a person with experience of teaching children with SEN whom the LA asks (the "
             "child is educated at home by the parents and attends no school: SEND Regs 2014 reg 6(1)(b))",
}
