"""The annual report: its sentences (pure, from a summary), and ``GET /v1/annual-report`` in
HTML, Markdown and PDF over a year of events whose figures are known."""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import io
import re
from typing import Any

import pytest
from pypdf import PdfReader

from services.analytics import annual_report, report_api, report_text
from services.analytics.schemas import MonthlyRead, MonthRead, Period, SummaryRead
from services.analytics.stats import months_of
from shared.config import PlatformSettings
from shared.events.vocab import (
    NonInitiationReason,
    QualityFeature,
    QualityProblem,
    RecommendationStatus,
    Role,
    WorkingTogether,
)
from tests.support.databases import DatabaseFactory
from tests.support.oversight_seed import EXPECTED, YEAR, apply, year_events
from tests.support.services import auth, running_app, settings_for

FIRST_YEAR = Period(date_from=dt.date(2013, 6, 1), date_to=dt.date(2014, 5, 31))
SECTIONS = (
    "Introduction",
    "Cases considered",
    "Instances where SCRs are not being proposed",
    "Instances where SCRs are not being published",
    "Quality of SCRs",
    "Recommendations and their implementation",
)


def summary(**figures: Any) -> SummaryRead:
    """A summary of the first year with nothing in it but ``figures``."""
    side = {
        "reports_reviewed": 0,
        "mean_scores": {f.value: None for f in QualityFeature},
        "problem_share_pct": {p.value: None for p in QualityProblem},
    }
    data: dict[str, Any] = {
        name: (None if "pct" in name or name.endswith("per_month") else 0)
        for name, field in SummaryRead.model_fields.items()
        if field.annotation in (int, float | None)
    }
    data.update(
        period=FIRST_YEAR,
        non_initiation_reasons={r.value: 0 for r in NonInitiationReason},
        alternative_review_types={},
        quality={w.value: side for w in WorkingTogether},
        recommendations={
            "total": 0,
            "by_status": {s.value: 0 for s in RecommendationStatus},
            "named_addressee_pct": None,
            "overdue": 0,
        },
    )
    data.update(figures)
    return SummaryRead.model_validate(data)


FIRST_YEAR_FIGURES = {
    "scr_initiation_decisions": 184,
    "non_initiation_decisions_considered": 66,
    "agreed_without_challenge": 35,
    "agreed_without_challenge_pct": 53.0,
    "challenged_or_queried": 31,
    "scr_initiated_after_advice": 5,
    "accepted_after_further_information": 16,
    "awaiting_further_information": 10,
    "reports_received_before_publication": 74,
    "non_publication_cases_considered": 7,
    "non_publication_accepted": 5,
    "non_publication_being_reconsidered": 1,
    "non_publication_since_published": 1,
    "completed_scrs": 81,
    "publication_rate_pct": 92.6,
    "lscbs_total": 144,
    "lscbs_not_in_touch": 49,
    "lscbs_not_in_touch_pct": 34.0,
    "panel_considerations": 143,
    "panel_considerations_per_month": 11.9,
}


def all_text(s: SummaryRead) -> str:
    report = annual_report.build(s, MonthlyRead(period=s.period, months=[]))
    return " ".join(" ".join((p.text, *p.items)) for sec in report.sections for _, p in sec.paras)


# --- the sentences ------------------------------------------------------------------------------


