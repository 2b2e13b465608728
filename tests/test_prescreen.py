"""The automatic pre-screen of a report's text (services/publication/prescreen.py).

Every expected figure below was worked out by hand; the working is in the comment next to it.
"""

from __future__ import annotations

import time

import pydantic
import pytest

import services.publication.prescreen as prescreen_module
from services.publication.prescreen import (
    ACRONYM_GLOSSARY,
    JARGON_PHRASES,
    Prescreen,
    acronyms_in,
    child_perspective_mentions,
    count_syllables,
    has_date_or_time,
    is_chronology,
    is_explanatory,
    jargon_counts,
    names_addressee,
    normalise,
    prescreen,
    screen_recommendation,
    split_sentences,
    words,
)

NO_WORDS = "no words found in the report text; nothing to measure"
NO_RECOMMENDATIONS = "no recommendations submitted"
NO_CHILD = "no mention of the child's perspective found"
FEW_WHY = (
    "only 0.0% of sentences have an explanatory marker such as 'because' or 'led to' (below 10%)"
)
# "full width CSC" in full-width forms (U+FF01 to U+FF5E), as pasted from some word processors.
FULL_WIDTH = " ".join("".join(chr(ord(c) + 0xFEE0) for c in w) for w in ["full", "width", "CSC"])
A_RECOMMENDATION = [("Audit all case files by 31 March 2015.", "Children's Social Care")]


# --- Words, sentences, syllables, Flesch ---


def test_words_keep_joined_runs_together() -> None:
    # "child's" (curly apostrophe normalised), "multi-agency", "A&E", "12/03/2012", "10:30" and
    # "1,000" are one word each; "(", ")" and "." are not words: 6 words.
    text = normalise("child\u2019s multi-agency (A&E) 12/03/2012 10:30 1,000.")
    assert words(text) == ["child's", "multi-agency", "A&E", "12/03/2012", "10:30", "1,000"]


def test_sentences_end_at_terminators_and_line_breaks_not_abbreviations() -> None:
    text = 'Dr. Smith saw her, e.g. at home. She left! Why? "Yes." Next\nline two'
    # "Dr." and "e.g." do not end a sentence; the line break does; a closing quote stays with
    # its sentence: 6 sentences.
    assert [s.strip() for s in split_sentences(text)] == [
        "Dr. Smith saw her, e.g. at home.",
        "She left!",
        "Why?",
        '"Yes."',
        "Next",
        "line two",
    ]


def test_sentences_without_words_are_dropped() -> None:
    assert split_sentences("... !!! \n\n - \n 2012.") == [" 2012."]


@pytest.mark.parametrize(
    ("word", "syllables"),
    [
        ("cat", 1),  # one vowel group "a"
        ("made", 1),  # "a", "e" = 2, less the silent final "e" = 1
        ("table", 2),  # "a", "e" = 2; consonant + "le" keeps its "e"
        ("agree", 2),  # "a", "ee" = 2; the final "e" is not alone, so not silent
        ("the", 1),  # "e" = 1; the only group is never removed
        ("were", 1),  # "e", "e" = 2, less silent "e" = 1
        ("strategy", 3),  # "a", "e", "y" = 3
        ("professionals", 4),  # "o", "e", "io", "a" = 4
        ("communicated", 5),  # "o", "u", "i", "a", "e" = 5
        ("information", 4),  # "i", "o", "a", "io" = 4
        ("multi-agency", 5),  # parts: "multi" ("u", "i") 2 + "agency" ("a", "e", "y") 3
        ("child's", 1),  # apostrophe dropped: "childs", "i" = 1
        ("rhythm", 1),  # "y" = 1
        ("GP", 1),  # "gp": no vowel, at least 1
        ("2012", 1),  # a number counts 1
        ("café", 1),  # accent stripped: "cafe" = "a", "e" less silent "e" = 1 (heuristic)
        ("A&E", 2),  # parts "a" 1 + "e" 1
        ("中文", 1),  # no Latin letters: at least 1
    ],
)
def test_syllable_heuristic(word: str, syllables: int) -> None:
    assert count_syllables(word) == syllables


