"""``scr-panel``: run, migrate and operate the platform. The command line (stdlib argparse);
what each command does is in ``shared.commands``.

Run ``scr-panel --help`` or ``scr-panel COMMAND --help``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from shared.commands import (
    cmd_analytics_rebuild,
    cmd_asyncapi,
    cmd_broker,
    cmd_demo,
    cmd_migrate,
    cmd_replay,
    cmd_revision,
    cmd_serve,
    cmd_token,
    cmd_up,
)
from shared.config import DEFAULT_PORTS, SERVICE_NAMES
from shared.events.vocab import Role

Command = Callable[[argparse.Namespace], int]


def _use_data_dir(args: argparse.Namespace) -> None:
    """``--data-dir`` wins over SCR_DATA_DIR; settings (and any child process) read the env."""
    if getattr(args, "data_dir", None) is not None:
        os.environ["SCR_DATA_DIR"] = str(Path(args.data_dir).resolve())


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from exc


def _add_data_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="where the SQLite databases and logs live (default: $SCR_DATA_DIR or ./data)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scr-panel",
        description="Run and operate the services of the national panel on Serious Case Reviews.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    services = list(SERVICE_NAMES)

    up = commands.add_parser(
        "up",
        help="run the broker and all four services on this machine",
        description="Start the embedded broker, migrate the four services, replay their outboxes "
        "to the fresh broker, start each service as its own process, print URLs and tokens, and "
        "stop everything on Ctrl-C. Data persist in the data folder. Ports: "
        + ", ".join(f"{n} {p} (${n.upper()}_PORT)" for n, p in DEFAULT_PORTS.items())
        + ".",
    )
    _add_data_dir(up)
    up.add_argument("--broker-port", type=int, default=9092, help="default: 9092")
    up.set_defaults(func=cmd_up)

    serve = commands.add_parser(
        "serve",
        help="run one service in this process",
        description="Run one service with uvicorn in the foreground (what a container runs).",
    )
    serve.add_argument("name", choices=services, help="the service")
    serve.add_argument(
        "--host", default="127.0.0.1", help="default: 127.0.0.1 (0.0.0.0 in a container)"
    )
    serve.add_argument("--port", type=int, help="default: $<NAME>_PORT or the service's own")
    _add_data_dir(serve)
    serve.set_defaults(func=cmd_serve)

    migrate = commands.add_parser(
        "migrate",
        help="bring databases to the newest revision",
        description="Run Alembic upgrade to head on each service's database "
        "($<NAME>_DATABASE_URL, or a SQLite file in the data folder).",
    )
    migrate.add_argument("--service", choices=services, help="default: all four")
    _add_data_dir(migrate)
    migrate.set_defaults(func=cmd_migrate)

    token = commands.add_parser(
        "token",
        help="print a bearer token (JWT)",
        description="Print a JWT signed with $JWT_SECRET, for curl and the /docs pages.",
    )
    token.add_argument("--role", required=True, choices=[r.value for r in Role])
    token.add_argument("--lscb-id", metavar="ID", help="the board (required for --role lscb)")
    token.add_argument("--sub", help="who the token speaks for (default: derived from the role)")
    token.add_argument("--hours", type=float, default=12.0, help="lifetime (default: 12)")
    token.set_defaults(func=cmd_token)

    demo = commands.add_parser(
        "demo",
        help="load a generated year into the running stack",
        description="Generate a year of the panel's work (the counts of its first annual report: "
        "184 SCRs initiated, 66 decisions not to initiate considered, 74 reports, 7 notices not "
        "to publish, 49 boards not in touch...) and post every step to the running services "
        "over their HTTP APIs, with a progress bar; then print the dashboard's address. Steps "
        "carry idempotency keys: the same seed and year loaded again add nothing.",
    )
    demo.add_argument("--seed", type=int, default=2014, help="default: 2014")
    demo.add_argument(
        "--year-from",
        type=_date,
        default=dt.date(2013, 6, 1),
        metavar="YYYY-MM-DD",
        help="the year's first day (default: 2013-06-01, the panel's first year)",
    )
    for name, port in DEFAULT_PORTS.items():
        # The ports `scr-panel up` listens on: $<NAME>_PORT or the service's own.
        url = f"http://127.0.0.1:{os.environ.get(f'{name.upper()}_PORT', port)}"
        demo.add_argument(f"--{name}-url", default=url, help=f"default: {url}")
    demo.add_argument(
        "--concurrency", type=int, default=8, help="cases loaded at a time (default: 8)"
    )
    demo.set_defaults(func=cmd_demo)

    asyncapi = commands.add_parser(
        "asyncapi",
        help="write the AsyncAPI document of the events",
        description="Generate the AsyncAPI 3.0.0 document from shared/events (deterministic).",
    )
    asyncapi.add_argument("--out", default="docs/asyncapi.json", help="default: docs/asyncapi.json")
    asyncapi.add_argument(
        "--check", action="store_true", help="do not write; exit 1 if --out is out of date"
    )
    asyncapi.set_defaults(func=cmd_asyncapi)

    replay = commands.add_parser(
        "replay",
        help="send past events again",
        description="Mark outbox events unpublished again so that each running service's relay "
        "republishes them (consumers skip what they already applied). Prints counts per service.",
    )
    replay.add_argument(
        "--since", type=_date, metavar="YYYY-MM-DD", help="only events created on or after it"
    )
    replay.add_argument("--service", choices=services, help="default: all four")
    _add_data_dir(replay)
    replay.set_defaults(func=cmd_replay)

    broker = commands.add_parser(
        "broker",
        help="run only the embedded broker",
        description="Run the embedded Kafka-protocol broker (Tansu) in the foreground; it keeps "
        "everything in memory.",
    )
    broker.add_argument("--port", type=int, default=9092, help="default: 9092")
    _add_data_dir(broker)
    broker.set_defaults(func=cmd_broker)

    revision = commands.add_parser(
        "revision",
        help="autogenerate an Alembic revision",
        description="Compare a service's models with a scratch database at head and write the "
        "difference as a new revision in services/<NAME>/migrations/versions.",
    )
    revision.add_argument("--service", required=True, choices=services)
    revision.add_argument("-m", "--message", required=True, help="what the revision does")
    revision.add_argument(
        "--database-url", help="compare with this database instead (it must be at head)"
    )
    revision.set_defaults(func=cmd_revision)

    analytics = commands.add_parser(
        "analytics",
        help="operate the analytics service",
        description="Operate the analytics service's own data.",
    )
    analytics_actions = analytics.add_subparsers(dest="action", required=True, metavar="ACTION")
    rebuild = analytics_actions.add_parser(
        "rebuild",
        help="rebuild the read models from every service's outbox",
        description="Empty the analytics read models and fill them again from a replay of the "
        "notifications, decisions and publication outboxes (through the projections only: no "
        "alert is raised again), in one transaction: readers see the old figures until it "
        "commits, and a failure changes nothing. Databases: $<NAME>_DATABASE_URL, or a SQLite "
        "file in the data folder. A running analytics consumer waits for it.",
    )
    rebuild.add_argument(
        "--batch-size", type=int, default=1000, help="events read and flushed at a time"
    )
    _add_data_dir(rebuild)
    rebuild.set_defaults(func=cmd_analytics_rebuild)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "token" and args.role == Role.LSCB.value and not args.lscb_id:
        parser.error("--role lscb needs --lscb-id")
    _use_data_dir(args)
    func: Command = args.func
    return func(args)


if __name__ == "__main__":
    sys.exit(main())
