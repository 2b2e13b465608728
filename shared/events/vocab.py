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
