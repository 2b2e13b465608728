"""Pure domain logic: England's working days, period arithmetic, tokens."""

from __future__ import annotations

import datetime as dt

import jwt
import pytest

from shared.auth import decode_token, issue_token
from shared.calendar import is_working_day, months_before, working_days_after
from shared.config import PlatformSettings
from shared.errors import Unauthorized
from shared.events.vocab import Role

D = dt.date


@pytest.mark.parametrize(
    ("aware", "notified", "expected"),
    [
        (D(2014, 3, 3), D(2014, 3, 3), 0),  # same day
        (D(2014, 3, 7), D(2014, 3, 10), 1),  # Friday to Monday
        (D(2014, 3, 3), D(2014, 3, 10), 5),  # a week: on time
        (D(2014, 3, 3), D(2014, 3, 11), 6),  # late
        (D(2013, 12, 20), D(2013, 12, 30), 4),  # Christmas and Boxing Day are not counted
        (D(2014, 5, 2), D(2014, 5, 6), 1),  # May Day Monday
        (D(2014, 3, 10), D(2014, 3, 3), 0),  # never negative
    ],
)
def test_working_days_after(aware, notified, expected):
    assert working_days_after(aware, notified) == expected


def test_bank_holidays_are_englands():
    assert not is_working_day(D(2014, 8, 25))  # England's summer bank holiday
    assert is_working_day(D(2014, 8, 4))  # Scotland's, not England's
    assert not is_working_day(D(2014, 3, 8))  # Saturday


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2014, 5, 31), 12, D(2013, 5, 31)),
        (D(2016, 2, 29), 12, D(2015, 2, 28)),
        (D(2014, 3, 31), 1, D(2014, 2, 28)),
        (D(2014, 1, 15), 1, D(2013, 12, 15)),
    ],
)
def test_months_before(day, months, expected):
    assert months_before(day, months) == expected


def test_tokens_round_trip_and_are_checked():
    platform = PlatformSettings()
    principal = decode_token(platform, issue_token(platform, "lscb", lscb_id="E06000001"))
    assert (principal.role, principal.lscb_id, principal.sub) == (
        Role.LSCB,
        "E06000001",
        "lscb:E06000001",
    )
    assert principal.can_see_board("E06000001") and not principal.can_see_board("E06000002")
    panel = decode_token(platform, issue_token(platform, "panel", sub="member:1"))
    assert panel.can_see_board("E06000002") and panel.sub == "member:1"

    with pytest.raises(ValueError):
        issue_token(platform, "lscb")
    expired = issue_token(platform, "dfe", ttl=dt.timedelta(seconds=-1))
    with pytest.raises(Unauthorized, match="expired"):
        decode_token(platform, expired)
    unknown_role = jwt.encode(
        {
            "sub": "x",
            "role": "king",
            "exp": dt.datetime.now(dt.UTC) + dt.timedelta(hours=1),
            "iss": platform.jwt_issuer,
            "aud": platform.jwt_audience,
        },
        platform.jwt_secret.get_secret_value(),
        algorithm="HS256",
    )
    with pytest.raises(Unauthorized):
        decode_token(platform, unknown_role)
    board_less = jwt.encode(
        {
            "sub": "x",
            "role": "lscb",
            "exp": dt.datetime.now(dt.UTC) + dt.timedelta(hours=1),
            "iss": platform.jwt_issuer,
            "aud": platform.jwt_audience,
        },
        platform.jwt_secret.get_secret_value(),
        algorithm="HS256",
    )
    with pytest.raises(Unauthorized, match="lscb_id"):
        decode_token(platform, board_less)