def test_the_first_years_figures_give_the_first_reports_sentences() -> None:
    s = summary(**FIRST_YEAR_FIGURES)
    assert report_text.decisions(s).text == (
        "In the period from 1 June 2013 to 31 May 2014, the panel has been advised of decisions"
        " to initiate 184 SCRs. It has considered a further 66 decisions not to initiate an SCR,"
        " and agreed in 35 cases (53%) that an appropriate decision had been made, without"
        " challenge. Of the remaining 31 cases, five were subsequently made the subject of an SCR"
        " on receipt of the panel's advice, whilst the panel accepted the non-initiation decision"
        " in respect of 16, after considering further information. Further information is"
        " awaited on the remaining 10 cases."
    )
    first, second = report_text.publication(s)
    assert first.text == (
        "The panel has received copies of 74 SCRs prior to publication. In addition, the panel"
        " has considered seven cases where it had been decided not to publish."
    )
    assert second.text == (
        "After consideration, the panel accepted five of the decisions, one case is currently"
        " being reconsidered and one has since been published. This means that, on these"
        " figures, some 92% of completed SCRs are being published."
    )
    assert report_text.workload(143, 11.9, 0).text.startswith(
        "The panel considers on average about 12 cases each month, in addition to completed SCRs"
    )
    touch = report_text.in_touch(s)
    assert touch is not None
    assert touch.text.startswith("The panel has noted that 49 LSCBs (34%) have not been in touch")
    assert report_text.not_published(s)[0].text == (
        "The panel sees relatively few cases where an LSCB is proposing not to publish an SCR"
        " report in full, with only seven such cases out of 81 completed SCRs received."
    )
    assert (
        "agreed over half of the 66 'non-initiation' cases" in report_text.not_proposed(s)[0].text
    )


def test_numbers_are_written_as_the_source_writes_them() -> None:
    assert [report_text.num(n) for n in (1, 5, 9, 10, 16, 184, 1234)] == [
        "one", "five", "nine", "10", "16", "184", "1,234",
    ]  # fmt: skip
    assert report_text.count(1, "case") == "one case"
    assert report_text.count(2, "case") == "two cases"
    assert report_text.count(12, "SCR") == "12 SCRs"
    assert report_text.whole_percent(53.0) == "53%"
    assert report_text.whole_percent(34.5) == "35%"  # halves up, never to the even neighbour
    assert report_text.some_percent(92.6) == "some 92%"
    assert report_text.some_percent(90.0) == "90%"


def test_zeros_say_so_plainly() -> None:
    s = summary()
    assert report_text.decisions(s).text == (
        "In the period from 1 June 2013 to 31 May 2014, the panel has not been advised of any"
        " decision to initiate an SCR. It has not considered any decisions not to initiate an"
        " SCR."
    )
    assert [p.text for p in report_text.publication(s)] == [
        "The panel has not received any SCRs prior to publication. It has not considered any"
        " cases where it had been decided not to publish."
    ]
    text = all_text(s)
    for nonsense in (" 0 ", "(0%)", "None", "no cases (", "%)%", "\u2014%", "zero"):
        assert nonsense not in text, nonsense
    assert "The panel has not reviewed the quality of any SCR in this period." in text
    assert "The SCRs and notices received in this period made no recommendations." in text
    assert "The panel has received no completed SCRs in this period." in text


def test_singulars() -> None:
    one = summary(
        scr_initiation_decisions=1,
        non_initiation_decisions_considered=1,
        agreed_without_challenge=1,
        agreed_without_challenge_pct=100.0,
        reports_received_before_publication=1,
        reports_short_notice=1,
        non_publication_cases_considered=1,
        non_publication_accepted=1,
        completed_scrs=2,
        publication_rate_pct=50.0,
        lscbs_total=3,
        lscbs_not_in_touch=1,
        lscbs_not_in_touch_pct=33.3,
        lscbs_silent_12_months=1,
        referrals_back=1,
        statutory_breaches_flagged=1,
    )
    assert report_text.decisions(one).text == (
        "In the period from 1 June 2013 to 31 May 2014, the panel has been advised of one"
        " decision to initiate an SCR. It has considered a further decision not to initiate an"
        " SCR, and agreed that an appropriate decision had been made, without challenge."
    )
    first, second = report_text.publication(one)
    assert first.text == (
        "The panel has received a copy of one SCR prior to publication. It reached the panel"
        " less than a week before its planned publication. In addition, the panel has considered"
        " one case where it had been decided not to publish."
    )
    assert second.text == (
        "After consideration, the panel accepted the decision. This means that, on these"
        " figures, 50% of completed SCRs are being published."
    )
    text = all_text(one)
    assert "It has had cause to do so once in this period." in text
    assert "On one occasion the information provided" in text
    assert "one LSCB (33%) has not been in touch" in text
    assert "one LSCB has not notified the panel" in text
    assert "the one local area whose LSCB has not submitted" in text


