"""The scenario file: who arrives, what capacity each body has, and how people behave.

The law (time limits, who may appeal what, which redress steps are mandatory) is not here:
it is the rule set the scenario names (`rules:`), see `rules.py`. A scenario describes the
system's behaviour and resources; a rule set describes what the law requires of it.
Units are in field names (`_days`, `_per_year`, `_probability`, `_pct`).

Why this module is long: it is the one declaration of the scenario file, every block with its bounds and the rules by
which a by-year figure is read beyond the years given (an authority's line alone has demand, decisions, stock,
staffing, fitted delays, casework capacity and trends); split, a reader would chase one file's fields across modules.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, model_validator

from .by_year import from_ends_by_trend, grow, interpolated, latest, latest_then_trend
from .projection import Projection
from .rules import in_force_problem
from .sourced import (
    FIRST_YEAR,
    LAST_YEAR,
    MAX_COUNT,
    Count,
    Days,
    Growth,
    Mix,
    Multiplier,
    NonNegativeDays,
    Pct,
    PositiveCount,
    Probability,
    ProbabilityByYear,
    Provenance,
    Shape,
    Sourced,
    Strict,
)
from .text import shown_char
from .vocabulary import AgeBand, AppealType, Destination, RedressCapacity, Requester, Setting

Prob = Annotated[float, Field(ge=0.0, le=1.0)]

# Physical bounds of an authority's figures: 10x England's, so no real authority (the largest, Kent, had 4,047
# requests and about 20,000 plans) comes near, and a typo such as `1e12` or `1e308` is refused when the file is read.
ENGLAND_REQUESTS = 138_242  # DfE SEN2 requests.csv, England 2023
ENGLAND_PLANS = 576_474  # DfE SEN2 caseload.csv, plans in force January 2024
MAX_REQUESTS = 10 * ENGLAND_REQUESTS
MAX_STOCK = 10 * ENGLAND_PLANS
MAX_SERVERS = 50_000  # concurrent cases one team progresses: 10x England's ~3,500 FTE educational psychologists
MAX_LEAD_IN_DAYS = 5 * 365.25  # a lead-in or warm-up of five years (the shipped ones are 273 days)
MAX_DELAY_DAYS = 3652.5  # an authority's fitted median delay of ten years (the largest fitted is 600 days)
MAX_CAPACITY_MULTIPLIER = 100.0  # staffing relative to the base year (the largest given is 8)
# cases a week an authority's decide-and-issue team can finish: 10x England's weekly assessments (~1,900 in 2023)
MAX_CASEWORK_PER_WEEK = 20_000.0
MAX_RESPONSIVENESS = 1.0  # extra cases a week per case of backlog: 1 clears any backlog within a week
MAX_BACKLOG = 10 * ENGLAND_REQUESTS
MAX_TREND_PTS = 50.0  # a rate trend of 50 points a year (the largest per-authority refusal trend is ~10)
EHC_FIRST_DAY = dt.date(2014, 9, 1)  # CFA 2014 Part 3 in force: a scenario starts no earlier (SEND Regs 2014 too)  # calendar years a scenario may name (SEN2 starts in 2010s; projections 2030s)
MAX_HORIZON_YEARS = 50
MAX_REPLICATIONS = 100_000
MAX_SEED = 2**63 - 1

Year = Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR)]
Requests = Annotated[float, Field(ge=0.0, le=MAX_REQUESTS)]
Stock = Annotated[int, Field(ge=0, le=MAX_STOCK)]
Servers = Annotated[int, Field(ge=1, le=MAX_SERVERS)]
Casework = Annotated[float, Field(gt=0.0, le=MAX_CASEWORK_PER_WEEK)]


class TrendPts(Sourced):
    """A yearly trend of a rate in percentage points (may be negative), e.g. refusals rising 1.5 points a year."""

    value: Annotated[float, Field(ge=-MAX_TREND_PTS, le=MAX_TREND_PTS)]


# categorical mixes, parametrised at module level: pydantic then registers each by name in `sourced`, so a loaded
# scenario can be pickled (a process pool or a cluster can be handed it); the names in the JSON Schema are unchanged
RequesterMix = Mix[Requester]
AgeBandMix = Mix[AgeBand]
SettingMix = Mix[Setting]
CapacityMix = Mix[RedressCapacity]
LabelMix = Mix[str]
DestinationMix = Mix[Destination]


NAME_MAX = 200  # characters in an authority's name: the longest DfE name is 40
SCENARIO_NAME_MAX = 1000  # characters in a scenario's name (a file name's 255 bytes are met by shortening it)


def name_problem(name: str) -> str | None:
    """Why a name a file gives cannot be shown in outputs and reports, or None. Why: '' and a name of 2,000,000
    characters were accepted, and so were a NUL or a right-to-left override, which reach every table and report
    (the web page refuses them in a typed name since the second round)."""
    if not name.strip():
        return "an empty name (allowed: the authority's name, e.g. Wandsworth)"
    if len(name) > NAME_MAX:
        return f"{len(name):,} characters (allowed: at most {NAME_MAX})"
    bad = next((c for c in name if not shown_char(c)), None)
    if bad is not None:
        return f"holds the control character {bad!r} (allowed: letters, digits, spaces and punctuation)"
    return None


class LocalAuthority(Strict):
    """One local authority: its demand, decisions, stock of plans and staffing (one line in the file)."""

    name: str
    code: str
    region: str = ""
    requests_per_year: Requests
    requests_by_year: dict[Year, Requests] = {}
    refuse_to_assess_probability: Prob
    no_plan_after_assessment_probability: Prob
    stock_mainstream: Stock = 0
    stock_resourced_provision: Stock = 0
    stock_maintained_special: Stock = 0
    stock_independent_special: Stock = 0
    stock_post16: Stock = 0
    stock_alternative_provision: Stock = 0
    stock_other: Stock = 0
    panel_servers: Servers
    ep_servers: Servers
    health_advice_servers: Servers
    social_care_advice_servers: Servers
    plan_writer_servers: Servers
    observed_within_20_weeks_pct: Annotated[float, Field(ge=0.0, le=100.0)] | None = None
    refuse_to_assess_by_year: dict[Year, Prob] = {}
    no_plan_after_assessment_by_year: dict[Year, Prob] = {}
    capacity_by_year: dict[Year, Annotated[float, Field(gt=0.0, le=MAX_CAPACITY_MULTIPLIER)]] = {}
    delay_days_by_year: dict[Year, Annotated[float, Field(ge=0.0, le=MAX_DELAY_DAYS)]] = {}
    # the share of children the authority holds past their 20-week deadline, by the deadline's year (MODEL.md 3.3:
    # lateness apart from the share on time); when given it replaces delay_days_by_year's Weibull
    late_share_by_year: dict[Year, Prob] = {}
    # plans in force at the start by age band (the January caseload's own ages); else population.age_of_plans_in_force
    stock_age: dict[AgeBand, Stock] = {}
    # waits: backlog (section 3.3 of MODEL.md): the decide-and-issue team works a FIFO backlog at
    # casework_per_week + casework_responsiveness_per_week x backlog cases a week
    casework_per_week_by_year: dict[Year, Casework] = {}
    casework_responsiveness_per_week: Annotated[float, Field(ge=0.0, le=MAX_RESPONSIVENESS)] | None = None
    backlog_at_start: Annotated[int, Field(ge=0, le=MAX_BACKLOG)] = 0
    # the authority's own trends beyond its last year with figures (shrunk toward the national trend); a scenario's
    # `projection:` starts from them
    requests_trend_pct_per_year: Growth | None = None
    refuse_trend_pts_per_year: TrendPts | None = None
    no_plan_trend_pts_per_year: TrendPts | None = None

    @model_validator(mode="after")
    def _named(self):
        problem = name_problem(self.name)
        if problem:
            raise ValueError(f"name: {problem}")
        return self

    @property
    def plans_in_force_at_start(self) -> int:
        return (self.stock_mainstream + self.stock_resourced_provision + self.stock_maintained_special
                + self.stock_independent_special + self.stock_post16 + self.stock_alternative_provision
                + self.stock_other)

    def refuse_in_year(self, year: int) -> float:
        """The year's own refusal rate where the file gives one, else the latest earlier one (years run forward),
        moved by the authority's own trend (`refuse_trend_pts_per_year`) beyond the last year given."""
        return rate_then_trend(self.refuse_to_assess_by_year, year, self.refuse_to_assess_probability,
                               self.refuse_trend_pts_per_year)

    def no_plan_in_year(self, year: int) -> float:
        """As `refuse_in_year`, for decisions not to issue a plan after assessment."""
        return rate_then_trend(self.no_plan_after_assessment_by_year, year,
                               self.no_plan_after_assessment_probability, self.no_plan_trend_pts_per_year)

    def casework_in_year(self, year: int, projection_pct: float) -> float:
        """Base weekly capacity of the decide-and-issue team: the year's fitted figure, before the first year the
        first one, after the last year the last one grown at the scenario's `capacity_projection_pct_per_year`
        (never with requests)."""
        by = self.casework_per_week_by_year
        if year in by:
            return by[year]
        if year < min(by):
            return by[min(by)]
        return latest_then_trend(by, year, projection_pct, by[min(by)])

    def delay_in_year(self, year: int) -> float:
        """Median extra days between the last advice and the decision to issue (each child draws from a Weibull
        with this median and the national `durations.authority_delay_shape`): the authority's own delay, fitted to
        its % within 20 weeks; the latest year given carries forward."""
        return latest(self.delay_days_by_year, year, 0.0)

    def late_share_in_year(self, year: int) -> float:
        """The share of children whose 20-week deadline falls in `year` that the authority holds past it (each then
        waits the national `durations.authority_lateness_days` beyond the deadline). The latest year given carries
        forward; years before the first given one (the lead-in) take the first one's: an authority slow in its first
        year with figures was slow in the months before it, whose late plans SEN2 counts in that year."""
        by = self.late_share_by_year
        return by[min(by)] if by and year < min(by) else latest(by, year, 0.0)

    def capacity_in_year(self, year: int, base_year: int, growth_pct: float) -> float:
        """Staffing relative to the `*_servers` of the base year: given multipliers, the trend beyond them."""
        if not self.capacity_by_year:
            return grow(1.0, growth_pct, year - base_year)
        return latest_then_trend(self.capacity_by_year, year, growth_pct, 1.0)

    def requests_in_year(self, year: int, base_year: int, growth_pct: float) -> float:
        """Requests in a year: the given figures; beyond the last one the authority's own trend where the file
        states one (`requests_trend_pct_per_year`), else the national `growth_pct`."""
        if self.requests_by_year:
            if self.requests_trend_pct_per_year is not None and year > max(self.requests_by_year):
                return from_ends_by_trend(self.requests_by_year, year, self.requests_trend_pct_per_year.value)
            return from_ends_by_trend(self.requests_by_year, year, growth_pct)
        return grow(self.requests_per_year, growth_pct, year - base_year)

    def assessments_in_year(self, year: int, base_year: int, growth_pct: float, withdrawn: float = 0.0) -> float:
        """Expected assessments in a year: its requests (`requests_in_year`) less those refused (`refuse_in_year`)
        and the share withdrawn before a decision. Why one method: the casework gap and the late share beyond the
        fitted years both size capacity against this load, and must read it the same way."""
        return self.requests_in_year(year, base_year, growth_pct) * (1.0 - self.refuse_in_year(year) - withdrawn)


