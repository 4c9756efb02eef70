"""The metric registry, and the metrics of one replication computed from its counts and children.

Every metric has one entry: its name, label, unit and how it is computed, and, for the official figures the model
is checked against, the period kind and the target's name (`../shared/domain/calibration_targets.csv`). The run
summary, compare, the backtest and calibration all read these entries, never their own copies.

Definitions follow the official statistics where one exists:
- `refused_pct`: requests the LA decided not to assess, as a % of requests received (DfE SEN2);
- `assessed_no_plan_pct`: decisions not to issue, as a % of decisions after assessment (SEN2);
- `within_20_weeks_pct`: new plans issued within the final-plan limit (20 weeks in current law) of the request,
  excluding the regulation 10(4) exception cases and plans made after an appeal (as DfE's headline figure);
- appeals are counted when registered; the tribunal's own figures use September-August years.

Why this module is long: the whole run's headline and every group's are one definition (`headline`), fed by the
columns read once from the children and the redress lists (`NewRequests`, `Redress`), so all of it lives together.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ...engine.core.calendar import Calendar
from ...engine.model import records as rc
from ...engine.model.journey import Journey
from ...schema.units import DAYS_PER_WEEK
from ...schema.vocabulary import APPEAL_TYPES, DESTINATIONS, MEDIATION_OUTCOMES, PAYERS
from .registry import LA_METRICS, METRIC_LABELS, METRICS, REGISTRY, TARGET_METRICS, Metric, TargetMetric

# the group dimensions reported when asked (`more_groups`): every run's summary has the others
MORE_GROUPS = ("phase", "region")

__all__ = ["LA_METRICS", "METRICS", "METRIC_LABELS", "MORE_GROUPS", "REGISTRY", "TARGET_METRICS", "Metric",
           "TargetMetric", "dispute_keys", "headline", "la_period_metrics", "period_metrics", "replication_metrics"]


def _pct(num: float, den: float) -> float | None:
    return 100.0 * num / den if den else None


def _q(values: np.ndarray, q: float) -> float | None:
    return float(np.quantile(values, q)) if values.size else None


def _q2(values: np.ndarray) -> tuple[float | None, float | None]:
    """`(_q(values, 0.5), _q(values, 0.9))` from one `np.quantile` call: its copy and partition made once for both
    (the same order statistics and the same interpolation, element by element, as two calls)."""
    if not values.size:
        return None, None
    median, p90 = np.quantile(values, (0.5, 0.9)).tolist()
    return median, p90


def _mean(values: np.ndarray) -> float | None:
    return float(values.mean()) if values.size else None


def _in(keys: np.ndarray, members: Any) -> np.ndarray:
    """`np.isin(keys, members)` for group numbers: whether each key is one of `members`, by a table of the numbers
    (keys and members small non-negative ints, as group numbers are; any other falls back to `np.isin`). The same
    booleans, without `isin`'s sort of the whole column for each of the groups."""
    wanted = np.fromiter(members, np.int64, len(members))
    if keys.size == 0 or wanted.size == 0:
        return np.zeros(keys.shape, dtype=np.bool_)
    lo = min(int(keys.min()), int(wanted.min()))
    hi = max(int(keys.max()), int(wanted.max()))
    if lo < 0 or hi > 1 << 20:
        return np.isin(keys, wanted)
    table = np.zeros(hi + 1, dtype=np.bool_)
    table[wanted] = True
    return table[keys]


def _sum_in_order(values: np.ndarray) -> float:
    """`sum(values.tolist())`: Python's sum of floats, each added in turn to a double starting at 0 (CPython 3.11),
    here `np.cumsum`'s additions in the same order (an accumulation is sequential, not numpy's pairwise reduction);
    `+ 0.0` gives the sum's zero its sign (Python's starts at +0.0, so it never ends at -0.0). Without a Python float
    made for each of a million values."""
    return float(np.cumsum(values)[-1]) + 0.0