@pytest.mark.parametrize(
    ("after_advice", "accepted", "awaiting", "expected"),
    [
        (1, 0, 0, "The remaining case was subsequently made the subject of an SCR on receipt of"
         " the panel's advice."),
        (0, 1, 0, "In the remaining case, the panel accepted the non-initiation decision after"
         " considering further information."),
        (0, 0, 1, "Further information is awaited on the remaining case."),
        (2, 0, 0, "Of the remaining two cases, both were subsequently made the subject of an SCR"
         " on receipt of the panel's advice."),
        (0, 0, 3, "Further information is awaited on all three of the remaining cases."),
        (1, 1, 1, "Of the remaining three cases, one was subsequently made the subject of an SCR"
         " on receipt of the panel's advice, whilst the panel accepted the non-initiation"
         " decision in respect of one, after considering further information. Further"
         " information is awaited on the one remaining case."),
        (0, 4, 0, "Of the remaining four cases, the panel accepted the non-initiation decision in"
         " respect of all of them, after considering further information."),
        (0, 0, 0, ""),
    ],
)  # fmt: skip
def test_what_became_of_the_challenged_decisions(
    after_advice: int, accepted: int, awaiting: int, expected: str
) -> None:
    assert " ".join(report_text.challenged_outcomes(after_advice, accepted, awaiting)) == expected


def test_all_or_none_agreed() -> None:
    assert report_text.considered_and_agreed(12, 12, 100.0).endswith(
        "and agreed in all 12 cases that an appropriate decision had been made, without challenge."
    )
    assert report_text.considered_and_agreed(2, 2, 100.0).endswith("agreed in both cases that"
                                                                    " an appropriate decision"
                                                                    " had been made, without"
                                                                    " challenge.")  # fmt: skip
    assert report_text.considered_and_agreed(4, 0, 0.0).endswith(
        "challenged or queried every one of them."
    )
    assert report_text.considered_and_agreed(1, 0, 0.0) == (
        "It has considered a further decision not to initiate an SCR, and challenged or queried it."
    )


def test_nobody_out_of_touch_and_the_quality_comparison() -> None:
    s = summary(lscbs_total=10, lscbs_not_in_touch=0, lscbs_not_in_touch_pct=0.0)
    touch = report_text.in_touch(s)
    assert touch is not None
    assert touch.text == "Every LSCB has been in touch with the panel in this period."
    before = {f.value: 2.0 for f in QualityFeature}
    under = {
        **before,
        QualityFeature.PROPORTIONATE.value: 3.5,
        QualityFeature.LESSONS_FOR_SERVICES.value: 1.0,
    }
    problems = {p.value: 0.0 for p in QualityProblem}
    quality = {
        WorkingTogether.BEFORE_2013.value: {
            "reports_reviewed": 1,
            "mean_scores": before,
            "problem_share_pct": {**problems, QualityProblem.NOT_CHILD_CENTRED.value: 100.0},
        },
        WorkingTogether.UNDER_2013.value: {
            "reports_reviewed": 4,
            "mean_scores": under,
            "problem_share_pct": {**problems, QualityProblem.NOT_CHILD_CENTRED.value: 25.0},
        },
    }
    first, problem = report_text.quality(summary(quality=quality))
    assert first.text == (
        "The panel has reviewed the quality of five SCRs in this period: one initiated before"
        " *Working Together 2013* and four under it. Of the seven features of an effective SCR"
        " scored on both sides, SCRs initiated under *Working Together 2013* scored higher on"
        " one, lower on one and the same on five (mean scores, 1 to 4, in the table below)."
    )
    assert problem.items == (
        "Reports that fail to centre on the child: 100% of those initiated before *Working"
        " Together 2013* and 25% of those under it",
    )


