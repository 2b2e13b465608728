"""Fixed vocabularies that are part of the public contract (HTTP and events)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    LSCB = "lscb"
    PANEL = "panel"
    DFE = "dfe"
    OFSTED = "ofsted"
    ADMIN = "admin"


class Outcome(StrEnum):
    DIED = "died"
    SERIOUSLY_HARMED = "seriously_harmed"


class AbuseOrNeglect(StrEnum):
    """The four categories of abuse and neglect of Working Together 2013."""

    PHYSICAL_ABUSE = "physical_abuse"
    EMOTIONAL_ABUSE = "emotional_abuse"
    SEXUAL_ABUSE = "sexual_abuse"
    NEGLECT = "neglect"


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    NOT_KNOWN = "not_known"


class Agency(StrEnum):
    CHILDRENS_SOCIAL_CARE = "childrens_social_care"
    HEALTH = "health"
    POLICE = "police"
    EDUCATION = "education"
    EARLY_YEARS = "early_years"
    PROBATION = "probation"
    ADULT_SERVICES = "adult_services"
    HOUSING = "housing"
    VOLUNTARY_SECTOR = "voluntary_sector"
    OTHER = "other"


class InitiationDecision(StrEnum):
    """An LSCB's decision on a serious incident (regulation 5 of the LSCB Regulations 2006)."""

    INITIATE = "initiate"
    NOT_INITIATE = "not_initiate"


class NonInitiationReason(StrEnum):
    """Why a board decided not to initiate an SCR: the reasons the panel sees most (para 18)."""

    # "Definition of serious harm": the board judged the harm not serious, often without weighing
    # psychological harm.
    HARM_NOT_SERIOUS = "harm_not_serious"
    # The same heading: the child recovered from the physical injury, whatever its severity.
    PHYSICAL_INJURY_RECOVERED = "physical_injury_recovered"
    # "Point at which harm has occurred": abuse or neglect was not the immediate cause.
    NOT_CAUSED_BY_ABUSE_OR_NEGLECT = "not_caused_by_abuse_or_neglect"
    # "Failure in inter-agency working": no concern about how the agencies worked together.
    NO_INTER_AGENCY_CONCERN = "no_inter_agency_concern"
    # "Type of review": another kind of review, investigation or audit is proposed instead.
    OTHER_REVIEW_PREFERRED = "other_review_preferred"
    OTHER = "other"


class ConsiderationOutcome(StrEnum):
    """The panel's advice on a non-initiation decision."""

    AGREE = "agree"
    CHALLENGE = "challenge"
    REFER_BACK = "refer_back"


class ResponseAction(StrEnum):
    """An LSCB's answer to a challenge or a referral back."""

    INITIATE_SCR = "initiate_scr"
    PROVIDE_INFORMATION = "provide_information"


class CaseState(StrEnum):
    """Where a case stands in the decisions service (DOMAIN.md §3); the transitions between
    these are the table in ``services/decisions/states.py``."""

    AWAITING_INITIATION_DECISION = "awaiting_initiation_decision"
    SCR_INITIATED = "scr_initiated"
    AWAITING_PANEL = "awaiting_panel"
    AWAITING_LSCB = "awaiting_lscb"
    AGREED_WITHOUT_CHALLENGE = "agreed_without_challenge"
    ACCEPTED_AFTER_FURTHER_INFORMATION = "accepted_after_further_information"
    SCR_INITIATED_AFTER_ADVICE = "scr_initiated_after_advice"