class NewRequests:
    """The new requests' children as columns, read from the children once: the days from request to the final plan
    and to provision (NaN if none), the days without provision to the end of the run, whether the request is still in
    progress, and each child's groups. Why: the headline of every group (19 of them, 3 dimensions over the same
    80,000 children of a national year) selects its rows (`select`) instead of reading its children's attributes
    again. A selection keeps the children's order and holds the same floats, so every figure is the one the
    children themselves give (the sum of `without` is still Python's, in that order)."""

    __slots__ = ("final", "prov", "without", "in_progress", "keys")

    def __init__(self, columns: tuple[Any, ...], end: float):
        """`columns`: `records.request_state`'s first four (the fields of the k new requests with room for n)."""
        floats, busy, groups, k = columns
        n = len(busy)
        f = np.frombuffer(floats, dtype=np.float64).reshape(5, n)[:, :k]
        final_at, t0, provision_at, waiting, without = f
        self.final = final_at - t0  # NaN: no final plan
        self.prov = provision_at - t0
        self.without = without + np.where(waiting == waiting, end - waiting, 0.0)
        self.in_progress = np.frombuffer(busy, dtype=np.bool_)[:k]
        g = np.frombuffer(groups, dtype=np.int64).reshape(2, n)[:, :k]
        self.keys = {"gid": g[0], "pid": g[1]}

    def select(self, key: str, members: set[int]) -> NewRequests:
        """The rows of the children whose group `key` is one of `members`, in the same order."""
        return self.take(np.flatnonzero(_in(self.keys[key], members)))

    def take(self, rows: np.ndarray) -> NewRequests:
        """The rows numbered `rows` (ascending: the children's order kept)."""
        out = NewRequests.__new__(NewRequests)
        out.final, out.prov, out.without = self.final[rows], self.prov[rows], self.without[rows]
        out.in_progress = self.in_progress[rows]
        out.keys = {}
        return out


# each ended dispute's codes, as `headline` counts them: its ending's index in `ENDINGS`, the rung it gave up at
# (index in `GAVE_UP_AT`'s values, -1: not given up) and its kind's index in `APPEAL_TYPES` (-1: none of them)
_ENDING_CODE = {o: rc.ENDINGS.index(e) for o, e in rc.ENDING_OF.items()}
_RUNGS = list(dict.fromkeys(rc.GAVE_UP_AT.values()))
_GAVE_UP_CODE = {o: _RUNGS.index(r) for o, r in rc.GAVE_UP_AT.items()}
_KIND_CODE = {k: i for i, k in enumerate(APPEAL_TYPES)}
_REMEDY_CODES = np.array(sorted(rc.ENDINGS.index(e) for e in rc.REMEDY_ENDINGS), dtype=np.int64)


