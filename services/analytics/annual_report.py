"""The annual report: the sections of the panel's first report, with the figures of a period, the
sentences of ``report_text`` and SVG charts, as HTML, Markdown or PDF.

The report is built once as plain data (:class:`Report`), then rendered: HTML by a Jinja2
template, Markdown here, PDF by WeasyPrint from the HTML (off the event loop: it is CPU-bound and
takes about a second). Nothing is fetched from the network: the charts are inline SVG, the styles
inline, and WeasyPrint's URL fetcher refuses everything but ``data:``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from services.analytics import charts, report_text, service, stats
from services.analytics.charts import Series
from services.analytics.rendering import render
from services.analytics.report_text import FEATURES, PROBLEMS, REASONS, STATUSES, Para
from services.analytics.schemas import MonthlyRead, MonthRead, Period, SummaryRead
from shared.calendar import months_before, today
from shared.events.vocab import NonInitiationReason


class ReportFormat(StrEnum):
    HTML = "html"
    MD = "md"
    PDF = "pdf"


MEDIA_TYPES = {
    ReportFormat.HTML: "text/html; charset=utf-8",
    ReportFormat.MD: "text/markdown; charset=utf-8",
    ReportFormat.PDF: "application/pdf",
}


@dataclass(frozen=True)
class Table:
    caption: str
    head: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Figure:
    title: str
    svg: str
    table: Table


@dataclass(frozen=True)
class Section:
    title: str
    paras: tuple[tuple[int, Para], ...]
    figures: tuple[Figure, ...] = ()
    tables: tuple[Table, ...] = ()


@dataclass(frozen=True)
class Report:
    title: str
    period: Period
    sections: tuple[Section, ...]
    generated_on: dt.date = field(default_factory=today)


def report_period(date_from: dt.date | None, date_to: dt.date | None) -> Period:
    """An annual report covers twelve months: by default those up to ``to`` (today unless
    given); ``to`` not before ``from`` (422 naming ``to``, as the summary)."""
    end = date_to or today()
    start = date_from or months_before(end, 12) + dt.timedelta(days=1)
    return service.period(start, end)


def _cell(value: float | int | None, unit: str = "") -> str:
    if value is None:
        return "\u2013"
    return f"{value:,}{unit}" if isinstance(value, int) else f"{value:.1f}{unit}"


# --- the figures and tables of each section ---------------------------------------------------


def headline_table(s: SummaryRead) -> Table:
    rows = (
        ("Serious incident notifications received", _cell(s.notifications_received)),
        ("of which notified late", _cell(s.notifications_late)),
        ("Decisions to initiate an SCR", _cell(s.scr_initiation_decisions)),
        ("Decisions not to initiate considered", _cell(s.non_initiation_decisions_considered)),
        ("Agreed without challenge", _cell(s.agreed_without_challenge)),
        ("Agreed without challenge (%)", _cell(s.agreed_without_challenge_pct, "%")),
        ("Referrals back to the LSCB", _cell(s.referrals_back)),
        ("Statutory breaches flagged", _cell(s.statutory_breaches_flagged)),
        ("Reports received before publication", _cell(s.reports_received_before_publication)),
        ("Decisions not to publish considered", _cell(s.non_publication_cases_considered)),
        ("Completed SCRs", _cell(s.completed_scrs)),
        ("Publication rate", _cell(s.publication_rate_pct, "%")),
        ("Panel considerations", _cell(s.panel_considerations)),
        ("Panel considerations per month", _cell(s.panel_considerations_per_month)),
        ("Active LSCBs", _cell(s.lscbs_total)),
        ("LSCBs not in touch", _cell(s.lscbs_not_in_touch)),
        ("LSCBs silent for twelve months", _cell(s.lscbs_silent_12_months)),
    )
    return Table("The figures of the period", ("Figure", "Value"), rows)


# Beyond two years a table of months stops being read (and ten years would be 120 rows): the
# report then counts by calendar year.
MOST_MONTHS_SHOWN = 24
SERIES_NAMES = ("notifications", "decisions", "considerations", "reports")


def by_year(months: list[MonthRead]) -> list[MonthRead]:
    """The monthly series folded into calendar years (``month`` then holds the year)."""
    years: dict[str, dict[str, int]] = {}
    for month in months:
        totals = years.setdefault(month.month[:4], dict.fromkeys(SERIES_NAMES, 0))
        for name in SERIES_NAMES:
            totals[name] += getattr(month, name)
    return [MonthRead(month=year, **totals) for year, totals in years.items()]


def monthly_figure(m: MonthlyRead) -> Figure:
    folded = len(m.months) > MOST_MONTHS_SHOWN
    points, unit = (by_year(m.months), "Year") if folded else (m.months, "Month")
    labels = [point.month for point in points]
    series = [
        Series(name.capitalize(), [getattr(x, name) for x in points]) for name in SERIES_NAMES
    ]
    title = f"Notifications, decisions, panel considerations and reports, by {unit.lower()}"
    rows = tuple((x.month, *(str(getattr(x, name)) for name in SERIES_NAMES)) for x in points)
    return Figure(
        title,
        charts.lines(title, labels, series),
        Table(title, (unit, *(n.capitalize() for n in SERIES_NAMES)), rows),
    )


def outcomes_figure(s: SummaryRead) -> Figure:
    labels = (
        "Agreed without challenge",
        "SCR initiated after the panel's advice",
        "Accepted after further information",
        "Awaiting further information",
    )
    values = (
        s.agreed_without_challenge,
        s.scr_initiated_after_advice,
        s.accepted_after_further_information,
        s.awaiting_further_information,
    )
    title = "Decisions not to initiate an SCR considered in the period, by outcome"
    return Figure(
        title,
        charts.hbars(title, labels, [Series("Decisions", values)]),
        Table(title, ("Outcome", "Decisions"), tuple(zip(labels, map(str, values), strict=True))),
    )


def reasons_figure(s: SummaryRead) -> Figure:
    reasons = list(NonInitiationReason)
    labels = [report_text.capitalised(REASONS[r]) for r in reasons]
    values = [s.non_initiation_reasons.get(r.value, 0) for r in reasons]
    title = "Reasons given for not initiating an SCR (decisions giving each)"
    return Figure(
        title,
        charts.hbars(title, labels, [Series("Decisions", values)]),
        Table(title, ("Reason", "Decisions"), tuple(zip(labels, map(str, values), strict=True))),
    )


def publication_figure(s: SummaryRead) -> Figure:
    labels = (
        "Reports received before publication",
        "Decisions not to publish: accepted",
        "Decisions not to publish: being reconsidered",
        "Decisions not to publish: since published",
    )
    values = (
        s.reports_received_before_publication,
        s.non_publication_accepted,
        s.non_publication_being_reconsidered,
        s.non_publication_since_published,
    )
    title = "Completed SCRs and decisions not to publish"
    rows = (
        *zip(labels, map(str, values), strict=True),
        ("Publication rate", _cell(s.publication_rate_pct, "%")),
    )
    return Figure(
        title,
        charts.hbars(title, labels, [Series("SCRs", values)]),
        Table(title, ("", "SCRs"), tuple(rows)),
    )


def quality_figures(s: SummaryRead) -> tuple[Figure, ...]:
    before = s.quality.before_working_together_2013
    under = s.quality.under_working_together_2013
    sides = (("Before Working Together 2013", before), ("Under Working Together 2013", under))
    feature_labels = list(FEATURES.values())
    scores = [Series(name, [side.mean_scores.get(f) for f in FEATURES]) for name, side in sides]
    title = "Mean score of each feature of an effective SCR (1 to 4)"
    score_rows = tuple(
        (label, *(_cell(side.mean_scores.get(f)) for _, side in sides))
        for f, label in FEATURES.items()
    )
    problem_labels = list(PROBLEMS.values())
    shares = [
        Series(name, [side.problem_share_pct.get(p) for p in PROBLEMS]) for name, side in sides
    ]
    problems_title = "Share of SCRs reviewed showing each key problem"
    problem_rows = tuple(
        (label, *(_cell(side.problem_share_pct.get(p), "%") for _, side in sides))
        for p, label in PROBLEMS.items()
    )
    head = ("", *(name for name, _ in sides))
    return (
        Figure(
            title,
            charts.hbars(title, feature_labels, scores, top=4),
            Table(title, ("Feature", *head[1:]), score_rows),
        ),
        Figure(
            problems_title,
            charts.hbars(problems_title, problem_labels, shares, unit="%"),
            Table(problems_title, ("Problem", *head[1:]), problem_rows),
        ),
    )


def recommendations_figure(s: SummaryRead) -> Figure:
    r = s.recommendations
    labels = [status.value.replace("_", " ").capitalize() for status in STATUSES]
    values = [r.by_status.get(status, 0) for status in STATUSES]
    title = "Recommendations made in the period, by status at its end"
    rows = (
        *zip(labels, map(str, values), strict=True),
        ("Overdue", str(r.overdue)),
        ("Addressed to a named organisation or person", _cell(r.named_addressee_pct, "%")),
    )
    return Figure(
        title,
        charts.hbars(title, labels, [Series("Recommendations", values)]),
        Table(title, ("Status", "Recommendations"), tuple(rows)),
    )


# --- the report --------------------------------------------------------------------------------


def build(s: SummaryRead, m: MonthlyRead) -> Report:
    """The report of a summary and its monthly series: pure, the paragraphs numbered through."""
    parts = (
        ("Introduction", report_text.introduction(s), (), (headline_table(s),)),
        ("Cases considered", report_text.cases_considered(s), (monthly_figure(m),), ()),
        (
            "Instances where SCRs are not being proposed",
            report_text.not_proposed(s),
            (outcomes_figure(s), reasons_figure(s)),
            (),
        ),
        (
            "Instances where SCRs are not being published",
            report_text.not_published(s),
            (publication_figure(s),),
            (),
        ),
        ("Quality of SCRs", report_text.quality(s), quality_figures(s), ()),
        (
            "Recommendations and their implementation",
            report_text.recommendations(s),
            (recommendations_figure(s),),
            (),
        ),
    )
    sections, number = [], 0
    for title, paras, figures, tables in parts:
        numbered = []
        for para in paras:
            number += 1
            numbered.append((number, para))
        sections.append(Section(title, tuple(numbered), tuple(figures), tuple(tables)))
    return Report(
        title="National panel of independent experts on Serious Case Reviews: annual report",
        period=s.period,
        sections=tuple(sections),
    )


async def load(session: AsyncSession, p: Period) -> Report:
    return build(await service.summary(session, p), await stats.monthly(session, p))


def to_html(report: Report) -> str:
    return render("annual_report.html", report=report, period=report_text.period_words)


def _md_table(table: Table) -> list[str]:
    def row(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    return [
        f"*{table.caption}*",
        "",
        row(table.head),
        "|" + "|".join("---" for _ in table.head) + "|",
        *(row(r) for r in table.rows),
        "",
    ]


def to_markdown(report: Report) -> str:
    """The report as Markdown; charts as ``data:`` URI images (one self-contained file), each
    followed by its table for readers that show no images."""
    out = [
        f"# {report.title}",
        "",
        f"Period: {report_text.period_words(report.period)}. Produced on"
        f" {report_text.day(report.generated_on)}.",
        "",
    ]
    for section in report.sections:
        out += [f"## {section.title}", ""]
        for number, para in section.paras:
            out += [f"{number}. {para.text}", ""]
            out += [f"   - {item}" for item in para.items]
            if para.items:
                out.append("")
        for table in section.tables:
            out += _md_table(table)
        for figure in section.figures:
            out += [f"![{figure.title}]({charts.data_uri(figure.svg)})", ""]
            out += _md_table(figure.table)
    return "\n".join(out).rstrip() + "\n"


def _offline(url: str, timeout: int = 10, ssl_context: object = None) -> dict[str, object]:
    """WeasyPrint's URL fetcher: ``data:`` only. The report embeds everything it shows."""
    from weasyprint import default_url_fetcher

    if not url.startswith("data:"):
        raise ValueError(f"the annual report fetches nothing from outside: {url}")
    return default_url_fetcher(url, timeout=timeout)


def to_pdf(html: str) -> bytes:
    """The HTML as PDF (A4, from the template's print styles). Blocking: call it in a thread."""
    from weasyprint import HTML  # imported here: loading Pango costs a second at start-up

    pdf = HTML(string=html, url_fetcher=_offline).write_pdf()
    assert pdf is not None  # write_pdf returns the bytes when given no target
    return pdf