# The most a column's plausible range may reach, in the units its range is given in (why: the range is read by no run,
# so a typo such as `1e308` passed unseen into a file that claims to state its uncertainty). A staffing column's range
# is a multiplier of the establishment (MODEL.md 3.1: "range x0.5-2"), bounded as `capacity_by_year` is; the rest in
# the column's own units, bounded as the column is.
_STAFFING_RANGE = (MAX_CAPACITY_MULTIPLIER, "a multiplier of the staffing, as MODEL.md 3.1's x0.5 to 2")
PROVENANCE_RANGE_MAX: dict[str, tuple[float, str]] = {
    **dict.fromkeys(("panel_servers", "ep_servers", "health_advice_servers", "social_care_advice_servers",
                     "plan_writer_servers", "capacity_by_year"), _STAFFING_RANGE),
    **dict.fromkeys(("refuse_to_assess_probability", "refuse_to_assess_by_year", "no_plan_after_assessment_probability",
                     "no_plan_after_assessment_by_year", "late_share_by_year"), (1.0, "a share")),
    "observed_within_20_weeks_pct": (100.0, "a percentage"),
    "delay_days_by_year": (MAX_DELAY_DAYS, "a delay in days"),
    "casework_per_week_by_year": (MAX_CASEWORK_PER_WEEK, "cases a week"),
    "casework_responsiveness_per_week": (MAX_RESPONSIVENESS, "cases a week per case of backlog"),
    "backlog_at_start": (float(MAX_BACKLOG), "a backlog of cases"),
    **dict.fromkeys(("requests_per_year", "requests_by_year"), (float(MAX_REQUESTS), "requests a year")),
}