class Redress:
    """The horizon's ended disputes, appeals lodged and hearings held, as columns, each with its child's groups
    read once.

    Why: every group's headline (19 of them, and 40 more with `more_groups`) picked its own disputes, appeals and
    hearings from the whole run's lists by reading each one's child's group (about 0.3 s of a national year's 0.6 s
    of metrics), then read each dispute's fields in a dozen Python passes (a tenth of a twelve-year run's time went
    to the metrics). The fields are read once, into numpy columns (`disputed`, `ended`, `decided`, `lodged_at`,
    the ending, gave-up and kind codes; each appeal's `since` and `at`; each hearing's weeks), by one pass over the
    lists (`records.redress_columns`, compiled: each tuple, float and child read once, where a long run's are cache
    misses); a selection (`select`) keeps the lists' order, so each group's figures are made from the same values in
    the same order as before: a difference of two columns is the IEEE subtraction Python made of the two fields.
    `unsettled` and `decided_keys` are `dispute_keys`' two lists, each child in its capacity's place."""

    __slots__ = ("n", "disputed", "ended", "decided", "lodged_at", "ending", "gave_up", "kind", "since", "at",
                 "to_hearing", "keys", "unsettled", "decided_keys")

    def __init__(self, j: Journey, keys: tuple[str, ...] = ()):
        floats, codes, self.unsettled, self.decided_keys, lfloats, lgroups, weeks, hgroups = rc.redress_columns(
            j.disputes_ended, j.appeals_lodged, j.hearings_held, j.warmup, _ENDING_CODE, _GAVE_UP_CODE, _KIND_CODE)
        n = len(codes) // 5
        m = len(lgroups) // 2
        h = len(weeks)
        self.n = n
        self.disputed, self.ended, self.decided, self.lodged_at = np.frombuffer(floats, dtype=np.float64).reshape(4, n)
        c = np.frombuffer(codes, dtype=np.int64).reshape(5, n)
        self.ending, self.gave_up, self.kind = c[0], c[1], c[2]
        self.since, self.at = np.frombuffer(lfloats, dtype=np.float64).reshape(2, m)
        self.to_hearing = np.frombuffer(weeks, dtype=np.float64)
        lg = np.frombuffer(lgroups, dtype=np.int64).reshape(2, m)
        hg = np.frombuffer(hgroups, dtype=np.int64).reshape(2, h)
        row = {"gid": 0, "pid": 1}
        self.keys = {k: (c[3 + row[k]], lg[row[k]], hg[row[k]]) for k in keys}

    def select(self, key: str, members: set[int]) -> Redress:
        """Those of the children whose group `key` is one of `members`, in the same order."""
        done, lodged, heard = (np.flatnonzero(_in(ks, members)) for ks in self.keys[key])
        return self.take(done, lodged, heard)

    def take(self, done: np.ndarray, lodged: np.ndarray, heard: np.ndarray) -> Redress:
        """The disputes, appeals and hearings numbered so (each ascending: the lists' order kept)."""
        out = Redress.__new__(Redress)
        out.n = done.size
        out.disputed, out.ended, out.decided, out.lodged_at = (self.disputed[done], self.ended[done],
                                                               self.decided[done], self.lodged_at[done])
        out.ending, out.gave_up, out.kind = self.ending[done], self.gave_up[done], self.kind[done]
        out.since, out.at, out.to_hearing = self.since[lodged], self.at[lodged], self.to_hearing[heard]
        out.keys = {}
        return out


def replication_metrics(j: Journey, more_groups: bool = False) -> dict[str, Any]:
    """Headline metrics over the horizon (after warm-up), the same by period, and the same by group (family redress
    capacity, requester, primary need: `by_group`, for who gains and who loses); with `more_groups`, also by phase
    (when the route began) and by region (`MORE_GROUPS`)."""
    cnt = j.counters.counts
    warm = j.warmup

    # each metric's calendar-year counts summed once, in the counts' order from 0 (as `sum` over them did for each
    # metric asked: about 80 passes over every (metric, period) of the run)
    sums: dict[str, float] = {}
    for (m, p), v in cnt.items():
        if "/" not in p:
            sums[m] = sums.get(m, 0) + v

    def total(metric: str) -> float:
        return sums.get(metric, 0)

    # the new requests' columns and each group's state at the end, in one pass over the children
    floats, busy, groups, k, per_gid = rc.request_state(j.children, warm)
    new = NewRequests((floats, busy, groups, k), j.horizon)
    snap_end = j.snapshots[-1]
    end_state = {"waiting_for_place": snap_end["waiting_for_place"], "tribunal_backlog": snap_end["tribunal_backlog"],
                 "plans_in_force": snap_end["plans_in_force_january"]}
    redress = Redress(j, ("gid", "pid") if more_groups else ("gid",))
    # each group's children summed once (a national run holds 1.3 million): new requests, stock, state at the end;
    # the open disputes of the whole run are the groups' (each counts its children with a dispute not in the backlog)
    m = headline(j, total, new, end_state, j.n_stock, redress, sum(r[4] for r in per_gid.values()))
    by_group = _by_group(j, new, redress, j.group_index.members(), j.counters.groups, "gid", per_gid)
    if more_groups:
        by_group.update(_by_group(j, new, redress, j.group_index.cross_members(), j.counters.cross, "pid",
                                  rc.state_by_group(j.children, "pid")))
    return {"metrics": m, "by_period": period_metrics(j), "by_group": by_group,
            "disputes": dispute_keys(j, redress)}