def test_flesch_of_short_words() -> None:
    # 9 words, 2 sentences, 9 syllables (all one-syllable words):
    # 206.835 - 1.015 x 9/2 - 84.6 x 9/9 = 206.835 - 4.5675 - 84.6 = 117.6675 -> 117.7
    result = prescreen("The cat sat on the mat. The dog ran.", A_RECOMMENDATION)
    assert (result.word_count, result.sentence_count, result.syllable_count) == (9, 2, 9)
    assert result.flesch_reading_ease == 117.7


def test_flesch_of_long_words_is_signalled() -> None:
    # 3 words, 1 sentence, 4 + 5 + 4 = 13 syllables (see the syllable table):
    # 206.835 - 1.015 x 3 - 84.6 x 13/3 = 206.835 - 3.045 - 366.6 = -162.81 -> -162.8
    result = prescreen("Professionals communicated information.", A_RECOMMENDATION)
    assert (result.word_count, result.sentence_count, result.syllable_count) == (3, 1, 13)
    assert result.flesch_reading_ease == -162.8
    assert "Flesch reading ease -162.8 (below 30: may be very difficult to read)" in (
        result.signals
    )


def test_text_without_terminator_is_one_sentence() -> None:
    # 3 words, 1 sentence, 3 syllables: 206.835 - 1.015 x 3 - 84.6 x 1 = 119.19 -> 119.2
    result = prescreen("The cat sat", A_RECOMMENDATION)
    assert (result.word_count, result.sentence_count) == (3, 1)
    assert result.flesch_reading_ease == 119.2


# --- Acronyms ---

ACRONYM_TEXT = (
    "The CSC team met CAMHS staff. "  # 6 words; acronyms CSC, CAMHS
    "The GP told CSC and the NHS about the MASH referral in the end."  # 14 words; CSC, MASH
)


def test_acronym_density_excludes_the_glossary_and_counts_repeats() -> None:
    # 20 words; acronyms CSC x2, CAMHS, MASH = 4 (GP and NHS are in the glossary):
    # 4 / 20 x 1000 = 200.0
    result = prescreen(ACRONYM_TEXT, A_RECOMMENDATION)
    assert result.word_count == 20
    assert result.acronym_count == 4
    assert result.acronyms_per_1000_words == 200.0
    # CSC twice, then the ties alphabetical.
    assert result.acronyms_top == ["CSC", "CAMHS", "MASH"]
    assert (
        "acronym density 200.0 per 1,000 words (above 10); most frequent: CSC, CAMHS, MASH"
        in result.signals
    )


def test_headings_in_capitals_are_not_acronyms() -> None:
    # The heading adds 2 words but no acronym: 4 / 22 x 1000 = 181.818... -> 181.8
    result = prescreen("EXECUTIVE SUMMARY\n" + ACRONYM_TEXT, A_RECOMMENDATION)
    assert result.word_count == 22
    assert result.acronym_count == 4
    assert result.acronyms_per_1000_words == 181.8
    assert "EXECUTIVE" not in result.acronyms_top


def test_acronym_plurals_possessives_and_shapes() -> None:
    found = acronyms_in(
        words("GPs GP's LSCBs CSC's HVs CSC/MASH non-CSC A&E DfE MoJ PhD Part II IV S47 iPad NOT")
    )
    # GPs, GP's, LSCBs, A&E and DfE are glossary acronyms; II and IV are Roman numerals; S47 has
    # one capital; iPad does not start with a capital; NOT (emphasis) cannot be told apart.
    assert found == ["CSC", "HV", "CSC", "MASH", "CSC", "MoJ", "PhD", "NOT"]


def test_glossary_holds_the_common_acronyms() -> None:
    assert {"UK", "NHS", "GP", "DfE", "LSCB", "SCR", "TV", "OK", "BBC", "A&E"} <= ACRONYM_GLOSSARY
    assert acronyms_in(words("UK NHS GP DfE LSCB SCR TV OK BBC A&E")) == []


def test_acronyms_top_holds_ten_most_frequent_first_ties_alphabetical() -> None:
    # QM twice, the eleven others once: QM first, then QA..QJ alphabetical (QI is not used);
    # QK and QL are the 11th and 12th and are left out.
    text = "QA QB QC QD QE QF QG QH QJ QK QL QM and QM."
    result = prescreen(text, A_RECOMMENDATION)
    assert result.acronym_count == 13
    assert result.acronyms_top == ["QM", "QA", "QB", "QC", "QD", "QE", "QF", "QG", "QH", "QJ"]


