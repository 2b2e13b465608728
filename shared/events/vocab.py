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


# --- publication -----------------------------------------------------------------------------


class RecommendationLevel(StrEnum):
    LOCAL = "local"
    NATIONAL = "national"


class AddresseeKind(StrEnum):
    """Para 28: recommendations "addressed to named people or organisations"."""

    ORGANISATION = "organisation"
    NAMED_POST = "named_post"


class Sector(StrEnum):
    """Who a recommendation is for (para 28: "including adult services where appropriate")."""

    CHILDRENS_SERVICES = "childrens_services"
    HEALTH = "health"
    POLICE = "police"
    EDUCATION = "education"
    ADULT_SERVICES = "adult_services"
    OTHER = "other"


class RecommendationStatus(StrEnum):
    """Where a recommendation's implementation stands (para 29: chairs monitor it)."""

    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    IMPLEMENTED = "implemented"
    NOT_ACCEPTED = "not_accepted"


class NonPublicationReason(StrEnum):
    """Why a board proposes not to publish an SCR report in full (para 22)."""

    CRIMINAL_PROCEEDINGS = "criminal_proceedings"
    WELFARE_OF_CHILD = "welfare_of_child"
    WELFARE_OF_FAMILY = "welfare_of_family"  # siblings or other family members
    OTHER = "other"


class NonPublicationProposal(StrEnum):
    """What the board proposes instead of full publication (para 23)."""

    WITHHOLD = "withhold"
    DELAY = "delay"  # until a date or an event
    ANONYMISED_SUMMARY = "anonymised_summary"
    RECOMMENDATIONS_ONLY = "recommendations_only"


class NonPublicationOutcome(StrEnum):
    """The panel's view of a decision not to publish."""

    ACCEPT = "accept"
    CHALLENGE = "challenge"


class NonPublicationAction(StrEnum):
    """A board's answer to a challenge (or, once accepted, a later publication)."""

    PUBLISH = "publish"
    MAINTAIN = "maintain"


class NonPublicationState(StrEnum):
    """Where a non-publication notice stands (DOMAIN.md §3); the transitions are the table in
    ``services/publication/states.py``."""

    AWAITING_PANEL = "awaiting_panel"
    ACCEPTED = "accepted"
    AWAITING_LSCB = "awaiting_lscb"
    PUBLISHED = "published"


class QualityFeature(StrEnum):
    """The seven features of an effective SCR (para 28), each scored 1 to 4 by a reviewer."""

    CAUSES_AND_PREVENTION = "causes_and_prevention"  # what caused it, how to prevent it
    CONCISE_CRITICAL_POINTS = "concise_critical_points"  # not a lengthy chronology
    ANALYSIS_OF_WHAT_AND_WHY = "analysis_of_what_and_why"  # individual errors, system failures
    CLEAR_ADDRESSED_RECOMMENDATIONS = "clear_addressed_recommendations"  # to named people
    LESSONS_FOR_SERVICES = "lessons_for_services"  # not a blow-by-blow account
    PROPORTIONATE = "proportionate"  # a sliding scale, not a fixed methodology
    FAILINGS_AT_ALL_LEVELS = "failings_at_all_levels"  # and good practice, not only lower levels


class QualityProblem(StrEnum):
    """The key problems the panel sees in reports (para 27), flagged by a reviewer."""

    IRRELEVANT_DETAIL_AND_JARGON = "irrelevant_detail_and_jargon"
    LISTS_WITHOUT_ASKING_WHY = "lists_without_asking_why"
    IGNORES_HUMAN_MOTIVATION = "ignores_human_motivation"
    NOT_CHILD_CENTRED = "not_child_centred"
    UNCLEAR_RECOMMENDATIONS = "unclear_recommendations"


class WorkingTogether(StrEnum):
    """Whether an SCR was initiated before or after Working Together 2013 came into force on
    15 April 2013 (para 25 compares the two)."""

    BEFORE_2013 = "before_working_together_2013"
    UNDER_2013 = "under_working_together_2013"


class AlertType(StrEnum):
    """What the analytics service alerts DfE, Ofsted, the panel and boards to (``alert.raised``):
    a breach of statutory guidance the panel flagged; a board that has notified nothing for twelve
    months; a follow-up the board has not answered by its due date; a final report sent fewer than
    7 days before its publication; an SCR with neither a report nor a notice six months on."""

    STATUTORY_BREACH = "statutory_breach"
    LSCB_SILENT = "lscb_silent"
    FOLLOW_UP_OVERDUE = "follow_up_overdue"
    PUBLICATION_SHORT_NOTICE = "publication_short_notice"
    SCR_OVERDUE = "scr_overdue"