def _by_group(j: Journey, new: NewRequests, redress: Redress, members: dict[str, dict[str, list[int]]],
              groups: list[dict[str, float]], key: str,
              per_gid: dict[int, list[int]]) -> dict[str, dict[str, dict[str, Any]]]:
    """Every headline metric of each group of each dimension; a group is a set of the children's group numbers
    (`key`: "gid" or "pid") whose counts are summed; `per_gid`: `records.state_by_group` of the children by `key`."""
    by_group: dict[str, dict[str, dict[str, Any]]] = {}
    for dim, values in members.items():
        out = by_group.setdefault(dim, {})
        # each row's group of this dimension (its index among `values`), once for the dimension, where the values'
        # group numbers do not overlap: a group's rows are then where that index is (the same rows, in the same
        # order, as `select` finds by membership), with no gather of the whole column for each group
        codes = _dimension_codes(values, (new.keys[key], *redress.keys[key]))
        for v, (value, gids) in enumerate(values.items()):
            rows = [per_gid[g] for g in gids if g in per_gid]
            if not rows and not any(groups[g] for g in gids):
                continue  # a need the scenario never draws

            def gtotal(metric: str, gids: list[int] = gids) -> float:
                return sum(groups[g].get(metric, 0.0) for g in gids)

            if codes is None:
                mem = set(gids)
                gnew = new.select(key, mem)  # in the children's order: the same sums as the whole's
                gredress = redress.select(key, mem)
            else:
                gnew = new.take(np.flatnonzero(codes[0] == v))
                gredress = redress.take(*(np.flatnonzero(c == v) for c in codes[1:]))
            end = {"waiting_for_place": sum(r[1] for r in rows), "tribunal_backlog": sum(r[2] for r in rows),
                   "plans_in_force": sum(r[3] for r in rows)}
            out[value] = headline(j, gtotal, gnew, end, sum(r[0] for r in rows), gredress, sum(r[4] for r in rows))
    return by_group


def _dimension_codes(values: dict[str, list[int]], columns: tuple[np.ndarray, ...]) -> list[np.ndarray] | None:
    """For each column of group numbers, each row's value's index in `values` (-1: in none), by a table of the
    numbers; None where two values share a group number, or a number is negative or large (then `select` by
    membership)."""
    seen: set[int] = set()
    for gids in values.values():
        if seen.intersection(gids) or any(g < 0 or g > 1 << 20 for g in gids):
            return None
        seen.update(gids)
    hi = max([max(seen, default=0), *(int(c.max()) for c in columns if c.size)])
    if any(int(c.min()) < 0 for c in columns if c.size) or hi > 1 << 20:
        return None
    table = np.full(hi + 1, -1, dtype=np.int64)
    for v, gids in enumerate(values.values()):
        table[list(gids)] = v
    return [table[c] for c in columns]


def dispute_keys(j: Journey, redress: Redress | None = None) -> dict[str, list]:
    """What a comparison needs to pair the same disputes under two rule sets (common random numbers: a dispute is
    the child's and its number, `DisputeEnd.key`): the disputes ended in the horizon that went through a compelled
    mediation that did not settle, and every dispute decided by the tribunal with its weeks from the disputed
    decision to the decision, each with the family's redress capacity (read with the rest by `Redress`)."""
    if redress is None:
        redress = Redress(j)
    unsettled = [[key, c.capacity] for key, c in redress.unsettled]
    decided = [[key, c.capacity, weeks] for key, c, weeks in redress.decided_keys]
    return {"compelled_unsettled": unsettled, "to_tribunal_decision": decided}