def test_low_acronym_density_is_not_signalled() -> None:
    # 1 acronym in 101 words: 1000 / 101 = 9.9 (not above 10).
    text = "CSC " + "word " * 100
    result = prescreen(text, A_RECOMMENDATION)
    assert result.acronyms_per_1000_words == 9.9
    assert not any(s.startswith("acronym density") for s in result.signals)


# --- Jargon ---


def test_jargon_density() -> None:
    text = (
        "The multi-agency strategy discussion agreed a section 47 enquiry. "  # 9 words
        "The case was stepped down to early help."  # 8 words
    )
    # 17 words; jargon: multi-agency, strategy discussion, section 47, step down, early help = 5
    # 5 / 17 x 1000 = 294.117... -> 294.1
    result = prescreen(text, A_RECOMMENDATION)
    assert result.word_count == 17
    assert result.jargon_count == 5
    assert result.jargon_per_1000_words == 294.1
    assert result.jargon_top == [
        "early help",
        "multi-agency",
        "section 47",
        "step down",
        "strategy discussion",
    ]
    assert any(
        s.startswith("jargon density 294.1 per 1,000 words (above 5)") for s in result.signals
    )


def test_jargon_spelling_variants_and_acronyms_left_to_the_acronym_measure() -> None:
    counts = jargon_counts(
        normalise("Multiagency; multi agency; S47; s.47; Thresholds; Core Group; TAC; TAF; NFA")
    )
    # multi-agency 2, section 47 2, threshold 1, core group 1; TAC, TAF, NFA are acronyms.
    assert counts == {"multi-agency": 2, "section 47": 2, "threshold": 1, "core group": 1}


@pytest.mark.parametrize("label", sorted(JARGON_PHRASES))
def test_every_jargon_label_matches_itself_or_an_example(label: str) -> None:
    examples = {"assessment type": "core assessment", "tier": "tier 2", "section 17": "s17"}
    assert jargon_counts(normalise(examples.get(label, label))) == {label: 1}


# --- Chronology and explanation ---

CHRONOLOGY_TEXT = "\n".join(
    [
        "On 3 March 2012 the health visitor called.",  # date, no marker: chronology
        "In May 2013 the family moved.",  # chronology
        "12/03/2012 GP visit",  # a dated line without a full stop: chronology
        "Two days later the school rang.",  # chronology
        "On Monday she was seen because of a rash.",  # date and "because": explanatory
        "Nobody asked why the visits stopped.",  # "why": explanatory
        "The family was known to services.",  # neither
    ]
)


def test_chronology_and_explanatory_shares() -> None:
    # 7 sentences; 4 bare chronology, 2 explanatory:
    # 4 / 7 = 57.14...% -> 57.1; 2 / 7 = 28.57...% -> 28.6
    result = prescreen(CHRONOLOGY_TEXT, A_RECOMMENDATION)
    assert result.sentence_count == 7
    assert result.chronology_sentence_count == 4
    assert result.explanatory_sentence_count == 2
    assert result.chronology_sentence_share == 57.1
    assert result.explanatory_sentence_share == 28.6
    assert "57.1% of sentences look like bare chronology (above 40%)" in result.signals
    assert not any("explanatory marker" in s for s in result.signals)