# --- the route ----------------------------------------------------------------------------------


def _plain(text: str) -> str:
    """Text with tags dropped and whitespace collapsed (lines break anywhere in a PDF)."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text))).replace(" ,", ",")


def _sentences_of(s: dict[str, Any]) -> list[str]:
    """The sentences the seeded year must give, written out from the expected figures."""
    assert (s["non_initiation_decisions_considered"], s["agreed_without_challenge"]) == (12, 7)
    return [
        "the panel has been advised of decisions to initiate 14 SCRs.",
        "It has considered a further 12 decisions not to initiate an SCR, and agreed in seven"
        " cases (58%) that an appropriate decision had been made, without challenge.",
        "Of the remaining five cases, two were subsequently made the subject of an SCR on"
        " receipt of the panel's advice, whilst the panel accepted the non-initiation decision"
        " in respect of two, after considering further information.",
        "Further information is awaited on the one remaining case.",
        "The panel has received copies of nine SCRs prior to publication.",
        "Of these, one reached the panel less than a week before its planned publication.",
        "In addition, the panel has considered two cases where it had been decided not to publish.",
        "After consideration, the panel accepted one of the decisions and one has since been"
        " published. This means that, on these figures, some 90% of completed SCRs are being"
        " published.",
    ]


async def test_the_annual_report_in_three_formats(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    url = databases.new("analytics")
    await apply(url, year_events())
    settings = settings_for("analytics", platform, url, run_workers=False)
    period = {"from": YEAR[0].isoformat(), "to": YEAR[1].isoformat()}
    dfe = auth(platform, Role.DFE)
    async with running_app(settings) as (_, client):
        s = (await client.get("/v1/stats/summary", params=period, headers=dfe)).json()
        assert {name: s[name] for name in EXPECTED} == EXPECTED
        sentences = _sentences_of(s)

        web = await client.get("/v1/annual-report", params=period, headers=dfe)
        assert web.status_code == 200, web.text
        assert web.headers["content-type"].startswith("text/html")
        page = web.text
        for title in SECTIONS:
            assert f">{title}</h2>" in page, title
        assert "<script" not in page  # the report is static: charts are inline SVG
        assert page.count("<svg") == 7
        assert not re.search(r"(src|href)=\"https?:", page)  # nothing fetched from elsewhere
        text = _plain(page)
        for sentence in sentences:
            assert sentence in text, sentence

        md = await client.get("/v1/annual-report", params={**period, "format": "md"}, headers=dfe)
        assert md.status_code == 200, md.text
        assert md.headers["content-type"].startswith("text/markdown")
        for title in SECTIONS:
            assert f"\n## {title}\n" in md.text, title
        assert md.text.count("](data:image/svg+xml;base64,") == 7
        for sentence in sentences:
            assert sentence in md.text, sentence
        assert "| Reports received before publication | 9 |" in md.text

        pdf = await client.get("/v1/annual-report", params={**period, "format": "pdf"}, headers=dfe)
        assert pdf.status_code == 200, pdf.text[:300]
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")
        reader = PdfReader(io.BytesIO(pdf.content))
        pdf_text = _plain(" ".join(page.extract_text() for page in reader.pages))
        for title in SECTIONS:
            assert title in pdf_text, title
        for sentence in sentences:
            assert sentence in pdf_text, sentence


async def test_the_report_refuses_bad_formats_periods_and_roles(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    settings = settings_for("analytics", platform, databases.new("analytics"), run_workers=False)
    async with running_app(settings) as (_, client):
        bad = await client.get(
            "/v1/annual-report", params={"format": "docx"}, headers=auth(platform, Role.PANEL)
        )
        assert bad.status_code == 422
        assert [e["field"] for e in bad.json()["errors"]] == ["format"]
        backwards = await client.get(
            "/v1/annual-report",
            params={"from": "2015-01-01", "to": "2014-01-01"},
            headers=auth(platform, Role.PANEL),
        )
        assert backwards.status_code == 422
        assert [e["field"] for e in backwards.json()["errors"]] == ["to"]
        assert (await client.get("/v1/annual-report")).status_code == 401
        board = auth(platform, Role.LSCB, lscb_id="E06000001")
        assert (await client.get("/v1/annual-report", headers=board)).status_code == 403
        # A cookie is no way into the API (only the dashboard reads it).
        client.cookies.set("scr_dashboard", auth(platform, Role.DFE)["Authorization"][7:])
        assert (await client.get("/v1/annual-report")).status_code == 401
        client.cookies.clear()
        for role in (Role.PANEL, Role.DFE, Role.OFSTED, Role.ADMIN):
            ok = await client.get("/v1/annual-report", params={"format": "md"},
                                  headers=auth(platform, role))  # fmt: skip
            assert ok.status_code == 200, (role, ok.text)
            # An empty year: plain sentences, no "0 cases (-%)".
            assert "has not been advised of any decision to initiate an SCR" in ok.text
            assert "(0%)" not in ok.text


async def test_long_periods_are_bounded_and_pdfs_do_not_queue_without_end(
    platform: PlatformSettings, databases: DatabaseFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A period from year 1 had 24,000 months, and a burst of such PDFs took the process to
    13 GB: ``from`` has a floor, long periods are tabled by year, and PDF renders are rationed."""
    url = databases.new("analytics")
    await apply(url, year_events())
    settings = settings_for("analytics", platform, url, run_workers=False)
    panel = auth(platform, Role.PANEL)
    async with running_app(settings) as (app, client):
        too_early = await client.get(
            "/v1/annual-report", params={"from": "2006-03-31", "format": "md"}, headers=panel
        )
        assert too_early.status_code == 422, too_early.text
        assert [e["field"] for e in too_early.json()["errors"]] == ["from"]
        long = await client.get(
            "/v1/annual-report",
            params={"from": "2006-04-01", "to": "2016-03-31", "format": "md"},
            headers=panel,
        )
        assert long.status_code == 200, long.text
        assert "| Year | Notifications | Decisions | Considerations | Reports |" in long.text
        assert "| 2013 |" in long.text and "| 2013-06 |" not in long.text

        # Every rendering slot taken: a PDF is refused at once with a time to come back.
        monkeypatch.setattr(report_api, "PDF_WAIT_SECONDS", 0.2)
        app.state.pdf_slots = asyncio.Semaphore(0)
        busy = await client.get("/v1/annual-report", params={"format": "pdf"}, headers=panel)
        assert busy.status_code == 503, busy.text
        assert busy.headers["retry-after"] == "10"
        assert "busy" in busy.json()["detail"]
        # Other formats are not rationed.
        md = await client.get("/v1/annual-report", params={"format": "md"}, headers=panel)
        assert md.status_code == 200
        app.state.pdf_slots = asyncio.Semaphore(1)
        pdf = await client.get("/v1/annual-report", params={"format": "pdf"}, headers=panel)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_two_years_or_less_are_tabled_by_month() -> None:
    def series(start: dt.date, end: dt.date) -> MonthlyRead:
        p = Period(date_from=start, date_to=end)
        months = [
            MonthRead(month=m, notifications=1, decisions=2, considerations=3, reports=4)
            for m in months_of(p)
        ]
        return MonthlyRead(period=p, months=months)

    two_years = annual_report.monthly_figure(series(dt.date(2013, 6, 1), dt.date(2015, 5, 31)))
    assert two_years.table.head[0] == "Month" and len(two_years.table.rows) == 24
    longer = annual_report.monthly_figure(series(dt.date(2013, 6, 1), dt.date(2015, 6, 1)))
    assert longer.table.head[0] == "Year"
    # 2013: June to December; 2014: twelve months; 2015: January to June (its 1st).
    assert longer.table.rows == (
        ("2013", "7", "14", "21", "28"),
        ("2014", "12", "24", "36", "48"),
        ("2015", "6", "12", "18", "24"),
    )