def headline(j: Journey, total: Callable[[str], float], new: NewRequests, end_state: dict[str, float], n_stock: int,
             redress: Redress, open_disputes: int) -> dict[str, Any]:
    """Every headline metric, from a total of each count, the new requests' children, their disputes, appeals and
    hearings, and the state at the end (the whole system, or one group: the same definitions for both)."""
    planned = new.final == new.final
    final = new.final[planned] / DAYS_PER_WEEK
    prov = new.prov[new.prov == new.prov] / DAYS_PER_WEEK
    without = new.without[planned]  # summed in the children's order, as Python's `sum` did (`_sum_in_order`)
    ended = total(rc.APPEALS_CONCEDED) + total(rc.APPEALS_WITHDRAWN) + total(rc.HEARINGS)
    hearings = total(rc.HEARINGS)
    mediations = total(rc.MEDIATIONS)
    # disputes ended in the horizon (after warm-up), however they ended, and how; weeks from the disputed decision
    to_end = (redress.ended - redress.disputed) / DAYS_PER_WEEK
    to_remedy = to_end[np.isin(redress.ending, _REMEDY_CODES)]
    decided = redress.decided == redress.decided
    to_decision = (redress.decided[decided] - redress.disputed[decided]) / DAYS_PER_WEEK
    appeal_to_decision = (redress.decided[decided] - redress.lodged_at[decided]) / DAYS_PER_WEEK
    lodged = (redress.at - redress.since) / DAYS_PER_WEEK
    to_hearing = redress.to_hearing
    n_done = redress.n
    final_q, prov_q, to_end_q, to_remedy_q = _q2(final), _q2(prov), _q2(to_end), _q2(to_remedy)
    endings = dict(zip(rc.ENDINGS, np.bincount(redress.ending, minlength=len(rc.ENDINGS)).tolist(), strict=True))
    gave_up_at = dict(zip(_RUNGS, np.bincount(redress.gave_up[redress.gave_up >= 0],
                                              minlength=len(_RUNGS)).tolist(), strict=True))
    m: dict[str, Any] = {
        "requests": total(rc.REQUESTS),
        "refused_pct": _pct(total(rc.REFUSED), total(rc.REQUESTS)),
        "refused_of_decided_pct": _pct(total(rc.REFUSED), total(rc.REFUSED) + total(rc.DECIDED_TO_ASSESS)),
        "assessed_no_plan_pct": _pct(total(rc.ASSESSED_NO_PLAN), total(rc.ASSESSED_NO_PLAN) + total(rc.DECIDED_TO_ISSUE)),
        "new_plans": total(rc.NEW_PLANS),
        "within_20_weeks_pct": _pct(total(rc.WITHIN_LIMIT_EXCL_EXCEPTIONS), total(rc.NEW_PLANS_EXCL_EXCEPTIONS)),
        "weeks_to_final_plan_median": final_q[0],
        "weeks_to_final_plan_p90": final_q[1],
        "weeks_to_provision_median": prov_q[0],
        "weeks_to_provision_p90": prov_q[1],
        "weeks_without_provision_mean": (_sum_in_order(without) / len(without) / DAYS_PER_WEEK) if without.size
                                         else None,
        "waiting_for_place_end": end_state["waiting_for_place"],
        "placements_independent_special": total(rc.PLACEMENTS_INDEPENDENT_SPECIAL),
        "weeks_without_named_school_at_transfer_mean": (total(rc.TRANSFER_LATE_WEEKS_SUM) / total(rc.TRANSFERS_NAMED)
                                                        if total(rc.TRANSFERS_NAMED) else None),
        "weeks_awaiting_placement_mean": (total(rc.AWAITING_PLACEMENT_WEEKS_SUM) / total(rc.TRANSFERS_NAMED)
                                          if total(rc.TRANSFERS_NAMED) else None),
        "weeks_out_of_school_mean": (total(rc.OUT_OF_SCHOOL_WEEKS_SUM) / total(rc.OUT_OF_SCHOOL_SPELLS)
                                     if total(rc.OUT_OF_SCHOOL_SPELLS) else None),
        "disputes_ended": float(n_done),
        "disputes_open_end": float(open_disputes),
        **{f"disputes_ended_{e}_pct": _pct(endings[e], n_done) for e in rc.ENDINGS},
        **{f"disputes_gave_up_at_{r}": float(n) for r, n in gave_up_at.items()},
        "weeks_dispute_to_end_median": to_end_q[0],
        "weeks_dispute_to_end_mean": _mean(to_end),
        "weeks_dispute_to_end_p90": to_end_q[1],
        **{f"weeks_dispute_to_end_median_{k}": _q(to_end[redress.kind == i], 0.5) for i, k in enumerate(APPEAL_TYPES)},
        "weeks_dispute_to_remedy_median": to_remedy_q[0],
        "weeks_dispute_to_remedy_mean": _mean(to_remedy),
        "weeks_dispute_to_remedy_p90": to_remedy_q[1],
        "weeks_dispute_to_appeal_lodged_median": _q(lodged, 0.5),
        "weeks_dispute_to_appeal_lodged_mean": _mean(lodged),
        "weeks_dispute_to_tribunal_decision_median": _q(to_decision, 0.5),
        "weeks_appeal_to_decision_median": _q(appeal_to_decision, 0.5),
        "weeks_appeal_to_decision_mean": _mean(appeal_to_decision),
        "mediations": mediations,
        "mediations_settled_pct": _pct(total(rc.MEDIATIONS_SETTLED), mediations),
        **{f"mediation_{o}_pct": _pct(total(rc.MEDIATION_BY_OUTCOME[o]), mediations) for o in MEDIATION_OUTCOMES},
        "mediations_compelled": total(rc.MEDIATIONS_COMPELLED),
        "mediation_limit_missed": total(rc.MEDIATION_LIMIT_MISSED),
        "dropped_out_at_rung": total(rc.DROPPED_OUT),
        "appeals_registered": total(rc.APPEALS_REGISTERED),
        "appeals_refusal_to_assess": total(rc.APPEALS_BY_TYPE["refusal_to_assess"]),
        "appeals_refusal_to_issue": total(rc.APPEALS_BY_TYPE["refusal_to_issue"]),
        "appeals_contents": total(rc.APPEALS_BY_TYPE["contents"]),
        "appeals_placement": total(rc.APPEALS_BY_TYPE["placement"]),
        "appeals_cessation": total(rc.APPEALS_BY_TYPE["cessation"]),
        "conceded_before_hearing_pct": _pct(total(rc.APPEALS_CONCEDED), ended),
        "withdrawn_pct": _pct(total(rc.APPEALS_WITHDRAWN), ended),
        "decided_for_family_pct": _pct(total(rc.DECIDED_FOR_FAMILY), total(rc.DECIDED_FOR_FAMILY)
                                       + total(rc.DECIDED_FOR_LA)),
        "weeks_to_hearing_mean": (total(rc.WEEKS_TO_HEARING_SUM) / hearings) if hearings else None,
        "weeks_to_hearing_median": _q(to_hearing, 0.5),
        "tribunal_recommendations_made": total(rc.RECOMMENDATIONS_MADE),
        "recommendations_answered_on_time_pct": _pct(total(rc.RECOMMENDATIONS_ANSWERED_ON_TIME),
                                                     total(rc.RECOMMENDATIONS_ANSWERED)),
        "recommendations_followed_pct": _pct(total(rc.RECOMMENDATIONS_FOLLOWED), total(rc.RECOMMENDATIONS_ANSWERED)),
        "tribunal_backlog_end": end_state["tribunal_backlog"],
        "plans_in_force_end": end_state["plans_in_force"],
        "plans_ceased": total(rc.PLANS_CEASED),
        "plans_transferred_out": total(rc.PLANS_TRANSFERRED_OUT),
        "plans_transferred_in": total(rc.PLANS_TRANSFERRED_IN),
        **{f"plan_end_destination_{d}_pct": _pct(total(rc.DESTINATION_COUNTS[d]), total(rc.PLANS_ENDED_16_PLUS))
           for d in DESTINATIONS},
        "requests_in_progress_end": int(np.count_nonzero(new.in_progress)),
        "school_support_plans": total(rc.SCHOOL_SUPPORT_PLANS),
        "isp_escalations": total(rc.ISP_ESCALATIONS),
        "requests_withdrawn": total(rc.REQUEST_WITHDRAWN),
        "assessments_ended_without_decision": total(rc.ASSESSMENT_WITHDRAWN) + total(rc.ASSESSMENT_LAPSED),
        "placement_outside_list_no_appeal": total(rc.PLACEMENT_OUTSIDE_LIST_NO_APPEAL),
        "independent_reviews": total(rc.INDEPENDENT_REVIEWS),
    }
    # every child once: the stock, requests for an assessment, and would-be requests met by a school-level plan
    # (an escalation from one is already a request)
    served = n_stock + total(rc.REQUESTS) + total(rc.SCHOOL_SUPPORT_PLANS) - total(rc.ISP_ESCALATIONS)
    cost_total = 0.0
    for payer in PAYERS:
        v = total(rc.COST_BY_PAYER[payer])
        m[f"cost_{payer}_gbp"] = v
        cost_total += v
    m["cost_total_gbp"] = cost_total
    m["cost_per_child_gbp"] = cost_total / served if served else None
    return m


