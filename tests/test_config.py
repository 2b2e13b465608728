"""Settings: prefixes, overrides, and a .env.example that lists every one."""

from __future__ import annotations

import re
from pathlib import Path

from shared.config import SERVICE_NAMES, PlatformSettings, service_settings, settings_class

ENV_EXAMPLE = Path(__file__).resolve().parents[1] / ".env.example"
# Internal fields, not meant to be set by hand (documented as such in the file).
NOT_LISTED = {"service_name", "platform"}


def test_env_example_lists_every_setting():
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE.read_text(), re.MULTILINE))
    expected = {name.upper() for name in PlatformSettings.model_fields}
    for service in SERVICE_NAMES:
        expected |= {
            f"{service.upper()}_{name.upper()}"
            for name in settings_class(service).model_fields
            if name not in NOT_LISTED
        }
    assert expected - listed == set(), "add these to .env.example"


def test_each_service_reads_its_own_prefix(monkeypatch):
    monkeypatch.setenv("ANALYTICS_PORT", "9104")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka.example:9092")
    analytics = service_settings("analytics")
    assert analytics.port == 9104
    assert analytics.platform.kafka_bootstrap_servers == "kafka.example:9092"
    assert service_settings("notifications").port == 8001
    assert service_settings("decisions").resolved_database_url().endswith("/decisions.db")


def test_a_service_may_have_settings_of_its_own(monkeypatch):
    monkeypatch.setenv("DECISIONS_FOLLOW_UP_RESPONSE_DAYS", "21")
    assert service_settings("decisions").follow_up_response_days == 21  # type: ignore[attr-defined]
    assert not hasattr(service_settings("analytics"), "follow_up_response_days")
