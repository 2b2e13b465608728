"""Automatic pre-screen of a final SCR report's text (para 27 of the panel's annual report).

On receipt of a final report the publication service measures a few things a panel reviewer
would otherwise have to count by hand: acronym and jargon density, readability (Flesch reading
ease), how much of the report is bare chronology rather than explanation, whether the child's
perspective is mentioned, and whether each recommendation names a specific addressee and a
checkable action.

These are SIGNALS FOR A REVIEWER, NOT VERDICTS. Every measure is a crude, deterministic text
heuristic: it cannot tell good analysis from bad, and a report can trip a signal for a good
reason. The reviewer decides; the pre-screen only points at where to look.

Everything here is pure (no I/O, standard library plus pydantic) and linear in the length of the
text, so it is safe on any Unicode input. docs/prescreen.md gives every formula, word list and
threshold.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

# --- Thresholds for the signals (a value past one of them adds a line to `signals`) ---

#: Acronyms (outside the glossary) per 1,000 words above which the density is signalled.
ACRONYM_DENSITY_THRESHOLD = 10.0
#: Jargon phrases per 1,000 words above which the density is signalled.
JARGON_DENSITY_THRESHOLD = 5.0
#: Flesch reading ease below which the text is signalled (below 30 reads as "very difficult").
FLESCH_THRESHOLD = 30.0
#: Percentage of sentences that are bare chronology above which that is signalled.
CHRONOLOGY_SHARE_THRESHOLD = 40.0
#: Percentage of sentences with an explanatory marker below which that is signalled.
EXPLANATORY_SHARE_THRESHOLD = 10.0
#: How many distinct acronyms (and jargon phrases) the `*_top` lists hold.
TOP_N = 10

# --- Word lists ---

#: Acronyms a general reader knows: they are not counted as acronyms at all. (Not "PM" or "MP":
#: in these reports they usually mean post-mortem and missing person.)
ACRONYM_GLOSSARY: frozenset[str] = frozenset(
    {
        "A&E",
        "BBC",
        "CCTV",
        "DfE",
        "DNA",
        "EU",
        "GP",
        "HIV",
        "ID",
        "LSCB",
        "NHS",
        "NSPCC",
        "OK",
        "SCR",
        "TV",
        "UK",
        "USA",
    }
)

#: Professional jargon: label (as reported in `jargon_top`) -> regular expression, matched
#: case-insensitively on whole words, a space also matching a hyphen. Acronyms (TAC, CIN, NFA,
#: MASH ...) are deliberately absent: the acronym measure counts them already.
JARGON_PHRASES: dict[str, str] = {
    "multi-agency": r"multi[\s-]?agency",
    "strategy discussion": r"strategy[\s-]+(?:discussion|meeting)s?",
    "section 47": r"(?:section[\s-]+|s\.?[\s-]?)47",
    "section 17": r"(?:section[\s-]+|s\.?[\s-]?)17",
    "threshold": r"thresholds?",
    "step down": r"step(?:ped|ping|s)?[\s-]+down",
    "core group": r"core[\s-]+groups?",
    "team around the child": r"team[\s-]+around[\s-]+the[\s-]+(?:child|family)",
    "child in need": r"child(?:ren)?[\s-]+in[\s-]+need",
    "early help": r"early[\s-]+help",
    "lead professional": r"lead[\s-]+professionals?",
    "disguised compliance": r"disguised[\s-]+compliance",
    "no further action": r"no[\s-]+further[\s-]+action",
    "signposting": r"signpost(?:s|ed|ing)?",
    "universal services": r"universal[\s-]+services?",
    "front door": r"front[\s-]+door",
    "tier": r"tier[\s-]+[1-4]",
    "think family": r"think[\s-]+family",
    "information sharing": r"information[\s-]+sharing",
    "toxic trio": r"toxic[\s-]+trio",
    "hard to reach": r"hard[\s-]+to[\s-]+reach",
    "assessment type": r"(?:initial|core|single|child[\s-]+and[\s-]+family)[\s-]+assessments?",
    "de-escalation": r"de[\s-]?escalat(?:e|ed|es|ing|ion)",
    "pre-birth": r"pre[\s-]?birth",
    "public law outline": r"public[\s-]+law[\s-]+outline",
}

#: Base forms of the action verbs a recommendation is expected to use; every inflection
#: (ensures, ensured, ensuring ...) counts, whatever its part of speech in the sentence.
ACTION_VERBS: frozenset[str] = frozenset(
    {
        "adopt",
        "agree",
        "amend",
        "appoint",
        "audit",
        "commission",
        "complete",
        "create",
        "deliver",
        "develop",
        "ensure",
        "establish",
        "evaluate",
        "implement",
        "introduce",
        "issue",
        "monitor",
        "produce",
        "provide",
        "publish",
        "report",
        "review",
        "revise",
        "train",
        "update",
    }
)

#: An addressee equal to one of these (after normalising, see `names_addressee`) is a catch-all,
#: not a specific individual or organisation.
VAGUE_ADDRESSEES: frozenset[str] = frozenset(
    {
        "agencies",
        "agencies concerned",
        "all",
        "all concerned",
        "bodies",
        "everybody",
        "everyone",
        "n/a",
        "na",
        "none",
        "organisations",
        "organizations",
        "partners",
        "partnership",
        "practitioners",
        "professionals",
        "services",
        "staff",
        "stakeholders",
        "tbc",
        "tbd",
        "unknown",
        "various",
    }
)
#: Leading words dropped from an addressee of two or more words before the comparison, so that
#: "all relevant partner agencies" or "the LSCB partners" come down to a vague noun.
ADDRESSEE_QUALIFIERS: frozenset[str] = frozenset(
    {
        "all",
        "any",
        "key",
        "local",
        "lscb",
        "member",
        "multi-agency",
        "other",
        "partner",
        "relevant",
        "safeguarding",
        "statutory",
        "the",
    }
)

# --- Regular expressions (compiled once: the pre-screen runs on every report received) ---

# Apostrophe look-alikes are folded to "'" so one pattern covers straight and curly ones.
_APOSTROPHES = str.maketrans(dict.fromkeys("\u2019\u2018\u02bc\u2032`\u00b4", "'"))

# A word: a run of letters and digits (any script). Runs joined by an apostrophe, hyphen,
# ampersand or slash, or by ".", ":" or "," between two digits, are one word, so that
# "child's", "multi-agency", "A&E", "12/03/2012", "10:30" and "1,000" each count once.
_WORD_RE = re.compile(r"[^\W_]+(?:(?:['&/-]|(?<=\d)[.:,](?=\d))[^\W_]+)*")

# End of a sentence: ".", "!", "?" or "…" (possibly repeated and followed by closing quotes or
# brackets) before white space or the end of the line. Not after "e.g.", "i.e.", "Mr." ...
_SENTENCE_END_RE = re.compile(
    # The lookahead first: the lookbehinds are then only tried where a terminator stands.
    r"(?=[.!?\u2026])"
    r"(?<!\be\.g)(?<!\bi\.e)(?<!\bE\.g)(?<!\bI\.e)(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)"
    r"[.!?\u2026]+[\"')\]\u201d]*(?=\s|$)"
)


def _word_start_alternatives(patterns: Iterable[str]) -> str:
    """One pattern for any of `patterns` at the start of a word. The shared word boundary is
    tested once per position rather than once per alternative, which keeps a 1 MB scan fast."""
    return r"\b(?:" + "|".join(patterns) + ")"


# Syllable counting works on lower-case ASCII letters (accents stripped first).
_VOWEL_GROUP_RE = re.compile(r"[aeiouy]+")
_LETTER_RUN_RE = re.compile(r"[^\W\d_]+")

# Acronym shape: starts with a capital, ends with a capital or digit, only ASCII letters, digits
# and "&" (so "CSC", "CAMHS", "A&E", "DfE", "MoJ"); at least two capitals are checked apart.
_ACRONYM_SHAPE_RE = re.compile(r"[A-Z][A-Za-z0-9&]*[A-Z0-9]")
# Roman numerals ("Part II", "Appendix IV") are not acronyms.
_ROMAN_RE = re.compile(r"[IVX]+")

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
)
# With the abbreviations, which need a day or a year next to them anyway.
_MONTH_ANY = rf"(?:{_MONTH}|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?)"
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_YEAR = r"(?:19|20)\d{2}"
_ORDINAL = r"\d{1,2}(?:st|nd|rd|th)?"
_NUMBER_WORD = r"(?:\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_TIME_UNIT = r"(?:minutes?|hours?|days?|weeks?|fortnights?|months?|years?)"
_PART_OF_DAY = r"(?:morning|afternoon|evening|night)"

# Speed: Python's regex engine is several times slower with IGNORECASE, scoped (?i:...) flags or
# named groups in a large alternation. So the phrase patterns below are written in lower case
# and run on lower-cased text, and only what must stay case-sensitive (month and weekday names)
# runs on the text as written.


def _capitalisable(*words: str) -> str:
    """`words` in lower case or with a capital initial ("in" or "In"), as one group."""
    return "(?:" + "|".join(f"[{w[0]}{w[0].upper()}]{w[1:]}" for w in words) + ")"


# A date or time with a month or weekday name, or in figures; on the text as written. Month
# and weekday names must be capitalised (so "she may" is not a date) and, because "April",
# "June" and "May" are also first names, a month must come with a day, a year or a preposition.
_DATE_RE = re.compile(
    _word_start_alternatives(
        [
            rf"{_ORDINAL}(?:\s+of)?\s+{_MONTH_ANY}",  # 3 March, 3rd of Sept
            rf"{_MONTH_ANY},?\s+(?:{_ORDINAL}|{_YEAR})\b",  # March 3, March 2012
            _capitalisable("in", "on", "during", "by", "from", "until", "till", "since")
            + rf"[\s-]+{_MONTH}\b",  # in May
            _capitalisable("early", "late", "mid", "end of", "beginning of", "start of")
            + rf"[\s-]+{_MONTH}\b",  # early May
            rf"{_WEEKDAY}s?\b",  # on Monday
            r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b",  # 12/03/2012, 12.03.12
            rf"{_YEAR}-\d{{2}}-\d{{2}}\b",  # 2012-03-12
            rf"\d{{1,2}}/{_YEAR}\b",  # 03/2012
            r"\d{1,2}:\d{2}\b",  # 10:30
        ]
    )
)
# Other date and time expressions, in lower case; run on the lower-cased text.
_RELATIVE_TIME_RE = re.compile(
    _word_start_alternatives(
        [
            r"(?:in|during|by|from|until|till|since|early|late|mid|throughout|before|after)"
            rf"[\s-]+{_YEAR}\b",  # in 2012
            rf"(?:spring|summer|autumn|winter)\s+(?:of\s+)?{_YEAR}\b",  # summer 2012
            r"\d{1,2}(?:[.:]\d{2})?\s?(?:am\b|pm\b|a\.m\.|p\.m\.)",  # 3pm, 3.30 p.m.
            r"\d{4}\s?hrs\b",  # 1430hrs
            rf"(?:{_NUMBER_WORD}|a\s+few|few|several|some)\s+{_TIME_UNIT}\s+"
            r"(?:later|earlier|afterwards|before|after|previously)\b",  # two days later
            r"(?:the\s+)?(?:following|next|same|previous)\s+"
            rf"(?:day|week|weekend|month|year|{_PART_OF_DAY})\b",  # the following day
            rf"later\s+(?:that|the\s+same)\s+(?:day|week|month|{_PART_OF_DAY})\b",
            rf"that\s+{_PART_OF_DAY}\b",  # that evening
        ]
    )
)

# Words that show a sentence stops to ask why (cause, reason, consequence, purpose).
_EXPLANATORY_RE = re.compile(
    r"\b(?:because|why|led\s+to|leads?\s+to|leading\s+to|result(?:s|ed|ing)?\s+in|"
    r"as\s+a\s+(?:result|consequence)|due\s+to|owing\s+to|therefore|consequently|hence|thus|"
    r"so\s+that|in\s+order\s+to|caused|causing|the\s+reasons?|reasons?\s+(?:for|why)|"
    r"which\s+meant|this\s+meant|meant\s+that|contributed\s+to|explains?|explained|"
    r"explanation)\b"
)

_CHILD = r"(?:child(?:\s+[a-z])?|baby|infant|young\s+person|children|young\s+people)"
_ASPECT = (
    r"(?:lived\s+experiences?|voices?|views?|perspectives?|experiences?|wishes|feelings|"
    r"daily\s+life|day[\s-]to[\s-]day\s+life|point\s+of\s+view)"
)
# Phrases that show the report looks at the child's own perspective.
_CHILD_PERSPECTIVE_RE = re.compile(
    _word_start_alternatives(
        [
            rf"{_CHILD}'s?\s+(?:own\s+)?{_ASPECT}",  # the child's voice, Child A's wishes
            rf"{_ASPECT}\s+of\s+(?:the\s+|this\s+)?{_CHILD}\b",  # the voice of the child
            r"lived\s+experiences?\b",
            r"wishes\s+and\s+feelings\b",
            r"(?:his|her|their)\s+(?:own\s+)?wishes\b",
            r"what\s+(?:it|life)\s+(?:was|is|must\s+have\s+been)\s+like\s+for\b",
            r"(?:daily|day[\s-]to[\s-]day)\s+life\s+of\b",
            r"through\s+(?:the|his|her|their)\s+eyes\b",
            r"(?:seen|spoken\s+to)\s+(?:alone|on\s+(?:his|her|their)\s+own)\b",
        ]
    )
)

# All jargon phrases in one alternation (longest pattern first), so one pass over the text finds
# them; each distinct match is then given its label by the phrase's own pattern.
_JARGON_PATTERNS = {
    label: re.compile(pattern)
    for label, pattern in sorted(JARGON_PHRASES.items(), key=lambda item: -len(item[1]))
}
_JARGON_RE = re.compile(
    _word_start_alternatives(f"{p.pattern}\\b" for p in _JARGON_PATTERNS.values())
)

# Measurable elements of a recommendation.
_TIME_FRAME_RE = re.compile(
    _word_start_alternatives(
        [
            rf"(?i:within\s+(?:the\s+next\s+)?(?:{_NUMBER_WORD}|eighteen|twenty[\s-]four)\s+"
            r"(?:working\s+)?(?:days?|weeks?|months?|years?))\b",  # within 6 months
            r"(?i:by|before|no\s+later\s+than)\s+(?i:the\s+)?(?i:end\s+of\s+)?(?:"
            rf"(?:{_ORDINAL}\s+)?{_MONTH}(?:\s+{_YEAR})?|{_YEAR}|"
            r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|Q[1-4]|"
            r"(?i:(?:this|next|the)\s+(?:financial\s+|calendar\s+|academic\s+)?(?:year|quarter|"
            r"month|term))|(?i:spring|summer|autumn|winter))\b",  # by 31 March 2015
            r"(?i:annually|quarterly|monthly|yearly|bi-?annually|six[\s-]monthly|termly|"
            r"weekly)\b",
            r"(?i:(?:every|each)\s+(?:\d+\s+|two\s+|three\s+|six\s+|twelve\s+)?"
            r"(?:days?|weeks?|months?|quarters?|years?|terms?))\b",  # every quarter
            r"(?i:per\s+(?:year|annum|quarter|month))\b",
        ]
    )
)
# Numbers that are not measures: legal and document references and years (dates and times are
# removed separately with _DATE_RE and _RELATIVE_TIME_RE).
_REFERENCE_NUMBER_RE = re.compile(
    r"\b(?:section|s|para|paragraph|article|regulation|chapter|part|schedule|page|tier|level|"
    r"recommendation|no|number|stage|step|phase)\.?\s*\d+[a-z]?\b|"
    rf"\b{_YEAR}\b",
    re.IGNORECASE,
)
_NUMBER_RE = re.compile(r"\d")
_PERCENT_RE = re.compile(r"%|\bper\s?cent\b", re.IGNORECASE)
_CHECKABLE_OUTPUT_RE = re.compile(
    r"\b(?:audit(?:s|ed|ing)?|publish(?:es|ed|ing)?|publication|reports?\s+(?:back\s+)?to|"
    r"action\s+plans?)\b",
    re.IGNORECASE,
)


# --- Output ---


class RecommendationSignal(BaseModel):
    """What the pre-screen found in one recommendation."""

    model_config = ConfigDict(frozen=True)

    index: int = Field(description="Position of the recommendation as submitted, from 0.")
    names_addressee: bool = Field(
        description="The addressee is not empty and not a catch-all such as 'all agencies'."
    )
    has_action_verb: bool = Field(
        description="The text uses an action verb of the documented list (ensure, review ...)."
    )
    has_measurable_element: bool = Field(
        description="The text has a time frame, a number or percentage, or a checkable output "
        "(audit, publish, report to, action plan)."
    )
    measurable_action: bool = Field(
        description="has_action_verb and has_measurable_element: the action can be checked."
    )


class Prescreen(BaseModel):
    """Automatic pre-screen of a final report's text: signals for a reviewer, not verdicts.

    Formulas, word lists and thresholds: docs/prescreen.md.
    """

    model_config = ConfigDict(frozen=True)

    word_count: int = Field(description="Words in the text (runs of letters and digits).")
    sentence_count: int = Field(description="Sentences (or lines) with at least one word.")
    syllable_count: int = Field(description="Estimated syllables (vowel-group heuristic).")
    flesch_reading_ease: float | None = Field(
        description="206.835 - 1.015 x words/sentences - 84.6 x syllables/words, one decimal; "
        "higher is easier, below 30 is very difficult. Null when the text has no words."
    )
    acronym_count: int = Field(
        description="Acronyms outside the glossary, each occurrence counted (headings excluded)."
    )
    acronyms_per_1000_words: float = Field(
        description="acronym_count / word_count x 1000, one decimal; 0 when there are no words."
    )
    acronyms_top: list[str] = Field(
        description="Up to 10 distinct acronyms, most frequent first, ties alphabetical."
    )
    jargon_count: int = Field(description="Occurrences of the documented jargon phrases.")
    jargon_per_1000_words: float = Field(
        description="jargon_count / word_count x 1000, one decimal; 0 when there are no words."
    )
    jargon_top: list[str] = Field(
        description="Up to 10 distinct jargon phrases found, most frequent first, ties "
        "alphabetical."
    )
    chronology_sentence_count: int = Field(
        description="Sentences with a date or time expression and no explanatory marker."
    )
    explanatory_sentence_count: int = Field(
        description="Sentences with an explanatory marker (because, why, led to, due to ...)."
    )
    chronology_sentence_share: float = Field(
        description="Percentage (0-100, one decimal) of sentences that are bare chronology."
    )
    explanatory_sentence_share: float = Field(
        description="Percentage (0-100, one decimal) of sentences with an explanatory marker."
    )
    child_perspective: bool = Field(
        description="At least one phrase about the child's own perspective was found."
    )
    child_perspective_mentions: int = Field(
        description="Occurrences of phrases such as 'voice of the child', 'lived experience'."
    )
    recommendations: list[RecommendationSignal] = Field(
        description="One entry per recommendation, in the order submitted."
    )
    signals: list[str] = Field(
        description="Short notes for the reviewer where a measure passes its threshold."
    )


# --- Measures ---


def normalise(text: str) -> str:
    """NFKC (full-width letters, ligatures) and one kind of apostrophe, so that the patterns
    need only one spelling of each phrase."""
    return unicodedata.normalize("NFKC", text).translate(_APOSTROPHES)


def split_sentences(text: str) -> list[str]:
    """Sentences of `text`, those without a word dropped.

    A line break always ends a sentence: chronologies are often laid out one dated entry per
    line without a full stop, and each entry is then one sentence.
    """
    sentences: list[str] = []
    for line in text.splitlines():
        start = 0
        for end in _SENTENCE_END_RE.finditer(line):
            sentences.append(line[start : end.end()])
            start = end.end()
        sentences.append(line[start:])
    return [s for s in sentences if _WORD_RE.search(s)]


def words(text: str) -> list[str]:
    return _WORD_RE.findall(text)


def count_syllables(word: str) -> int:
    """Estimated syllables of one word.

    Accents are stripped and apostrophes dropped; each run of letters of the word (a
    hyphenated word has several) counts its groups of vowels (a, e, i, o, u, y), less a silent
    final "e" (one standing alone after a consonant, not in consonant + "le", and not the only
    group), with at least 1 per run; a word counts at least 1 (so does a number).
    """
    if len(word) <= _CACHED_WORD_LENGTH:
        return _cached_syllables(word)
    return _syllables(word)


def _syllables(word: str) -> int:
    ascii_word = unicodedata.normalize("NFKD", word.lower()).encode("ascii", "ignore").decode()
    total = sum(_run_syllables(run) for run in _LETTER_RUN_RE.findall(ascii_word.replace("'", "")))
    return max(1, total)


# A report reuses a small vocabulary, so words are cached; but only short ones, so that odd
# input (one word of a megabyte) cannot pile up in memory across reports.
_CACHED_WORD_LENGTH = 40
_cached_syllables = functools.lru_cache(maxsize=65_536)(_syllables)


def _run_syllables(run: str) -> int:
    groups = len(_VOWEL_GROUP_RE.findall(run))
    silent_e = (
        groups > 1
        and run.endswith("e")
        and run[-2] not in "aeiouy"
        and not (run.endswith("le") and len(run) > 2 and run[-3] not in "aeiouy")
    )
    return max(1, groups - silent_e)


def flesch_reading_ease(word_count: int, sentence_count: int, syllables: int) -> float | None:
    """Flesch reading ease, one decimal; None without words (the formula is undefined)."""
    if word_count == 0 or sentence_count == 0:
        return None
    score = 206.835 - 1.015 * (word_count / sentence_count) - 84.6 * (syllables / word_count)
    return round(score, 1)


def acronyms_in(sentence_words: Iterable[str]) -> list[str]:
    """The acronyms among the words of one sentence, glossary excluded, each occurrence kept.

    A possessive "'s" and a plural lower-case "s" are dropped ("GPs" and "GP's" are "GP"); a
    word joined by "-", "/" or "'" is looked at part by part ("CSC/MASH" has two).
    """
    found: list[str] = []
    for word in sentence_words:
        if word[1:].islower():
            continue  # fast path: at most one capital, at the start ("The", "report")
        for part in re.split(r"[-/']", word):
            token = part[:-1] if part.endswith("s") else part
            if (
                _ACRONYM_SHAPE_RE.fullmatch(token)
                and sum(c.isupper() for c in token) >= 2
                and token not in ACRONYM_GLOSSARY
                and not _ROMAN_RE.fullmatch(token)
            ):
                found.append(token)
    return found


def is_heading(sentence: str) -> bool:
    """A line without a lower-case letter ("EXECUTIVE SUMMARY") is a heading: its capitals are
    typography, not acronyms."""
    return not any(c.islower() for c in sentence)


def is_explanatory(sentence: str) -> bool:
    return _EXPLANATORY_RE.search(sentence.lower()) is not None


def has_date_or_time(sentence: str) -> bool:
    return bool(_DATE_RE.search(sentence) or _RELATIVE_TIME_RE.search(sentence.lower()))


def is_chronology(sentence: str) -> bool:
    """Bare chronology: a date or time expression (anywhere, so also at the start) and no
    explanatory marker. A dated sentence that explains is analysis, so it is not counted."""
    return has_date_or_time(sentence) and not is_explanatory(sentence)


def child_perspective_mentions(text: str) -> int:
    """Occurrences (not overlapping) of the child-perspective phrases in normalised text."""
    return sum(1 for _ in _CHILD_PERSPECTIVE_RE.finditer(text.lower()))


def jargon_counts(text: str) -> Counter[str]:
    """Occurrences of each jargon phrase, by its label, in normalised text."""
    matched = Counter(m.group() for m in _JARGON_RE.finditer(text.lower()))
    counts: Counter[str] = Counter()
    for phrase, n in matched.items():
        label = next(k for k, p in _JARGON_PATTERNS.items() if p.fullmatch(phrase))
        counts[label] += n
    return counts


def names_addressee(addressee: str) -> bool:
    """The addressee is specific: not empty and not a catch-all.

    Normalised (lower case, single spaces, surrounding punctuation removed), an addressee of
    two or more words loses its leading qualifiers ("the", "all", "relevant", "partner" ...);
    what is left must not be a vague noun ("agencies", "partners", "professionals" ...). "The
    LSCB" stays specific; "the LSCB partners" comes down to "partners".
    """
    cleaned = " ".join(normalise(addressee).lower().split()).strip(" .,;:!?-()[]\"'")
    parts = cleaned.split()
    while len(parts) > 1 and parts[0] in ADDRESSEE_QUALIFIERS:
        parts.pop(0)
    remainder = " ".join(parts)
    return bool(remainder) and remainder not in VAGUE_ADDRESSEES


def _verb_forms(base: str) -> set[str]:
    if base.endswith("ee"):
        return {base, base + "s", base + "d", base + "ing"}
    if base.endswith("e"):
        return {base, base + "s", base + "d", base[:-1] + "ing"}
    plural = "es" if base.endswith(("sh", "ch", "s", "x")) else "s"
    return {base, base + plural, base + "ed", base + "ing"}


_ACTION_VERB_FORMS: frozenset[str] = frozenset(
    form for base in ACTION_VERBS for form in _verb_forms(base)
)


def has_action_verb(text: str) -> bool:
    return any(w.lower() in _ACTION_VERB_FORMS for w in words(text))


def has_measurable_element(text: str) -> bool:
    """A time frame, a number or percentage, or a checkable output.

    Numbers that are dates, times, years or references ("section 47", "para 27") are not
    measures and are removed before looking for a digit.
    """
    if _TIME_FRAME_RE.search(text) or _PERCENT_RE.search(text):
        return True
    if _CHECKABLE_OUTPUT_RE.search(text):
        return True
    without_dates = _RELATIVE_TIME_RE.sub(" ", _DATE_RE.sub(" ", text).lower())
    without_references = _REFERENCE_NUMBER_RE.sub(" ", without_dates)
    return _NUMBER_RE.search(without_references) is not None


def screen_recommendation(index: int, text: str, addressee: str) -> RecommendationSignal:
    text = normalise(text)
    action = has_action_verb(text)
    measurable = has_measurable_element(text)
    return RecommendationSignal(
        index=index,
        names_addressee=names_addressee(addressee),
        has_action_verb=action,
        has_measurable_element=measurable,
        measurable_action=action and measurable,
    )


def per_1000(count: int, word_count: int) -> float:
    return round(count * 1000 / word_count, 1) if word_count else 0.0


def percent(count: int, total: int) -> float:
    return round(count * 100 / total, 1) if total else 0.0


def top(counts: Counter[str]) -> list[str]:
    """Most frequent first, ties alphabetical, at most TOP_N."""
    return [key for key, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_N]]


@dataclass
class _TextTally:
    """Counts gathered in one pass over the sentences."""

    word_count: int = 0
    syllable_count: int = 0
    chronology: int = 0
    explanatory: int = 0
    acronyms: Counter[str] = field(default_factory=Counter)


def _tally(sentences: Sequence[str]) -> _TextTally:
    tally = _TextTally()
    for sentence in sentences:
        sentence_words = words(sentence)
        tally.word_count += len(sentence_words)
        tally.syllable_count += sum(count_syllables(w) for w in sentence_words)
        if not is_heading(sentence):
            tally.acronyms.update(acronyms_in(sentence_words))
        # The same test as is_chronology, without searching for explanatory markers twice.
        if is_explanatory(sentence):
            tally.explanatory += 1
        elif has_date_or_time(sentence):
            tally.chronology += 1
    return tally


# --- Signals ---


def _number(value: float) -> str:
    return f"{value:g}"


def text_signals(p: Prescreen) -> list[str]:
    """Notes on the report text, worded as things to look at, not as findings."""
    if p.word_count == 0:
        return ["no words found in the report text; nothing to measure"]
    notes: list[str] = []
    if p.acronyms_per_1000_words > ACRONYM_DENSITY_THRESHOLD:
        notes.append(
            f"acronym density {p.acronyms_per_1000_words:.1f} per 1,000 words "
            f"(above {_number(ACRONYM_DENSITY_THRESHOLD)}); most frequent: "
            + ", ".join(p.acronyms_top[:5])
        )
    if p.jargon_per_1000_words > JARGON_DENSITY_THRESHOLD:
        notes.append(
            f"jargon density {p.jargon_per_1000_words:.1f} per 1,000 words "
            f"(above {_number(JARGON_DENSITY_THRESHOLD)}); most frequent: "
            + ", ".join(p.jargon_top[:5])
        )
    if p.flesch_reading_ease is not None and p.flesch_reading_ease < FLESCH_THRESHOLD:
        notes.append(
            f"Flesch reading ease {p.flesch_reading_ease:.1f} "
            f"(below {_number(FLESCH_THRESHOLD)}: may be very difficult to read)"
        )
    if p.chronology_sentence_share > CHRONOLOGY_SHARE_THRESHOLD:
        notes.append(
            f"{p.chronology_sentence_share:.1f}% of sentences look like bare chronology "
            f"(above {_number(CHRONOLOGY_SHARE_THRESHOLD)}%)"
        )
    if p.explanatory_sentence_share < EXPLANATORY_SHARE_THRESHOLD:
        notes.append(
            f"only {p.explanatory_sentence_share:.1f}% of sentences have an explanatory marker "
            f"such as 'because' or 'led to' (below {_number(EXPLANATORY_SHARE_THRESHOLD)}%)"
        )
    if not p.child_perspective:
        notes.append("no mention of the child's perspective found")
    return notes


def recommendation_signals(recommendations: Sequence[RecommendationSignal]) -> list[str]:
    """Notes on the recommendations, numbered from 1 as a reader counts them (index + 1)."""
    if not recommendations:
        return ["no recommendations submitted"]
    notes: list[str] = []
    for r in recommendations:
        if not r.names_addressee:
            notes.append(f"recommendation {r.index + 1} names no specific addressee")
        if not r.measurable_action:
            notes.append(
                f"recommendation {r.index + 1}: no action verb with a time frame, number or "
                "checkable output found"
            )
    return notes


# --- Entry point ---


def prescreen(text: str, recommendations: Sequence[tuple[str, str]]) -> Prescreen:
    """Pre-screen a report's text and its recommendations, each `(text, addressee)`."""
    clean = normalise(text)
    sentences = split_sentences(clean)
    tally = _tally(sentences)
    acronyms = tally.acronyms
    jargon = jargon_counts(clean)
    mentions = child_perspective_mentions(clean)
    screened = [
        screen_recommendation(i, rec_text, addressee)
        for i, (rec_text, addressee) in enumerate(recommendations)
    ]
    result = Prescreen(
        word_count=tally.word_count,
        sentence_count=len(sentences),
        syllable_count=tally.syllable_count,
        flesch_reading_ease=flesch_reading_ease(
            tally.word_count, len(sentences), tally.syllable_count
        ),
        acronym_count=acronyms.total(),
        acronyms_per_1000_words=per_1000(acronyms.total(), tally.word_count),
        acronyms_top=top(acronyms),
        jargon_count=jargon.total(),
        jargon_per_1000_words=per_1000(jargon.total(), tally.word_count),
        jargon_top=top(jargon),
        chronology_sentence_count=tally.chronology,
        explanatory_sentence_count=tally.explanatory,
        chronology_sentence_share=percent(tally.chronology, len(sentences)),
        explanatory_sentence_share=percent(tally.explanatory, len(sentences)),
        child_perspective=mentions > 0,
        child_perspective_mentions=mentions,
        recommendations=screened,
        signals=[],
    )
    # The signals read the measures, so they are added to the finished result.
    return result.model_copy(
        update={"signals": text_signals(result) + recommendation_signals(screened)}
    )
