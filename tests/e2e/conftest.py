from __future__ import annotations

import uuid
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import pytest

from shared.embedded_broker import EmbeddedBroker
from tests.support.databases import DatabaseFactory
from tests.support.processes import ProcessStack

StackFactory = Callable[[str], ProcessStack]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: services as real processes (`-m 'not e2e'` skips)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # This hook sees the whole session's items: mark only those under this folder.
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None]:
    # Keep each phase's report on the test so fixtures can tell, at teardown, that it failed.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _failed(request: pytest.FixtureRequest) -> bool:
    return any(
        getattr(getattr(request.node, f"report_{when}", None), "failed", False)
        for when in ("setup", "call")
    )


@pytest.fixture
def process_stacks(
    request: pytest.FixtureRequest, databases: DatabaseFactory, tmp_path: Path
) -> Iterator[StackFactory]:
    """Make stacks of service processes on a broker; all stopped at the end of the test, and
    their logs printed if it failed."""
    stacks: list[ProcessStack] = []

    def make(bootstrap_servers: str) -> ProcessStack:
        workdir = tmp_path / f"stack{len(stacks)}"
        workdir.mkdir()
        stack = ProcessStack(
            workdir=workdir,
            bootstrap_servers=bootstrap_servers,
            topic_prefix=f"e2e{uuid.uuid4().hex[:10]}.",
            new_database=databases.new,
        )
        stacks.append(stack)
        return stack

    yield make
    for stack in stacks:
        stack.stop_all()
        if _failed(request):
            print(stack.logs())


@pytest.fixture
def stack(process_stacks: StackFactory, broker: EmbeddedBroker) -> ProcessStack:
    """Services on the session's broker, apart from other tests by their topic prefix."""
    return process_stacks(broker.bootstrap_servers)


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[EmbeddedBroker]:
    """A broker for one test only: it may be paused or stopped without harming the others."""
    running = EmbeddedBroker(log_path=tmp_path / "tansu.log").start()
    yield running
    running.stop()


@pytest.fixture
def own_broker_stack(
    own_broker: EmbeddedBroker, process_stacks: StackFactory
) -> tuple[EmbeddedBroker, ProcessStack]:
    """Services on a broker of their own. Asking for the broker first makes pytest stop the
    services before the broker, so they do not spend their shutdown looking for it."""
    return own_broker, process_stacks(own_broker.bootstrap_servers)
