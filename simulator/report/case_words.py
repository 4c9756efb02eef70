"""A case study's words: bodies, redress routes and payers by what a reader calls them, and a 'what changes'
sentence in those words; shared by the case-study report (`folder_reports`) and the case-study text
(`tables.format_case`), kept apart from both so that neither imports the other."""

from __future__ import annotations

import re

from .names import plain
from .timeline import event_words

BODIES = {"local_authority": "the council", "educational_psychology_service": "the educational psychology service",
          "school_or_setting": "the school or setting", "integrated_care_board": "the integrated care board",
          "social_care": "social care", "tribunal": "the tribunal", "family": "the family",
          "mediation_service": "the mediation service", "independent_review_panel": "the independent review panel",
          "health_provider": "the health provider", "dfe": "the Department for Education",
          "ofsted_cqc": "Ofsted and the CQC", "lgsco": "the Local Government and Social Care Ombudsman",
          "phso": "the Parliamentary and Health Service Ombudsman", "administrative_court": "the High Court",
          "adult_social_care": "adult social care", "local_send_partnership": "the local SEND partnership",
          "nhs_england": "NHS England", "regional_director": "the DfE regional director",
          "virtual_school_head": "the virtual school head"}
# the redress routes of the accountability maps (scenarios/rules/*.yaml: accountability.routes), as a gap sentence names
# them in a case study's 'What changes' ('a missed deadline can go only to lgsco, judicial_review')
ROUTE_WORDS = {"tribunal_appeal": "an appeal to the tribunal", "tribunal_recommendation": "a tribunal recommendation",
               "complaint_school": "a complaint to the school", "complaint_la": "a complaint to the council",
               "complaint_nhs": "an NHS complaint", "lgsco": "the Local Government and Social Care Ombudsman",
               "phso": "the Parliamentary and Health Service Ombudsman", "judicial_review": "judicial review",
               "independent_panel": "the independent panel",
               "direct_payment_review": "a review of the refused direct payment",
               "reconsideration_by_la": "the council reconsidering its decision"}
NEVER_A_WORD = frozenset({"lgsco", "phso", "dfe"})  # codes without an underscore that are no English word
PAYER_WORDS = {"la_high_needs": "the council's high-needs budget", "la_general_fund": "the council's general fund",
               "school_notional_sen": "the school's notional SEN budget", "integrated_care_board":
               "the integrated care board", "social_care": "social care", "tribunal_service": "the tribunal service",
               "family": "the family"}


def body(x: str) -> str:
    return BODIES.get(x, x.replace("_", " "))


def change_words(text: str, steps: dict[str, str]) -> str:
    """A case study's 'what changes' sentence in a reader's words: 'At name_setting: named_mainstream_refused_unsuitable
    under current_2014, ...' -> 'At Setting named: mainstream school named; choice refused (unsuitable) under Current
    law, ...'; steps by their labels, events in words, bodies as the steps table says them, rule sets by short name."""
    m = re.fullmatch(r"At (\w+): (\w+) under (\S+), (\w+) under (\S+)\.", text)
    if m:
        step, ea, ra, eb, rb = m.groups()
        text = f"At {steps.get(step, step)}: {event_words(step, ea)} under {ra}, {event_words(step, eb)} under {rb}."
    # the sentences that name a step by its code alone (`analysis.runs.case_words.differences`): a code that is a
    # plain word ('provision', 'cessation', 'appeal') is left by the loop below, since events' words hold it too,
    # so these are said by label where they stand ("Steps on the likely route under White Paper only: provision."
    # and "New gap under ... at provision: ...", tenth held-out round)
    m = re.fullmatch(r"(Steps on the likely route under .+? only: )(.+)\.", text, re.S)
    if m:
        text = m[1] + ", ".join(steps.get(s, s) for s in m[2].split(", ")) + "."
    m = re.fullmatch(r"(New gap under .+? at )(\w+)(: .*)", text, re.S)
    if m:
        text = m[1] + steps.get(m[2], m[2]) + m[3]
    for code, label in sorted(steps.items(), key=lambda kv: -len(kv[0])):
        if "_" not in code:  # 'provision', 'redress', 'appeal': plain words already, and inside the events' words
            continue
        text = re.sub(rf"(?<![\w+]){re.escape(code)}(?![\w+])", label, text)
    for code, words in {**BODIES, **ROUTE_WORDS}.items():
        if "_" in code or code in NEVER_A_WORD:  # a gap's redress routes and bodies ('only to lgsco, judicial_review')
            text = re.sub(rf"(?<![\w+]){re.escape(code)}(?![\w+])", words, text)
    return plain(text)
