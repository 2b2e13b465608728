"""Settings, read from the environment with pydantic-settings.

Platform-wide settings (the broker, the token secret, the data folder) have no prefix so that any
Kafka is reached through ``KAFKA_BOOTSTRAP_SERVERS``; each service's own settings carry its prefix
(``NOTIFICATIONS_DATABASE_URL``, ``ANALYTICS_PORT`` ...). ``.env.example`` lists them all.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICE_NAMES = ("notifications", "decisions", "publication", "analytics")
DEFAULT_PORTS = {"notifications": 8001, "decisions": 8002, "publication": 8003, "analytics": 8004}


class PlatformSettings(BaseSettings):
    """What every service shares."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    # Tansu (the embedded broker) cannot do InitProducerId; Apache Kafka should run with it on.
    kafka_idempotent_producer: bool = False
    kafka_topic_partitions: int = 3
    kafka_replication_factor: int = 1
    # Prepended to every topic and consumer group: lets tests share one broker in isolation.
    kafka_topic_prefix: str = ""
    # Tansu only drops a member that left after its session times out, and a join waits about
    # half of it: the embedded stack and the tests use 3 s; Apache Kafka's floor is 6 s.
    kafka_session_timeout_ms: int = 10_000
    kafka_heartbeat_interval_ms: int = 3_000
    # How long a fetch may wait for data: Tansu holds it about half of this even when data is
    # there, so it bounds the end-to-end latency on the embedded broker.
    kafka_fetch_max_wait_ms: int = 100
    jwt_secret: SecretStr = SecretStr("change-me-in-production-this-is-a-dev-secret")
    jwt_issuer: str = "scr-panel"
    jwt_audience: str = "scr-panel"
    scr_data_dir: Path = Path("data")


class ServiceSettings(BaseSettings):
    """One service's settings; the subclass made by :func:`service_settings` adds the prefix."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    service_name: str = "service"
    database_url: str = ""
    port: int = 8000
    migrate_on_start: bool = True
    # Background workers (outbox relay, consumers, schedulers). Off only for one-shot commands.
    run_workers: bool = True
    outbox_poll_seconds: float = 1.0
    outbox_batch_size: int = 200
    outbox_max_backoff_seconds: float = 30.0
    consumer_max_attempts: int = 5
    consumer_retry_seconds: float = 0.2
    # How often a service's schedulers (overdue follow-ups, overdue SCRs ...) look for work.
    scheduler_interval_seconds: float = 60.0
    # URLs of the other services, for the rare synchronous look-up (httpx).
    notifications_url: str = "http://127.0.0.1:8001"
    platform: PlatformSettings = Field(default_factory=PlatformSettings)

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        path = self.platform.scr_data_dir.resolve() / f"{self.service_name}.db"
        return f"sqlite+aiosqlite:///{path}"

    def topic(self, name: str) -> str:
        return f"{self.platform.kafka_topic_prefix}{name}"


class DecisionsSettings(ServiceSettings):
    """The decisions service's own settings, on top of every service's."""

    # A challenge or referral back asks for the board's response this many days after the
    # panel's consideration, unless the panel gives a date.
    follow_up_response_days: int = 14


class AnalyticsSettings(ServiceSettings):
    """The analytics service's own settings: alerts and their webhook deliveries."""

    # Pauses, in seconds, after each failed webhook attempt (each with +/-20% jitter): the first
    # attempt is at once; after the last pause's attempt fails the delivery is given up.
    webhook_retry_seconds: list[float] = Field(
        default_factory=lambda: [5, 300, 1800, 7200, 18000, 36000, 86400], min_length=1
    )
    # Longest wait for a receiver's answer; an attempt that takes longer counts as failed.
    webhook_timeout_seconds: float = 10.0
    # How often the delivery worker looks for due deliveries.
    webhook_poll_seconds: float = 1.0
    # How often boards are checked for twelve months of silence (and once at start).
    lscb_silent_check_seconds: float = 86_400.0
    # Public addresses the links in alerts are made from (behind one gateway: the same for all).
    public_url: str = "http://127.0.0.1:8004"
    notifications_public_url: str = "http://127.0.0.1:8001"
    decisions_public_url: str = "http://127.0.0.1:8002"
    publication_public_url: str = "http://127.0.0.1:8003"


# A service whose settings go beyond the common ones names its class here.
_SETTINGS_BASES: dict[str, type[ServiceSettings]] = {
    "decisions": DecisionsSettings,
    "analytics": AnalyticsSettings,
}


@cache
def settings_class(service_name: str) -> type[ServiceSettings]:
    prefix = f"{service_name.upper()}_"
    base = _SETTINGS_BASES.get(service_name, ServiceSettings)
    namespace = {
        "__annotations__": {"service_name": str, "port": int},
        "service_name": service_name,
        "port": DEFAULT_PORTS.get(service_name, 8000),
        "model_config": SettingsConfigDict(env_file=".env", extra="ignore", env_prefix=prefix),
    }
    return type(f"{service_name.capitalize()}Settings", (base,), namespace)


def service_settings(service_name: str, **overrides: object) -> ServiceSettings:
    """Settings for ``service_name`` from ``<NAME>_*`` variables; ``overrides`` win (tests)."""
    return settings_class(service_name)(**overrides)