def period_metrics(j: Journey) -> dict[str, dict[str, float | None]]:
    """Calendar-year activity, January caseloads, and September-August tribunal years."""
    out: dict[str, dict[str, float | None]] = {}
    by: dict[str, dict[str, float]] = {}
    for (metric, period), v in j.counters.counts.items():
        by.setdefault(period, {})[metric] = v
    for period, d in sorted(by.items()):
        row: dict[str, float | None] = {}
        if "/" in period:
            for k in (rc.APPEALS_REGISTERED, *rc.APPEALS_BY_TYPE.values(), rc.HEARINGS):
                row[k] = d.get(k, 0.0)
            dec = d.get(rc.DECIDED_FOR_FAMILY, 0.0) + d.get(rc.DECIDED_FOR_LA, 0.0)
            row["decided_for_family_pct"] = _pct(d.get(rc.DECIDED_FOR_FAMILY, 0.0), dec)
        else:
            req = d.get(rc.REQUESTS, 0.0)
            row["requests"] = req
            row["refused_pct"] = _pct(d.get(rc.REFUSED, 0.0), req)
            row["refused_by_request_year_pct"] = _pct(d.get(rc.REFUSED_BY_REQUEST_YEAR, 0.0), req)
            row["assessed_no_plan_pct"] = _pct(d.get(rc.ASSESSED_NO_PLAN, 0.0),
                                               d.get(rc.ASSESSED_NO_PLAN, 0.0) + d.get(rc.DECIDED_TO_ISSUE, 0.0))
            row["new_plans"] = d.get(rc.NEW_PLANS, 0.0)
            row["within_20_weeks_pct"] = _pct(d.get(rc.WITHIN_LIMIT_EXCL_EXCEPTIONS, 0.0),
                                              d.get(rc.NEW_PLANS_EXCL_EXCEPTIONS, 0.0))
            row["over_1_year_pct"] = _pct(d.get(rc.OVER_1_YEAR_EXCL_EXCEPTIONS, 0.0),
                                          d.get(rc.NEW_PLANS_EXCL_EXCEPTIONS, 0.0))
            row["mediations"] = d.get(rc.MEDIATIONS, 0.0)
            row["mediations_settled_pct"] = _pct(d.get(rc.MEDIATIONS_SETTLED, 0.0), d.get(rc.MEDIATIONS, 0.0))
            row["appeals_registered"] = d.get(rc.APPEALS_REGISTERED, 0.0)
            row["plans_ceased"] = d.get(rc.PLANS_CEASED, 0.0)
            row["plans_transferred_out"] = d.get(rc.PLANS_TRANSFERRED_OUT, 0.0)
            row["plans_transferred_in"] = d.get(rc.PLANS_TRANSFERRED_IN, 0.0)
            row["cost_total_gbp"] = sum(d.get(rc.COST_BY_PAYER[p], 0.0) for p in PAYERS)
        out[period] = row
    for snap in j.snapshots:
        if snap["period"] != "end":
            out.setdefault(snap["period"], {})["plans_in_force_january"] = snap["plans_in_force_january"]
    return {p: row for p, row in out.items() if _in_run(p, j.cal.end)}