def provenance_range_max(column: str) -> tuple[float, str]:
    """(the most the column's range may reach, what it is): `PROVENANCE_RANGE_MAX`, else a count of plans (the stock
    columns, whose range a file may give in months or plans: bounded as a stock is)."""
    return PROVENANCE_RANGE_MAX.get(column, (float(MAX_STOCK), "a count of plans"))


def rate_then_trend(by_year: dict[int, float], year: int, default: float, trend: TrendPts | None) -> float:
    """A rate carried forward (`by_year.latest`), moved by `trend` points a year after the last year given and kept
    between 0 and 1."""
    value = latest(by_year, year, default)
    if trend is None or not trend.value:
        return value
    last = max(by_year) if by_year else None
    if last is None or year <= last:
        return value
    return min(1.0, max(0.0, value + trend.value / 100.0 * (year - last)))


class LocalAuthorities(Strict):
    """The authorities, one per line, and where each column comes from."""

    provenance: dict[str, Provenance]
    items: Annotated[list[LocalAuthority], Field(min_length=1)]

    @model_validator(mode="after")
    def _every_column_explained(self):
        needed = {"requests_per_year", "refuse_to_assess_probability", "no_plan_after_assessment_probability",
                  "panel_servers", "ep_servers", "health_advice_servers", "social_care_advice_servers",
                  "plan_writer_servers"}
        if any(la.plans_in_force_at_start for la in self.items):
            needed.add("stock")
        if any(la.requests_by_year for la in self.items):
            needed.add("requests_by_year")
        for col in ("refuse_to_assess_by_year", "no_plan_after_assessment_by_year", "capacity_by_year",
                    "delay_days_by_year", "late_share_by_year", "casework_per_week_by_year", "backlog_at_start", "stock_age"):
            if any(getattr(la, col) for la in self.items):
                needed.add(col)
        for col in ("casework_responsiveness_per_week",):
            if any(getattr(la, col) is not None for la in self.items):
                needed.add(col)
        negative = sorted(k for k, p in self.provenance.items() if p.range is not None and p.range[0] < 0)
        if negative:  # every column is a count, a rate or a multiplier: never negative
            raise ValueError(f"provenance range below 0 for column(s): {', '.join(negative)} (allowed: at least 0)")
        for k, p in self.provenance.items():
            top, what = provenance_range_max(k)
            if p.range is not None and p.range[1] > top:
                raise ValueError(f"provenance.{k}.range: [{p.range[0]:g}, {p.range[1]:g}] is too high (allowed: 0 to "
                                 f"{top:g}, {what})")
        missing = sorted(needed - set(self.provenance))
        if missing:
            raise ValueError(f"provenance missing for column(s): {', '.join(missing)}")
        unknown = sorted(set(self.provenance) - set(LocalAuthority.model_fields) - {"stock"})
        if unknown:
            raise ValueError(f"provenance names unknown column(s): {', '.join(unknown)}")
        seen_code: dict[str, int] = {}
        seen_name: dict[str, int] = {}
        for i, la in enumerate(self.items):
            j = seen_code.setdefault(la.code, i)
            if j != i:
                raise ValueError(f"items: code {la.code!r} is given twice (items {j} and {i}; allowed: one authority "
                                 "per code)")
            # two councils of one name (other codes) made every table by authority and the page's list ambiguous
            key = " ".join(la.name.split()).casefold()
            j = seen_name.setdefault(key, i)
            if j != i:
                raise ValueError(f"items: name {la.name!r} is given twice (codes {self.items[j].code} and {la.code}; "
                                 "allowed: one authority per name)")
        return self