@pytest.mark.parametrize(
    "sentence",
    [
        "On 3 March 2012 the GP visited.",
        "On 3rd of Sept she rang.",
        "In May 2013 she moved.",
        "In June she was fine.",
        "By early March the visits stopped.",
        "March 3, the visit.",
        "12/03/2012 GP visit",
        "The visit on 2012-03-12.",
        "Visits resumed in 03/2012.",
        "On Monday she was seen.",
        "In 2012 she moved.",
        "In the summer of 2012 she moved.",
        "At 10:30 the police came.",
        "At 3pm the police came.",
        "At 3.30 p.m. the police came.",
        "Two days later she was seen.",
        "A few weeks later she was seen.",
        "The following day she rang.",
        "Later that evening she rang.",
        "That night she rang.",
    ],
)
def test_date_and_time_expressions(sentence: str) -> None:
    assert has_date_or_time(sentence)
    assert is_chronology(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "She may be seen.",  # "may" in lower case is a verb
        "June said she was fine.",  # a month name alone may be a first name
        "The 2012 review was published.",  # a year without a preposition
        "She waited 24 hours.",  # a duration, not a time
        "Assessments were completed.",
    ],
)
def test_not_dates(sentence: str) -> None:
    assert not has_date_or_time(sentence)
    assert not is_chronology(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "She was not seen because the visit was cancelled.",
        "Nobody asked why.",
        "This led to a delay.",
        "It resulted in no referral.",
        "As a result the case was closed.",
        "The delay was due to staff shortages.",
        "The referral was therefore lost.",
        "Notes were shared so that the school knew.",
        "The move caused the gap.",
        "The reason was unclear.",
        "The form was late, which meant no visit.",
    ],
)
def test_explanatory_markers(sentence: str) -> None:
    assert is_explanatory(sentence)


def test_a_dated_sentence_that_explains_is_not_bare_chronology() -> None:
    sentence = "On 3 March 2012 the visit was cancelled because the car broke down."
    assert has_date_or_time(sentence)
    assert is_explanatory(sentence)
    assert not is_chronology(sentence)


def test_few_explanatory_sentences_are_signalled() -> None:
    result = prescreen("The cat sat on the mat. The dog ran.", A_RECOMMENDATION)
    assert (result.explanatory_sentence_count, result.explanatory_sentence_share) == (0, 0.0)
    assert FEW_WHY in result.signals


# --- The child's perspective ---


@pytest.mark.parametrize(
    "text",
    [
        "The child's voice was not heard.",
        "The child\u2019s voice was not heard.",  # curly apostrophe
        "The voice of the child was absent.",
        "Her lived experience was neglect.",
        "The child's experience at home was not explored.",
        "Child A\u2019s wishes were not recorded.",
        "Her wishes were not recorded.",
        "His wishes were not recorded.",
        "His wishes and feelings were not asked.",
        "From the child's perspective the move was frightening.",
        "Nobody asked what it was like for Amy.",
        "The daily life of the baby was not known.",
        "The children\u2019s views were sought.",
        "She was never seen alone.",
    ],
)
def test_child_perspective_phrases(text: str) -> None:
    result = prescreen(text, A_RECOMMENDATION)
    assert result.child_perspective
    assert result.child_perspective_mentions == 1
    assert NO_CHILD not in result.signals


def test_child_perspective_mentions_are_counted() -> None:
    text = (
        "The child\u2019s voice was heard. "  # 1: child's voice
        "Her wishes were recorded, "  # 2: her wishes
        "as were the wishes and feelings of her brother."  # 3: wishes and feelings
    )
    assert child_perspective_mentions(normalise(text)) == 3


def test_no_child_perspective_is_signalled() -> None:
    result = prescreen("The mother's views were recorded. The father was seen.", A_RECOMMENDATION)
    assert not result.child_perspective
    assert result.child_perspective_mentions == 0
    assert NO_CHILD in result.signals


# --- Recommendations ---


@pytest.mark.parametrize(
    "addressee",
    [
        "Children's Social Care",
        "LSCB",
        "The LSCB",  # the board itself is specific
        "Department for Education",
        "Local Authority",  # "local" is dropped only before a vague noun
        "Health partners",
        "The chair of the LSCB",
        "All agencies and the police",
    ],
)
def test_specific_addressees(addressee: str) -> None:
    assert names_addressee(addressee)


@pytest.mark.parametrize(
    "addressee",
    [
        "",
        "   ",
        "All agencies",
        "agencies",
        "Partners",
        "professionals",
        "Everyone",
        "the LSCB partners",
        "Relevant agencies",
        "all relevant partner agencies",
        "Professionals.",
        "N/A",
        "the partnership",
    ],
)
def test_vague_addressees(addressee: str) -> None:
    assert not names_addressee(addressee)


