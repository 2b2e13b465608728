"""The Jinja2 environment of the dashboard and the annual report, and where their files live.

Templates and static files ship inside the package (``pyproject.toml`` package-data), so an
installed service finds them next to this module whatever the working directory.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

_EMPHASIS = re.compile(r"\*([^*]+)\*")


def emphasis(text: str) -> Markup:
    """Escape ``text``, then turn ``*words*`` (titles of guidance in the report) into <em>."""
    return Markup(_EMPHASIS.sub(r"<em>\1</em>", str(escape(text))))


def thousands(value: int | float | None) -> str:
    if value is None:
        return "\u2013"
    return f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "svg"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["emphasis"] = emphasis
    env.filters["thousands"] = thousands
    return env


def render(template: str, **context: object) -> str:
    return environment().get_template(template).render(**context)