Signed = Growth  # a sourced yearly growth in %, from -100 to +100 (the old name, kept for readers)


class Demand(Strict):
    """Requests for assessment beyond the years each authority gives, and what precedes a request."""

    requests_growth_pct_per_year: Growth
    capacity_growth_pct_per_year: Growth
    sen_support_days_before_request: NonNegativeDays


class Population(Strict):
    """Who the children are when a request arrives (national distributions)."""

    requester: RequesterMix
    refusal_relative_risk: dict[Requester, Multiplier]
    age_at_request: AgeBandMix
    age_of_plans_in_force: AgeBandMix
    primary_need: LabelMix
    preferred_setting_school_age: SettingMix
    preferred_setting_post16: SettingMix
    redress_capacity: CapacityMix
    health_needs_probability: Probability
    social_care_needs_probability: Probability
    regulation_10_4_exception_probability: Probability
    independent_on_s41_list_probability: Probability
    request_withdrawn_probability: Probability
    assessment_withdrawn_probability: Probability
    assessment_lapsed_probability: ProbabilityByYear


class Duration(Days):
    """A mean duration in days and the shape of its distribution."""

    distribution: Literal["erlang2", "exponential", "fixed"] = "erlang2"


class Durations(Strict):
    """Mean working times of each step (days), Erlang-2 unless said. Queues for capacity add to these."""

    panel_decision_days: Duration
    ep_advice_days: Duration
    health_advice_days: Duration
    social_care_advice_days: Duration
    school_advice_days: Duration
    decide_to_issue_days: Duration
    draft_writing_days: Duration
    setting_consultation_days: Duration
    finalise_days: Duration
    exception_extra_days: Duration
    place_start_days: Duration
    authority_delay_shape: Shape
    # how long past its 20-week deadline a child the authority holds late waits (late_share_by_year); needed only
    # when an authority gives late shares
    authority_lateness_days: Duration | None = None