@pytest.mark.parametrize(
    "text",
    [
        "Ensure all staff are trained within 6 months.",  # verb + time frame
        "Review the policy by 31 March 2015.",  # verb + dated deadline
        "Publish the revised guidance by March 2015.",  # verb + month and year
        "Monitor attendance every quarter.",  # verb + frequency
        "Provide training annually.",  # verb + frequency
        "Ensure 80% of staff attend.",  # verb + percentage
        "Ensure staff review 20 cases.",  # verb + number
        "Audit case files.",  # verb + checkable output (an audit)
        "Report to the LSCB on progress.",  # verb + checkable output (report to)
        "Develop an action plan.",  # verb + checkable output (action plan)
        "Introduce a protocol by the end of the year.",  # verb + time frame
    ],
)
def test_measurable_actions(text: str) -> None:
    signal = screen_recommendation(0, text, "Children's Social Care")
    assert signal.has_action_verb
    assert signal.has_measurable_element
    assert signal.measurable_action


@pytest.mark.parametrize(
    ("text", "action", "measure"),
    [
        ("Consider improving communication.", False, False),  # no listed verb, no measure
        ("Communication should improve within 6 months.", False, True),  # measure, no verb
        ("Ensure practice improves.", True, False),  # verb, nothing to check
        ("Ensure section 47 enquiries are timely.", True, False),  # a reference, not a number
        ("Ensure lessons from the 2012 review are shared.", True, False),  # a year, not a number
        ("Ensure the 3 March 2012 findings are shared.", True, False),  # a date, not a number
        ("Ensure concerns are reported to the police.", True, False),  # "reported to" is practice
    ],
)
def test_not_measurable_actions(text: str, action: bool, measure: bool) -> None:
    signal = screen_recommendation(0, text, "Children's Social Care")
    assert (signal.has_action_verb, signal.has_measurable_element) == (action, measure)
    assert not signal.measurable_action


def test_recommendation_signals_are_numbered_from_one() -> None:
    result = prescreen(
        "The child's voice was heard because she was seen alone.",
        [
            ("Audit all case files by 31 March 2015.", "Children's Social Care"),
            ("Agencies should communicate better.", "All agencies"),
        ],
    )
    assert [r.model_dump() for r in result.recommendations] == [
        {
            "index": 0,
            "names_addressee": True,
            "has_action_verb": True,
            "has_measurable_element": True,
            "measurable_action": True,
        },
        {
            "index": 1,
            "names_addressee": False,
            "has_action_verb": False,
            "has_measurable_element": False,
            "measurable_action": False,
        },
    ]
    assert result.signals == [
        "recommendation 2 names no specific addressee",
        "recommendation 2: no action verb with a time frame, number or checkable output found",
    ]


def test_no_recommendations_is_signalled() -> None:
    result = prescreen("The child's voice was heard because she was seen alone.", [])
    assert result.recommendations == []
    assert result.signals == [NO_RECOMMENDATIONS]


# --- The whole pre-screen ---


def test_a_small_report_end_to_end() -> None:
    text = (
        "EXECUTIVE SUMMARY\n"  # heading: 2 words; EXECUTIVE 5 - 1 = 4, SUMMARY 3 -> 7 syll.
        "On 3 March 2012 the GP saw Child A. "  # 9 words, 9 syllables (one each)
        "CSC did not visit because the referral was lost. "  # 9 words; 1+1+1+2+2+1+3+1+1 = 13
        "Child A's wishes were not recorded."  # 6 words; 1+1+2+1+1+3 = 9
    )
    # 26 words, 4 sentences, 38 syllables:
    #   206.835 - 1.015 x 26/4 - 84.6 x 38/26 = 206.835 - 6.5975 - 123.6462 = 76.591 -> 76.6
    # Acronyms: CSC only (GP in the glossary, the heading skipped): 1 / 26 x 1000 = 38.46 -> 38.5
    # Chronology: "On 3 March 2012 ..." 1 of 4 = 25.0%; explanatory: "because" 1 of 4 = 25.0%
    # Child perspective: "Child A's wishes" = 1.
    result = prescreen(
        text,
        [
            ("Audit all case files by 31 March 2013.", "Children's Social Care"),
            ("Agencies should communicate better.", "All agencies"),
        ],
    )
    assert result.model_dump(exclude={"recommendations"}) == {
        "word_count": 26,
        "sentence_count": 4,
        "syllable_count": 38,
        "flesch_reading_ease": 76.6,
        "acronym_count": 1,
        "acronyms_per_1000_words": 38.5,
        "acronyms_top": ["CSC"],
        "jargon_count": 0,
        "jargon_per_1000_words": 0.0,
        "jargon_top": [],
        "chronology_sentence_count": 1,
        "explanatory_sentence_count": 1,
        "chronology_sentence_share": 25.0,
        "explanatory_sentence_share": 25.0,
        "child_perspective": True,
        "child_perspective_mentions": 1,
        "signals": [
            "acronym density 38.5 per 1,000 words (above 10); most frequent: CSC",
            "recommendation 2 names no specific addressee",
            "recommendation 2: no action verb with a time frame, number or checkable output found",
        ],
    }


