"""Request bodies of the demo's steps, made up from a seeded random source (never a child's name:
the case is known by its reference). Ids that exist only once the services answer (the
notification a decision is about, the SCR a report completes) are added by the loader."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from shared.events.vocab import (
    AbuseOrNeglect,
    Agency,
    NonInitiationReason,
    NonPublicationProposal,
    NonPublicationReason,
    QualityFeature,
    QualityProblem,
    Sex,
)

# Codes of GET /v1/alternative-review-types the boards cite most (para 18: over twenty types).
REVIEW_TYPES = (
    "single_agency_review",
    "multi_agency_case_review",
    "multi_agency_case_audit",
    "learning_lessons_review",
    "partnership_learning_review",
    "significant_incident_learning_process",
    "systems_learning_review",
    "internal_management_review",
    "domestic_homicide_review",
    "child_death_review",
    "thematic_review",
)
OTHER_REVIEW_TYPES = ("Local case review", "Serious incident review panel")
THEMES = (
    "neglect",
    "voice of the child",
    "information sharing",
    "domestic abuse",
    "parental mental health",
    "substance misuse",
    "non-accidental head injury",
    "adolescent risk",
    "escalation",
)
ADDRESSEES = (
    ("Director of Children's Services, the local authority", "named_post", "childrens_services"),
    (
        "The Designated Nurse for Safeguarding, the clinical commissioning group",
        "named_post",
        "health",
    ),
    (
        "The Detective Chief Superintendent, Public Protection, the police force",
        "named_post",
        "police",
    ),
    ("The Head Teachers' Forum", "organisation", "education"),
    ("The Director of Adult Social Care", "named_post", "adult_services"),
    ("The LSCB's Learning and Improvement Sub-group", "organisation", "other"),
    ("All agencies", "organisation", "other"),  # para 28's complaint: not a named addressee
)
ACTIONS = (
    "audit strategy discussions and report the findings to the board within six months",
    "revise the threshold guidance so that psychological harm is weighed explicitly",
    "train every health visitor in recognising neglect, with attendance reported quarterly",
    "introduce a written escalation protocol and audit its use after one year",
    "make sure that every assessment records the child's own words",
)


def notification(
    rng: random.Random, notified_on: dt.date, became_aware_on: dt.date
) -> dict[str, Any]:
    age = min(17, int(rng.expovariate(1 / 4)))
    died = rng.random() < 0.35
    harm = rng.sample(list(AbuseOrNeglect), k=rng.choice([1, 1, 2]))
    agencies = rng.sample(list(Agency)[:6], k=rng.randint(1, 4))
    sex = rng.choice([Sex.FEMALE, Sex.MALE, Sex.MALE, Sex.NOT_KNOWN])
    what = "died" if died else "was seriously harmed"
    return {
        "incident_date": (became_aware_on - dt.timedelta(days=rng.randint(0, 3))).isoformat(),
        "became_aware_on": became_aware_on.isoformat(),
        "notified_on": notified_on.isoformat(),
        "outcome": "died" if died else "seriously_harmed",
        "abuse_or_neglect": [h.value for h in harm],
        "age_years": age,
        "sex": sex.value,
        "looked_after": rng.random() < 0.1,
        "on_child_protection_plan": rng.random() < 0.25,
        "agencies_involved": [a.value for a in agencies],
        "summary": f"A child aged {age} {what}; "
        + " and ".join(h.value.replace("_", " ") for h in harm)
        + " known or suspected. Agencies involved: "
        + ", ".join(a.value.replace("_", " ") for a in agencies)
        + ".",
    }


def initiate(rng: random.Random, decided_on: dt.date) -> dict[str, Any]:
    body: dict[str, Any] = {"decision": "initiate", "decided_on": decided_on.isoformat()}
    if rng.random() < 0.6:
        body["reviewers"] = rng.sample(
            ["An Independent Reviewer", "A Lead Reviewer", "A Second Reviewer"],
            k=rng.randint(1, 2),
        )
    return body


def not_initiate(rng: random.Random, decided_on: dt.date) -> dict[str, Any]:
    # Para 18 lists the reasons the panel sees most, "serious harm" first.
    weights = {
        NonInitiationReason.HARM_NOT_SERIOUS: 5,
        NonInitiationReason.PHYSICAL_INJURY_RECOVERED: 2,
        NonInitiationReason.NOT_CAUSED_BY_ABUSE_OR_NEGLECT: 2,
        NonInitiationReason.NO_INTER_AGENCY_CONCERN: 3,
        NonInitiationReason.OTHER_REVIEW_PREFERRED: 3,
        NonInitiationReason.OTHER: 1,
    }
    reasons = [rng.choices(list(weights), list(weights.values()))[0]]
    if rng.random() < 0.3:
        others = [r for r in weights if r not in reasons]
        reasons.append(rng.choices(others, [weights[r] for r in others])[0])
    body: dict[str, Any] = {
        "decision": "not_initiate",
        "decided_on": decided_on.isoformat(),
        "reasons": [r.value for r in reasons],
        "rationale": "The board judged that the criteria for an SCR were not met: "
        + "; ".join(r.value.replace("_", " ") for r in reasons)
        + ".",
    }
    if NonInitiationReason.OTHER in reasons:
        body["other_reason"] = "A review of the same family is already under way."
    if NonInitiationReason.OTHER_REVIEW_PREFERRED in reasons:
        if rng.random() < 0.1:
            body["alternative_review_type"] = "other"
            body["other_review_type"] = rng.choice(OTHER_REVIEW_TYPES)
        else:
            body["alternative_review_type"] = rng.choice(REVIEW_TYPES)
    return body


def consideration(
    outcome: str, considered_on: dt.date, breach: bool, due_on: dt.date | None
) -> dict[str, Any]:
    body: dict[str, Any] = {"outcome": outcome, "considered_on": considered_on.isoformat()}
    if outcome == "challenge":
        body["rationale"] = "The panel considers that the SCR criteria are met."
    elif outcome == "refer_back":
        body["rationale"] = "The information is not clear or detailed enough to decide."
    if due_on is not None:
        body["response_due_on"] = due_on.isoformat()
    if breach:
        body["statutory_breach"] = True
    return body


def response(action: str, responded_on: dt.date) -> dict[str, Any]:
    body: dict[str, Any] = {"action": action, "responded_on": responded_on.isoformat()}
    if action == "provide_information":
        body["information"] = "The chronology, the agencies' accounts and the board's minutes."
    return body


def recommendations(rng: random.Random, made_on: dt.date, how_many: int) -> list[dict[str, Any]]:
    items = []
    for addressee, kind, sector in rng.sample(ADDRESSEES, k=how_many):
        item: dict[str, Any] = {
            "text": f"{addressee} should {rng.choice(ACTIONS)}.",
            "addressee": addressee,
            "addressee_kind": kind,
            "level": "national" if rng.random() < 0.1 else "local",
            "sector": sector,
        }
        if rng.random() < 0.7:
            item["due_on"] = (made_on + dt.timedelta(days=rng.choice([90, 180, 270]))).isoformat()
        items.append(item)
    return items


def report(
    rng: random.Random, label: str, submitted_on: dt.date, notice_days: int
) -> dict[str, Any]:
    themes = rng.sample(THEMES, k=rng.randint(1, 3))
    analysis = rng.random() < 0.6
    lines = [
        f"Child {label} was known to children's social care, health and the school.",
        "12.03.2012 Health visitor visit. 19.03.2012 School nurse referral.",
    ]
    if analysis:
        lines += [
            "Agencies did not share what they knew because no one owned the whole picture.",
            f"The child's voice was not heard: Child {label} told a teacher they were hungry.",
        ]
    else:
        lines += ["03.04.2012 Strategy meeting held. 10.04.2012 Case closed."]
    return {
        "submitted_on": submitted_on.isoformat(),
        "planned_publication_on": (submitted_on + dt.timedelta(days=notice_days)).isoformat(),
        "title": f"Serious Case Review: Child {label}",
        "text": "\n".join(lines),
        "recommendations": recommendations(rng, submitted_on, rng.randint(2, 5)),
        "learning_points": [f"Learning about {t}." for t in themes],
        "themes": themes,
    }


def notice(rng: random.Random, notified_on: dt.date) -> dict[str, Any]:
    proposal = rng.choice(list(NonPublicationProposal))
    body: dict[str, Any] = {
        "notified_on": notified_on.isoformat(),
        "reasons": [rng.choice(list(NonPublicationReason)[:3]).value],
        "proposal": proposal.value,
        "rationale": "Publication now could harm the child's siblings or prejudice a trial.",
    }
    if proposal is NonPublicationProposal.DELAY:
        body["delay_until_event"] = "the end of the criminal trial"
    elif proposal is NonPublicationProposal.ANONYMISED_SUMMARY:
        body["anonymised_summary"] = "An anonymised account of what went wrong, and why."
    elif proposal is NonPublicationProposal.RECOMMENDATIONS_ONLY:
        body["recommendations"] = recommendations(rng, notified_on, 2)
    return body


def notice_consideration(outcome: str, considered_on: dt.date) -> dict[str, Any]:
    body: dict[str, Any] = {"outcome": outcome, "considered_on": considered_on.isoformat()}
    if outcome == "challenge":
        body["rationale"] = "The panel sees no reason why publication could harm the family."
    return body


def notice_response(action: str, responded_on: dt.date, url: str) -> dict[str, Any]:
    body: dict[str, Any] = {"action": action, "responded_on": responded_on.isoformat()}
    if action == "publish":
        body["url"] = url
    else:
        body["information"] = "The family's circumstances have not changed."
    return body


def quality_review(rng: random.Random, reviewed_on: dt.date, under_2013: bool) -> dict[str, Any]:
    # Para 25: some improvement in reports commissioned under Working Together 2013.
    weights = [1, 2, 3, 2] if under_2013 else [2, 3, 2, 1]
    scores = {
        f.value: {
            "score": rng.choices([1, 2, 3, 4], weights)[0],
            "comment": f"On {f.value.replace('_', ' ')}.",
        }
        for f in QualityFeature
    }
    share = 0.3 if under_2013 else 0.5
    problems = [p.value for p in QualityProblem if rng.random() < share]
    return {"reviewed_on": reviewed_on.isoformat(), "scores": scores, "problems": problems}


def recommendation_update(status: str, changed_on: dt.date) -> dict[str, Any]:
    words = {
        "accepted": "The board accepted the recommendation and named a lead.",
        "in_progress": "An action plan is under way; half of the actions are done.",
        "implemented": "Every action is done and an audit has checked the effect.",
        "not_accepted": "The board judged the action disproportionate to the risk.",
    }
    return {
        "status": status,
        "changed_on": changed_on.isoformat(),
        "action_taken": words[status],
        "by_whom": "The LSCB's Learning and Improvement Sub-group",
        "evidence": "Minutes of the board meeting and the audit report.",
    }