class Staffing(Strict):
    """How each authority staffs its advice services (educational psychologists, health, social care) and its plan
    writers (MODEL.md 3.3, 7.10). Each year's establishment is the base year's `*_servers` x the year's assessments /
    the base year's (`capacity_by_year`); `follows` says what the staff on a given day follow.

    Why a choice: staffed by the year's assessments alone, an authority that SEN2 shows issuing far more plans than
    it assessed in a year (clearing a backlog: Staffordshire 2020, 1,177 plans from about 575 assessments) cannot,
    and the modelled queues carry a slow year's late plans into a fast one. `work_in_hand` resizes each stage every
    `review_days` to the cases that arrived at it in the last review (at `utilisation`, as the establishment is sized)
    plus the cases waiting, cleared over `clear_weeks`, between `floor` and `ceiling` x the establishment (agency and
    commissioned staff: an authority must meet the 6-week advice limit when its own staff are short)."""

    follows: Literal["assessments", "work_in_hand"]
    review_days: Days
    clear_weeks: Days
    utilisation: Probability
    floor: Multiplier
    ceiling: Multiplier

    @model_validator(mode="after")
    def _bounds(self):
        if self.review_days.value < 1.0:  # a review every instant would flood the event list, to no end
            raise ValueError(f"staffing.review_days: got {self.review_days.value} (allowed: at least 1 day)")
        if self.utilisation.value <= 0.0:
            raise ValueError(f"staffing.utilisation: got {self.utilisation.value} (allowed: more than 0, at most 1)")
        if self.floor.value > self.ceiling.value:
            raise ValueError(f"staffing.floor: got {self.floor.value}, above the ceiling {self.ceiling.value} "
                             f"(allowed: at most the ceiling)")
        if self.ceiling.value <= 0.0:
            raise ValueError("staffing.ceiling: got 0 (allowed: more than 0)")
        return self