def _in_run(period: str, end: dt.date) -> bool:
    """Whether a period begins on or before the run's last day. Why: placement costs are booked at the horizon
    (1 January after the last day), which used to leave a phantom period after the run with every count 0."""
    if "/" in period:
        return dt.date(int(period[:4]), 9, 1) <= end
    return int(period) <= end.year


def bounds(metric: str) -> tuple[float, float]:
    """What a metric can be: every metric here is a count, a duration, a cost (>= 0) or a percentage (0-100)."""


def la_period_metrics(j: Journey) -> dict[str, dict[str, dict[str, float | None]]]:
    """Each authority's own calendar-year figures and January caseloads, from its counters and its children."""
    by: dict[int, dict[str, dict[str, float]]] = {}
    for (la, metric, period), v in j.counters.la_counts.items():
        by.setdefault(la, {}).setdefault(period, {})[metric] = v
    out: dict[str, dict[str, dict[str, float | None]]] = {}
    codes = [la.spec.code for la in j.las]
    for idx, periods in by.items():
        code = codes[idx]
        rows = out.setdefault(code, {})
        for period, d in periods.items():
            req = d.get(rc.REQUESTS, 0.0)
            rows[period] = {"requests": req, "refused_by_request_year_pct": _pct(d.get(rc.REFUSED, 0.0), req),
                            "new_plans": d.get(rc.NEW_PLANS, 0.0),
                            "within_20_weeks_pct": _pct(d.get(rc.WITHIN_LIMIT_EXCL_EXCEPTIONS, 0.0),
                                                        d.get(rc.NEW_PLANS_EXCL_EXCEPTIONS, 0.0))}
            if rc.PLANS_TRANSFERRED_OUT in d or rc.PLANS_TRANSFERRED_IN in d:  # a run with plan transfers
                rows[period]["plans_transferred_out"] = d.get(rc.PLANS_TRANSFERRED_OUT, 0.0)
                rows[period]["plans_transferred_in"] = d.get(rc.PLANS_TRANSFERRED_IN, 0.0)
    cal = Calendar(j.sc.start_date, j.sc.end_date)
    januaries = [(y, d) for y, d in cal.year_starts() if 0.0 <= d <= j.horizon]
    counts = {code: [0] * len(januaries) for code in codes}
    for c in j.children:
        moved = c.moved
        if c.stock:
            start = 0.0
        elif c.final_at == c.final_at and c.final_at >= 0.0 and c.status in ("plan", "ceased", "transferred_out"):
            start = c.final_at
        elif moved and moved[0][1] == rc.OUTSIDE_RUN:  # a plan that arrived from outside a run of one authority
            start = moved[0][0]
        else:
            continue
        end = c.ceased_at if c.ceased_at == c.ceased_at else math.inf
        if moved is None:
            row = counts[codes[c.la]]
            for k, (_, day) in enumerate(januaries):
                if start <= day < end:
                    row[k] += 1
            continue
        for k, (_, day) in enumerate(januaries):  # the authority that held the plan that day (route/moves.py)
            if start <= day < end:
                la = next((before for when, before, _after in moved if day < when), moved[-1][2])
                if la != rc.OUTSIDE_RUN:
                    counts[codes[la]][k] += 1
    for code, row in counts.items():
        for k, (y, _) in enumerate(januaries):
            out.setdefault(code, {}).setdefault(str(y), {})["plans_in_force_january"] = row[k]
    return out
