"""Settings: prefixes, overrides, and a .env.example that lists every one."""

from __future__ import annotations

import re
from pathlib import Path

from shared.config import SERVICE_NAMES, PlatformSettings, ServiceSettings, service_settings

ENV_EXAMPLE = Path(__file__).resolve().parents[1] / ".env.example"
# Internal fields, not meant to be set by hand (documented as such in the file).
NOT_LISTED = {"service_name", "platform"}


def test_env_example_lists_every_setting():
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE.read_text(), re.MULTILINE))
    expected = {name.upper() for name in PlatformSettings.model_fields}
    for service in SERVICE_NAMES:
        expected |= {
            f"{service.upper()}_{name.upper()}"
            for name in ServiceSettings.model_fields
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