class Naming(Strict):
    """How the authority responds to the family's preferred setting (s.39, s.33, s.9)."""

    refuse_requested_setting_probability: dict[Setting, Probability]
    refusal_grounds: LabelMix
    refuse_non_s41_independent_probability: Probability
    special_places_headroom_pct: Pct
    special_places_growth_pct_per_year: Growth
    resourced_places_headroom_pct: Pct
    alternative_provision_places_headroom_pct: Pct


class RedressBehaviour(Strict):
    """How often families dispute, and how disputes end, at each rung of the redress ladder."""

    dispute_probability: dict[AppealType, Probability]
    dispute_growth_pct_per_year: Growth | None = None
    # disputes per decision relative to `dispute_probability`, by year (set by a projection; else the growth above)
    dispute_level_by_year: dict[Year, Annotated[float, Field(gt=0.0, le=MAX_CAPACITY_MULTIPLIER)]] = {}
    capacity_multiplier: dict[RedressCapacity, Multiplier]
    mediation_chosen_probability: Probability
    mediation_settles_probability: Probability
    mediation_held_days: Duration
    mediation_held_late_probability: Probability
    decision_to_appeal_days: Duration
    la_concedes_probability: Probability
    la_concedes_early_share: Probability
    withdrawn_probability: Probability
    family_wins_at_hearing_probability: Probability
    la_late_compliance_probability: Probability
    la_late_compliance_extra_days: Days
    disputes_in_progress_at_start: Count
    disputes_in_progress_window_days: Days
    mediation_agreement_for_family_share: Probability  # of settled mediations
    mediation_partial_agreement_share: Probability  # of settled mediations; the rest: the family accepts
    mediation_settles_compelled_probability: Probability  # families who would not have chosen mediation
    mediation_wait_when_late_probability: Probability
    drop_out_at_compelled_rung_probability: dict[RedressCapacity, Probability]
    la_follows_nonbinding_review_probability: Probability
    # the tribunal's extended powers (errata.md 1): recommendations on health and social care at a hearing of an
    # education appeal, and the commissioner's written response within 5 weeks
    extended_powers_share: Probability
    recommendation_made_probability: Probability
    recommendation_followed_probability: Probability
    recommendation_response_late_probability: Probability
    recommendation_response_late_extra_days: Days

    @model_validator(mode="after")
    def _mediation_shares(self):
        total = self.mediation_agreement_for_family_share.value + self.mediation_partial_agreement_share.value
        if total > 1.0 + 1e-9:
            raise ValueError(f"mediation_agreement_for_family_share + mediation_partial_agreement_share must be at "
                             f"most 1 (they sum to {total:g}): the rest of settled mediations is the family "
                             "accepting the LA's position")
        return self