def test_prescreen_is_frozen_and_documented() -> None:
    result = prescreen("The cat sat.", [])
    with pytest.raises(pydantic.ValidationError):
        result.word_count = 5  # type: ignore[misc]
    properties = Prescreen.model_json_schema()["properties"]
    assert all(p.get("description") for p in properties.values())


# --- Edge cases ---


@pytest.mark.parametrize("text", ["", "   \n\t  ", "... !!! ??? \u2014 \u2013", "\n" * 50])
def test_text_without_words(text: str) -> None:
    result = prescreen(text, [])
    assert (result.word_count, result.sentence_count, result.syllable_count) == (0, 0, 0)
    assert result.flesch_reading_ease is None
    assert result.acronyms_per_1000_words == 0.0
    assert result.jargon_per_1000_words == 0.0
    assert result.chronology_sentence_share == 0.0
    assert result.explanatory_sentence_share == 0.0
    assert not result.child_perspective
    assert result.signals == [NO_WORDS, NO_RECOMMENDATIONS]


@pytest.mark.parametrize(
    "text",
    [
        "\ud800 lone surrogate \udfff",
        "\x00\x01 control \x7f characters",
        "\u202eright-to-left override\u202c",
        "emoji 👶🏽 and zero\u200bwidth joiners",
        "中文文本。更多文本",
        FULL_WIDTH,
        "Ǆ ǅ ǆ İstanbul ß ﬁle",
        "'''---&&&///",
    ],
)
def test_any_unicode_text_is_screened_without_error(text: str) -> None:
    result = prescreen(text, [(text, text)])
    assert result.word_count >= 0
    assert len(result.recommendations) == 1


def test_full_width_acronyms_are_normalised() -> None:
    # NFKC turns the full-width "CSC" into "CSC": 3 words, 1 acronym -> 1000 / 3 = 333.3
    result = prescreen(FULL_WIDTH, [])
    assert result.acronyms_top == ["CSC"]
    assert result.acronyms_per_1000_words == 333.3


PARAGRAPH = (
    "On 3 March 2012 the GP saw Child A at the surgery and made a referral to CSC. "
    "The referral was not followed up because the threshold for a strategy discussion was "
    "misunderstood, which meant that nobody asked why the visits had stopped. "
    "Child A\u2019s wishes and feelings were not recorded by the multi-agency team.\n"
)


def test_one_megabyte_is_screened_quickly() -> None:
    repeats = 1_000_000 // len(PARAGRAPH) + 1
    text = PARAGRAPH * repeats
    assert len(text) >= 1_000_000
    prescreen_module._cached_syllables.cache_clear()  # no help from earlier tests
    started = time.perf_counter()
    result = prescreen(text, A_RECOMMENDATION * 50)
    elapsed = time.perf_counter() - started
    # Loose bound for slow CI machines; locally about half a second.
    assert elapsed < 2.0
    # Per paragraph: 18 + 25 + 12 = 55 words and 3 sentences; CSC once; one child mention
    # ("Child A's wishes"; "wishes and feelings" overlaps it and is not counted again).
    assert result.word_count == 55 * repeats
    assert result.sentence_count == 3 * repeats
    assert result.acronym_count == repeats
    assert result.child_perspective_mentions == repeats


@pytest.mark.parametrize(
    "text",
    ["a-" * 500_000, "Mr." * 330_000, "12/" * 330_000, "On " * 330_000, "A" * 1_000_000],
)
def test_pathological_megabytes_do_not_blow_up(text: str) -> None:
    started = time.perf_counter()
    prescreen(text, [])
    assert time.perf_counter() - started < 5.0
