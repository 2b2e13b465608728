"""Demo data: a generated year of the panel's work, loaded into a running stack.

A client of the public HTTP API only: it imports nothing from ``services/``. It mints its own
tokens with the platform's secret (``shared.auth.issue_token``), as any trusted client would, and
posts every step of DOMAIN.md section 2 to the four services, dated on business dates.

- :mod:`shared.demo.plan`: :class:`YearPlan`, every count that matters (defaults: the panel's
  first year, paras 10-13 and 22 of its first annual report);
- :mod:`shared.demo.generator`: a deterministic (seeded) timeline of dated steps from a plan;
- :mod:`shared.demo.expected`: the figures that timeline must give for its year;
- :mod:`shared.demo.loader`: posts a timeline to the services' HTTP APIs.
"""

from shared.demo.expected import expected_figures
from shared.demo.generator import generate
from shared.demo.loader import Api, LoadError, LoadResult, ServiceUrls, load, registry, unreachable
from shared.demo.plan import FIRST_YEAR, SHARED_BOARDS_2013, YearPlan
from shared.demo.timeline import Case, Kind, Step, Timeline

__all__ = [
    "FIRST_YEAR",
    "SHARED_BOARDS_2013",
    "Api",
    "Case",
    "Kind",
    "LoadError",
    "LoadResult",
    "ServiceUrls",
    "Step",
    "Timeline",
    "YearPlan",
    "expected_figures",
    "generate",
    "load",
    "registry",
    "unreachable",
]