class Tribunal(Strict):
    """The national First-tier Tribunal (SEND), shared by every authority in the scenario.

    `hearings_per_year` is the capacity of the first year `hearings_per_year_by_year` gives (or of the start year,
    without it); the by-year figures are the profile over the years, scaled by hearings_per_year / their first
    figure. So a sweep over `hearings_per_year` moves the capacity of every year (it used to be overridden by the
    by-year figures: a silent no-op), and a shipped scenario, where the two agree, runs as before."""

    hearings_per_year: PositiveCount
    hearings_per_year_by_year: dict[Year, Annotated[float, Field(gt=0.0, le=MAX_COUNT)]] = {}
    hearings_growth_pct_per_year: Growth
    earliest_hearing_days: Days
    backlog_at_start: Count

    def profile_scale(self) -> float:
        """hearings_per_year / the first by-year figure (1 where they agree, as in every shipped scenario)."""
        by = self.hearings_per_year_by_year
        return self.hearings_per_year.value / by[min(by)] if by else 1.0

    def hearings_in_year(self, year: int, base_year: int) -> float:
        """Hearing capacity in a calendar year: the profile (given years, geometric between them, the trend beyond)
        at the level of hearings_per_year; without a profile, hearings_per_year grown from the start year."""
        growth = self.hearings_growth_pct_per_year.value
        if not self.hearings_per_year_by_year:
            return grow(self.hearings_per_year.value, growth, year - base_year)
        return interpolated(self.hearings_per_year_by_year, year, growth) * self.profile_scale()


class Reviews(Strict):
    """Annual reviews, phase transfers and cessation of plans in force."""

    review_late_probability: Probability
    review_late_extra_days: Days
    amend_probability: Probability
    move_to_special_probability: Probability
    cease_probability_per_year: dict[AgeBand, Probability]
    phase_transfer_late_probability: Probability
    phase_transfer_late_extra_days: Days
    # LA practice, not a statutory limit: the Code of Practice (9.178) asks for reviews of under-5s every 3-6 months
    under5_review_interval_months: Shape  # months, positive
    # the final amended plan after proposed amendments (reg 22: within 8 weeks), issued late in some authorities
    amendment_late_probability: Probability
    amendment_late_extra_days: Days
    # where a young person goes when the plan ends at 16 or over, by age at the end and by need ("complex": SLD, PMLD,
    # MSI); the shares of employment, further or higher education, supported living, adult social care, none
    destinations: dict[Literal["age_16_19", "age_20_25"], dict[Literal["complex", "other"], DestinationMix]]


