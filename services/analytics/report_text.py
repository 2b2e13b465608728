"""The sentences of the annual report, written from the summary in the first report's style.

Pure functions of a :class:`SummaryRead`: no I/O, so every zero, singular and "all of them" is
unit-tested (``tests/test_annual_report.py``). The style is the source's (July 2014): numbers one
to nine in words and larger ones in figures ("five were ...", "in respect of 16"), shares as whole
percentages in brackets ("35 cases (53%)"), and nothing said of what did not happen beyond one
plain sentence (never "0 cases (-%)"). Titles of guidance are marked ``*like this*``: the
Markdown keeps the asterisks and the HTML turns them into emphasis.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from services.analytics.schemas import Period, QualityRead, SummaryRead
from shared.events.vocab import (
    NonInitiationReason,
    QualityFeature,
    QualityProblem,
    RecommendationStatus,
)

WT = "*Working Together 2013*"
_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_TIMES = {1: "once", 2: "twice"}


@dataclass(frozen=True)
class Para:
    """A numbered paragraph, optionally followed by a bulleted list."""

    text: str
    items: tuple[str, ...] = field(default_factory=tuple)


# --- words --------------------------------------------------------------------------------------


def num(n: int) -> str:
    """One to nine in words, the rest in figures (thousands separated): the source's style."""
    return _WORDS[n] if 0 <= n <= 9 else f"{n:,}"


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` things: "one case", "five cases", "16 cases", "no cases"."""
    return f"{num(n)} {noun if n == 1 else (plural or noun + 's')}"


def times(n: int) -> str:
    return _TIMES.get(n, f"{num(n)} times")


def verb(n: int, singular: str, plural: str) -> str:
    return singular if n == 1 else plural


def of_all(part: int, whole: int) -> str:
    """How many of ``whole``: "both" or "all 31" when it is every one of them (never "two of
    two"), else the number."""
    if part == whole and whole == 2:
        return "both"
    if part == whole and whole > 2:
        return f"all {num(whole)}"
    return num(part)


def whole_percent(pct: float) -> str:
    """A share to the nearest whole percent, halves up (53.0 -> "53%"): the source's brackets."""
    return f"{Decimal(str(pct)).quantize(Decimal(1), rounding=ROUND_HALF_UP)}%"


def some_percent(pct: float) -> str:
    """ "some 92%" for 92.6: the source's rate, never rounded up past what the figures show."""
    if pct == int(pct):
        return f"{int(pct)}%"
    return f"some {math.floor(pct)}%"


def day(d: dt.date) -> str:
    return f"{d.day} {d:%B %Y}"


def period_words(p: Period) -> str:
    return f"from {day(p.date_from)} to {day(p.date_to)}"


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def joined(clauses: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(clauses) <= 1:
        return "".join(clauses)
    return ", ".join(clauses[:-1]) + " and " + clauses[-1]


# Labels of the codes, in the words of the source where it has them.
REASONS: dict[NonInitiationReason, str] = {
    NonInitiationReason.HARM_NOT_SERIOUS: "the harm was not judged serious",
    NonInitiationReason.PHYSICAL_INJURY_RECOVERED: "the child had recovered from physical injury",
    NonInitiationReason.NOT_CAUSED_BY_ABUSE_OR_NEGLECT: "the harm was not caused by abuse or"
    " neglect",
    NonInitiationReason.NO_INTER_AGENCY_CONCERN: "no failure in inter-agency working",
    NonInitiationReason.OTHER_REVIEW_PREFERRED: "another type of review was preferred",
    NonInitiationReason.OTHER: "other reasons",
}
FEATURES: dict[QualityFeature, str] = {
    QualityFeature.CAUSES_AND_PREVENTION: "Focus on causes and prevention",
    QualityFeature.CONCISE_CRITICAL_POINTS: "Concise account of critical points",
    QualityFeature.ANALYSIS_OF_WHAT_AND_WHY: "Analysis of what went wrong and why",
    QualityFeature.CLEAR_ADDRESSED_RECOMMENDATIONS: "Clear recommendations to named people",
    QualityFeature.LESSONS_FOR_SERVICES: "Lessons for the services concerned",
    QualityFeature.PROPORTIONATE: "Proportionate to the case",
    QualityFeature.FAILINGS_AT_ALL_LEVELS: "Failings and good practice at all levels",
}
PROBLEMS: dict[QualityProblem, str] = {
    QualityProblem.IRRELEVANT_DETAIL_AND_JARGON: "Reports which include irrelevant detail,"
    " jargon and acronyms",
    QualityProblem.LISTS_WITHOUT_ASKING_WHY: "Reports that list what happened without asking why",
    QualityProblem.IGNORES_HUMAN_MOTIVATION: "Reports that fail to look at human motivation",
    QualityProblem.NOT_CHILD_CENTRED: "Reports that fail to centre on the child",
    QualityProblem.UNCLEAR_RECOMMENDATIONS: "Recommendations which are not clear, focused or"
    " addressed to specific individuals or organisations",
}
STATUSES: dict[RecommendationStatus, str] = {
    RecommendationStatus.IMPLEMENTED: "had been implemented",
    RecommendationStatus.IN_PROGRESS: "{was} being implemented",
    RecommendationStatus.ACCEPTED: "had been accepted but not yet begun",
    RecommendationStatus.PROPOSED: "{was} still awaiting a response",
    RecommendationStatus.NOT_ACCEPTED: "had not been accepted",
}


# --- Introduction -------------------------------------------------------------------------------


def introduction(s: SummaryRead) -> list[Para]:
    return [
        Para(
            f"{WT}, the Government's guide to inter-agency working, established a national panel"
            " of independent experts 'to support Local Safeguarding Children Boards (LSCBs) in"
            " ensuring that appropriate action is taken to learn from serious incidents in all"
            " cases where the statutory criteria are met and to ensure that those lessons are"
            " shared through publication of final SCR reports'."
        ),
        Para(
            f"This report covers the period {period_words(s.period)}. Its figures are those of"
            " the panel's records as they stood at the end of the period: a case counts in the"
            " state it had reached by then. The panel's remit includes advising LSCBs about:",
            (
                "application of the SCR criteria;",
                "appointment of reviewers; and",
                "publication of SCR reports.",
            ),
        ),
    ]


# --- Cases considered ---------------------------------------------------------------------------


def statutory_breaches(s: SummaryRead) -> Para:
    n = s.statutory_breaches_flagged
    done = (
        "It has not had cause to do so in this period."
        if n == 0
        else f"It has had cause to do so {times(n)} in this period."
    )
    return Para(
        f"{WT} makes clear that the panel's role is advisory. However, if the panel believes"
        " that there is a clear statutory breach in respect of an SCR decision, the panel"
        f" considers it would be obliged to alert DfE and Ofsted to the situation. {done}"
    )


def initiations(n: int, p: Period) -> str:
    start = f"In the period {period_words(p)}, the panel has"
    if n == 0:
        return f"{start} not been advised of any decision to initiate an SCR."
    if n == 1:
        return f"{start} been advised of one decision to initiate an SCR."
    return f"{start} been advised of decisions to initiate {num(n)} SCRs."


def considered_and_agreed(considered: int, agreed: int, pct: float | None) -> str:
    if considered == 0:
        return "It has not considered any decisions not to initiate an SCR."
    appropriate = "that an appropriate decision had been made, without challenge"
    if considered == 1:
        ending = f"agreed {appropriate}" if agreed else "challenged or queried it"
        return f"It has considered a further decision not to initiate an SCR, and {ending}."
    start = f"It has considered a further {num(considered)} decisions not to initiate an SCR, and"
    if agreed == 0:
        return f"{start} challenged or queried every one of them."
    if agreed == considered:
        return f"{start} agreed in {of_all(agreed, considered)} cases {appropriate}."
    share = f" ({whole_percent(pct)})" if pct is not None else ""
    return f"{start} agreed in {count(agreed, 'case')}{share} {appropriate}."


def challenged_outcomes(after_advice: int, accepted: int, awaiting: int) -> list[str]:
    """What became of the challenged or queried decisions, as the source's paragraph 10 ends."""
    remaining = after_advice + accepted + awaiting
    if remaining == 0:
        return []
    if remaining == 1:
        if after_advice:
            return [
                "The remaining case was subsequently made the subject of an SCR on receipt of"
                " the panel's advice."
            ]
        if accepted:
            return [
                "In the remaining case, the panel accepted the non-initiation decision after"
                " considering further information."
            ]
        return ["Further information is awaited on the remaining case."]
    clauses = []
    if after_advice:
        clauses.append(
            f"{of_all(after_advice, remaining)} {verb(after_advice, 'was', 'were')} subsequently"
            " made the subject of an SCR on receipt of the panel's advice"
        )
    if accepted:
        whom = "all of them" if accepted == remaining else num(accepted)
        whom = "both" if accepted == remaining == 2 else whom
        clauses.append(
            f"the panel accepted the non-initiation decision in respect of {whom}, after"
            " considering further information"
        )
    sentences = []
    if clauses:
        sentences.append(f"Of the remaining {num(remaining)} cases, {', whilst '.join(clauses)}.")
        if awaiting == 1:
            sentences.append("Further information is awaited on the one remaining case.")
        elif awaiting:
            sentences.append(
                f"Further information is awaited on the remaining {num(awaiting)} cases."
            )
    else:
        which = "both" if remaining == 2 else f"all {num(remaining)}"
        sentences.append(f"Further information is awaited on {which} of the remaining cases.")
    return sentences


def decisions(s: SummaryRead) -> Para:
    """The source's paragraph 10."""
    return Para(
        " ".join(
            [
                initiations(s.scr_initiation_decisions, s.period),
                considered_and_agreed(
                    s.non_initiation_decisions_considered,
                    s.agreed_without_challenge,
                    s.agreed_without_challenge_pct,
                ),
                *challenged_outcomes(
                    s.scr_initiated_after_advice,
                    s.accepted_after_further_information,
                    s.awaiting_further_information,
                ),
            ]
        )
    )


def reports_received(reports: int, short_notice: int) -> str:
    if reports == 0:
        return "The panel has not received any SCRs prior to publication."
    if reports == 1:
        text = "The panel has received a copy of one SCR prior to publication."
        if short_notice:
            text += " It reached the panel less than a week before its planned publication."
        return text
    text = f"The panel has received copies of {num(reports)} SCRs prior to publication."
    if short_notice:
        text += (
            f" Of these, {of_all(short_notice, reports)} reached the panel less than a week"
            f" before {verb(short_notice, 'its', 'their')} planned publication."
        )
    return text


def notices_considered(considered: int) -> str:
    if considered == 0:
        return "It has not considered any cases where it had been decided not to publish."
    return (
        f"In addition, the panel has considered {count(considered, 'case')} where it had been"
        " decided not to publish."
    )


def notice_outcomes(considered: int, accepted: int, reconsidered: int, published: int) -> str:
    if considered == 0:
        return ""
    clauses = []
    if accepted == considered:
        clauses.append(
            "the panel accepted the decision"
            if considered == 1
            else f"the panel accepted {of_all(accepted, considered)} decisions"
        )
    elif accepted:
        clauses.append(f"the panel accepted {num(accepted)} of the decisions")
    if reconsidered:
        clauses.append(
            f"{count(reconsidered, 'case')} {verb(reconsidered, 'is', 'are')} currently being"
            " reconsidered"
        )
    if published:
        who = "it" if published == considered == 1 else of_all(published, considered)
        clauses.append(f"{who} {verb(published, 'has', 'have')} since been published")
    return f"After consideration, {joined(clauses)}." if clauses else ""


def publication_rate(rate: float | None) -> str:
    if rate is None:
        return ""
    if rate == 100:
        return "This means that, on these figures, all completed SCRs are being published."
    if rate == 0:
        return "This means that, on these figures, no completed SCR is being published."
    return (
        f"This means that, on these figures, {some_percent(rate)} of completed SCRs are being"
        " published."
    )


def publication(s: SummaryRead) -> list[Para]:
    """The source's paragraph 11."""
    first = " ".join(
        [
            reports_received(s.reports_received_before_publication, s.reports_short_notice),
            notices_considered(s.non_publication_cases_considered),
        ]
    )
    second = " ".join(
        t
        for t in (
            notice_outcomes(
                s.non_publication_cases_considered,
                s.non_publication_accepted,
                s.non_publication_being_reconsidered,
                s.non_publication_since_published,
            ),
            publication_rate(s.publication_rate_pct),
        )
        if t
    )
    return [Para(first), *([Para(second)] if second else [])]


def workload(total: int, per_month: float | None, referrals: int) -> Para:
    """The source's paragraph 12."""
    monthly = round(Decimal(str(per_month or 0)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if total == 0:
        text = "The panel has not considered any cases in this period."
    elif monthly == 0:
        text = (
            f"The panel has considered {count(total, 'case')} in this period, fewer than one a"
            " month on average."
        )
    else:
        text = (
            f"The panel considers on average about {count(monthly, 'case')} each month, in"
            " addition to completed SCRs provided for review."
        )
    if referrals:
        occasions = "one occasion" if referrals == 1 else f"{num(referrals)} occasions"
        text += (
            f" On {occasions} the information provided has not been sufficiently clear or"
            " detailed to allow a decision to be made and the matter has had to be referred"
            " back to the LSCB concerned."
        )
    return Para(text)


def in_touch(s: SummaryRead) -> Para | None:
    """The source's paragraph 13, and the silent boards of its recommendations."""
    if s.lscbs_total == 0:
        return None
    n = s.lscbs_not_in_touch
    if n == 0:
        text = "Every LSCB has been in touch with the panel in this period."
    else:
        share = (
            f" ({whole_percent(s.lscbs_not_in_touch_pct)})"
            if s.lscbs_not_in_touch_pct is not None
            else ""
        )
        text = (
            f"The panel has noted that {count(n, 'LSCB')}{share} {verb(n, 'has', 'have')} not"
            " been in touch with the panel in this period."
        )
        text += (
            " It may legitimately have had nothing to report; the panel will be seeking to"
            " clarify the position."
            if n == 1
            else " Although some of these may legitimately have had nothing to report, the panel"
            " takes the view that this is unlikely to be the position with all. The panel will be"
            " seeking to clarify the position with regard to those local areas concerned."
        )
    silent = s.lscbs_silent_12_months
    if silent:
        text += (
            f" In the twelve months to {day(s.period.date_to)}, {count(silent, 'LSCB')}"
            f" {verb(silent, 'has', 'have')} not notified the panel of any serious incident."
        )
    return Para(text)


def cases_considered(s: SummaryRead) -> list[Para]:
    paras = [
        Para(
            f"{WT} states that LSCBs should inform the panel about any decision as to initiation"
            " or non-initiation of SCRs, send a copy of the final SCR report to the panel at"
            " least a week prior to publication, or inform the panel if they do not intend to"
            " publish the SCR."
        ),
        statutory_breaches(s),
        decisions(s),
        *publication(s),
        workload(s.panel_considerations, s.panel_considerations_per_month, s.referrals_back),
    ]
    touch = in_touch(s)
    return paras + ([touch] if touch else [])


# --- Instances where SCRs are not being proposed ------------------------------------------------


def how_many_agreed(agreed: int, considered: int) -> str:
    """ "over half of the 66 'non-initiation' cases it considered", and so on."""
    cases = f"the {num(considered)} 'non-initiation' cases it considered"
    if considered == 1:
        return "the one 'non-initiation' case it considered"
    if agreed == considered:
        return f"{'both' if considered == 2 else 'all'} of {cases}"
    if agreed == 0:
        return f"none of {cases}"
    if 2 * agreed > considered:
        return f"over half of {cases}"
    return f"{'half' if 2 * agreed == considered else 'fewer than half'} of {cases}"


def not_proposed(s: SummaryRead) -> list[Para]:
    considered = s.non_initiation_decisions_considered
    if considered == 0:
        paras = [Para("The panel has not considered any 'non-initiation' cases in this period.")]
    elif considered == 1 and s.agreed_without_challenge == 0:
        paras = [
            Para(
                "In this period the panel challenged or queried the one 'non-initiation' case it"
                " considered."
            )
        ]
    else:
        paras = [
            Para(
                "In this period the panel agreed"
                f" {how_many_agreed(s.agreed_without_challenge, considered)} without needing to"
                " challenge the initial decision made."
            )
        ]
    given = sorted(
        ((n, NonInitiationReason(code)) for code, n in s.non_initiation_reasons.items() if n),
        key=lambda pair: (-pair[0], pair[1].value),
    )
    if given:
        paras.append(
            Para(
                "The reasons given to the panel for non-initiation, with the number of decisions"
                " giving each (a decision may give more than one), were:",
                tuple(
                    f"{capitalised(REASONS[reason])}: {count(n, 'decision')}" for n, reason in given
                ),
            )
        )
    else:
        paras.append(Para("No decision not to initiate an SCR gave its reasons in this period."))
    kinds = len(s.alternative_review_types)
    if kinds:
        paras.append(
            Para(
                f"LSCBs have held up {num(kinds)} different"
                f" {verb(kinds, 'type', 'types')} of investigation, review or audit as an"
                " alternative to carrying out an SCR. An investigation, regardless of title,"
                " should seek to establish the cause of an incident and attempt to prevent its"
                " recurrence."
            )
        )
    return paras


# --- Instances where SCRs are not being published -----------------------------------------------


def not_published(s: SummaryRead) -> list[Para]:
    completed, notices = s.completed_scrs, s.non_publication_cases_considered
    if completed == 0:
        return [Para("The panel has received no completed SCRs in this period.")]
    out_of = f"out of {count(completed, 'completed SCR')} received"
    if notices == 0:
        text = (
            f"No LSCB has proposed not to publish an SCR report in full in this period, {out_of}."
        )
    elif 5 * notices < completed:
        such = "only one such case" if notices == 1 else f"only {num(notices)} such cases"
        text = (
            "The panel sees relatively few cases where an LSCB is proposing not to publish an SCR"
            f" report in full, with {such} {out_of}."
        )
    else:
        text = (
            f"The panel has seen {count(notices, 'case')} where an LSCB is proposing not to"
            f" publish an SCR report in full, {out_of}."
        )
    return [Para(text)]


# --- Quality of SCRs ----------------------------------------------------------------------------


def reviewed(before: int, under: int) -> str:
    total = before + under
    if total == 0:
        return "The panel has not reviewed the quality of any SCR in this period."
    start = f"The panel has reviewed the quality of {count(total, 'SCR')} in this period"
    if before == 0 or under == 0:
        when = "before" if under == 0 else "under"
        whom = "it was" if total == 1 else ("both" if total == 2 else "all of them")
        return f"{start}: {whom} initiated {when} {WT}."
    return f"{start}: {num(before)} initiated before {WT} and {num(under)} under it."


def comparison(before: QualityRead, under: QualityRead) -> str:
    pairs = [
        (under.mean_scores.get(f), before.mean_scores.get(f))
        for f in QualityFeature
        if under.mean_scores.get(f) is not None and before.mean_scores.get(f) is not None
    ]
    if not pairs:
        return ""
    higher = sum(u > b for u, b in pairs if u is not None and b is not None)
    lower = sum(u < b for u, b in pairs if u is not None and b is not None)
    same = len(pairs) - higher - lower
    clauses = []
    if higher == len(pairs):
        clauses.append("higher on every one")
    elif higher:
        clauses.append(f"higher on {num(higher)}")
    if lower == len(pairs):
        clauses.append("lower on every one")
    elif lower:
        clauses.append(f"lower on {num(lower)}")
    if same == len(pairs):
        clauses.append("the same on every one")
    elif same:
        clauses.append(f"the same on {num(same)}")
    return (
        f"Of the {count(len(pairs), 'feature')} of an effective SCR scored on both sides, SCRs"
        f" initiated under {WT} scored {joined(clauses)} (mean scores, 1 to 4, in the table"
        " below)."
    )


def problem_items(before: QualityRead, under: QualityRead) -> tuple[str, ...]:
    items = []
    for problem in QualityProblem:
        shares = []
        for side, words in ((before, f"initiated before {WT}"), (under, "under it")):
            pct = side.problem_share_pct.get(problem)
            if side.reports_reviewed and pct is not None:
                shares.append(f"{whole_percent(pct)} of those {words}")
        if not before.reports_reviewed:
            shares = [share.replace("under it", f"initiated under {WT}") for share in shares]
        if any((side.problem_share_pct.get(problem) or 0) > 0 for side in (before, under)):
            items.append(f"{PROBLEMS[problem]}: {joined(shares)}")
    return tuple(items)


def quality(s: SummaryRead) -> list[Para]:
    before = s.quality.before_working_together_2013
    under = s.quality.under_working_together_2013
    first = reviewed(before.reports_reviewed, under.reports_reviewed)
    if before.reports_reviewed + under.reports_reviewed == 0:
        return [Para(first)]
    compared = comparison(before, under)
    paras = [Para(f"{first} {compared}".strip())]
    items = problem_items(before, under)
    if items:
        paras.append(Para("The key problems seen, with the share of SCRs showing each:", items))
    else:
        paras.append(Para("None of the SCRs reviewed showed any of the key problems."))
    return paras


# --- Recommendations and their implementation ---------------------------------------------------


def recommendations(s: SummaryRead) -> list[Para]:
    r = s.recommendations
    paras = []
    if r.total == 0:
        paras.append(Para("The SCRs and notices received in this period made no recommendations."))
    else:
        text = (
            f"The SCRs and notices received in this period made {count(r.total, 'recommendation')}."
        )
        if r.named_addressee_pct is not None:
            text += (
                f" {capitalised(whole_percent(r.named_addressee_pct))} of them"
                f" {verb(r.total, 'was', 'were')} addressed to a specific, named organisation or"
                " person."
            )
        statuses = [
            f"{num(n)} {STATUSES[status].format(was=verb(n, 'was', 'were'))}"
            for status in STATUSES
            if (n := r.by_status.get(status, 0))
        ]
        if r.total == 1 and statuses:
            statuses = [statuses[0].replace("one ", "it ", 1)]
        if statuses:
            text += f" At the end of the period, {joined(statuses)}."
        if r.overdue:
            which = (
                "It is"
                if r.total == 1
                else f"Of these, {num(r.overdue)} {verb(r.overdue, 'is', 'are')}"
            )
            text += (
                f" {which} overdue: due before {day(s.period.date_to)} and neither implemented"
                " nor declined."
            )
        paras.append(Para(text))
    if s.follow_ups_overdue:
        paras.append(
            Para(
                f"The panel is waiting on {count(s.follow_ups_overdue, 'follow-up')} from LSCBs"
                " past the date by which it was due."
                if s.follow_ups_overdue == 1
                else f"The panel is waiting on {count(s.follow_ups_overdue, 'follow-up')} from"
                " LSCBs past the dates by which they were due."
            )
        )
    if s.lscbs_silent_12_months:
        n = s.lscbs_silent_12_months
        paras.append(
            Para(
                f"DfE and Ofsted should ensure that the {count(n, 'local area')} whose"
                f" {verb(n, 'LSCB has', 'LSCBs have')} not submitted a serious incident"
                f" notification in the last twelve months {verb(n, 'has', 'have')} had no cause"
                " to do so."
            )
        )
    return paras