class Scenario(Strict):
    name: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")]
    description: str
    rules: Annotated[str, Field(min_length=1)]
    start_date: dt.date
    end_date: dt.date
    seed: Annotated[int, Field(ge=0, le=MAX_SEED)] = 0
    replications: Annotated[int, Field(ge=1, le=MAX_REPLICATIONS)] = 5
    warmup_days: Annotated[float, Field(ge=0.0, le=MAX_LEAD_IN_DAYS)] = 0.0
    lead_in_days: Annotated[float, Field(ge=0.0, le=MAX_LEAD_IN_DAYS)] = 0.0
    local_authorities: LocalAuthorities
    demand: Demand
    population: Population
    durations: Durations
    naming: Naming
    redress: RedressBehaviour
    tribunal: Tribunal
    reviews: Reviews
    in_force: dict[str, dt.date | Literal["start"]] = {}  # a switch's in-force date, overriding its source's
    projection: Projection | None = None  # every input beyond the last year with figures (schema/projection.py)
    # how the authority's time to decide and issue is made (MODEL.md 3.3): `fitted_delay` draws each child a delay
    # fitted per authority and year; `backlog` queues every assessment on the authority's decide-and-issue team,
    # whose weekly capacity is casework_per_week_by_year + casework_responsiveness_per_week x backlog
    waits: Literal["backlog", "fitted_delay"] = "fitted_delay"
    capacity_projection_pct_per_year: Growth | None = None  # base casework growth beyond the last fitted year
    # beyond the last fitted year, the share of an authority's gap to the scenario's ratio of base casework to demand
    # that remains after each year (1: none closes); MODEL.md 3.3a
    capacity_gap_persistence_per_year: Probability | None = None
    # plans transferred between authorities (SEND Regs 2014 reg 15; MODEL.md 2.6e): the file of yearly rates per
    # authority and the flows' assumptions (schema/transfers.py), beside the scenario or shipped; none: no transfers
    plan_transfers: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+\.ya?ml$")] | None = None
    # how advice services and plan writers are staffed (MODEL.md 3.3); none: by the year's assessments
    staffing: Staffing | None = None

    @model_validator(mode="after")
    def _horizon(self):
        if len(self.name) > SCENARIO_NAME_MAX:  # a 300-character name is kept (its folder name is shortened)
            raise ValueError(f"name: {len(self.name):,} characters (allowed: at most {SCENARIO_NAME_MAX:,})")
        for name in ("start_date", "end_date"):  # first: a start in 9999 was said as "end_date must be after
            year = getattr(self, name).year     # start_date", on the wrong line (tenth held-out round)
            if not FIRST_YEAR <= year <= LAST_YEAR:
                raise ValueError(f"{name}: got {getattr(self, name)} (allowed: a date from {FIRST_YEAR} to "
                                 f"{LAST_YEAR})")
        if self.end_date <= self.start_date:
            raise ValueError(f"end_date: got {self.end_date}, not after start_date {self.start_date} (allowed: a date "
                             f"after {self.start_date}, to {LAST_YEAR}-12-31)")
        horizon = (self.end_date - self.start_date).days + 1  # both days run (engine.core.calendar)
        if self.warmup_days >= horizon:
            # a warm-up as long as the run measured nothing: every count 0 and every share '-', under a heading that
            # named the whole horizon (eighth held-out round)
            raise ValueError(f"warmup_days: {self.warmup_days:g} days leaves nothing to measure in a run of {horizon:,} "
                             f"days ({self.start_date} to {self.end_date}) (allowed: fewer than {horizon:,} days, "
                             "or a later end_date)")
        if self.start_date < EHC_FIRST_DAY:  # fourth held-out round: a 2013 start ran EHC plans before there were any
            raise ValueError(f"start_date: got {self.start_date} (allowed: from {EHC_FIRST_DAY}, when EHC needs "
                             "assessments and plans began: CFA 2014 Part 3 in force; before it SEN statements under "
                             "the Education Act 1996, which sendsim does not model)")
        if (self.end_date - self.start_date).days > MAX_HORIZON_YEARS * 365.25:
            raise ValueError(f"end_date: the run spans more than {MAX_HORIZON_YEARS} years (allowed: at most "
                             f"{MAX_HORIZON_YEARS})")
        if self.projection is not None:  # `--until` may reach it: the same bounds as end_date (9999-12-31 failed
            last = min(dt.date(LAST_YEAR, 12, 31),  # inside the run; 2150 ran 126 years)
                       self.start_date + dt.timedelta(days=int(MAX_HORIZON_YEARS * 365.25)))
            if self.projection.until_limit > last:
                raise ValueError(f"projection.until_limit: got {self.projection.until_limit} (allowed: at most {last}: "
                                 f"a run ends by {LAST_YEAR} and spans at most {MAX_HORIZON_YEARS} years)")
        # a switch's date may lie past the scenario's own horizon, as a reform file's may: "not in force in this
        # run" is an answer the outputs give (the comparison's in-force table and `nothing_in_force`), not an error;
        # the window (2014-09-01 to 2100-12-31, the last day a scenario may run to) catches a mistyped year
        for switch, day in self.in_force.items():
            problem = in_force_problem(day)
            if problem:
                raise ValueError(f"in_force.{switch}: {problem}")
        if self.durations.authority_lateness_days is None:
            late = [la.name for la in self.local_authorities.items if la.late_share_by_year]
            if late:
                raise ValueError(f"durations.authority_lateness_days is needed when an authority gives "
                                 f"late_share_by_year (given for: {', '.join(late[:5])}; allowed: a sourced duration "
                                 f"in days)")
        if self.waits == "backlog":
            missing = [la.name for la in self.local_authorities.items
                       if not la.casework_per_week_by_year or la.casework_responsiveness_per_week is None]
            if missing:
                raise ValueError(f"waits: backlog needs casework_per_week_by_year and casework_responsiveness_per_week "
                                 f"for every authority (missing for: {', '.join(missing[:5])})")
            if self.capacity_projection_pct_per_year is None:
                raise ValueError("waits: backlog needs capacity_projection_pct_per_year (allowed: a sourced growth "
                                 "in % a year)")
        return self
