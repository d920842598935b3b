"""Settings are read once, by the entry point, into one immutable object handed to whoever needs it: changing
the environment afterwards changes nothing, and crypto, retention, the phone quota and the look-up limits use
the object (or the policy built from it) they are given."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select

from service import crypto
from service.db import utcnow
from service.domain.errors import NotFound
from service.domain.intake import lookup_guard, quota
from service.domain.intake.limits import NO_LIMITS, IntakeLimits
from service.domain.intake.lookup_guard import LookupPolicy
from service.domain.intake.quota import PhoneQuota
from service.domain.people.privacy import RetentionPolicy
from service.jobs import retention
from service.jobs.schedule import build_scheduler
from service.models import LookupFailure
from service.settings import Settings, defaults, load_settings
from tests.security.conftest import api_petition

HOUR = dt.timedelta(hours=1)


def test_settings_are_one_immutable_object_read_like_a_mapping():
    settings = load_settings({"RATELIMIT_ENABLED": "false", "REMOTE_UNITS": "1, 2"}, environ={})
    assert isinstance(settings, Settings) and set(settings) == set(defaults())  # every name, no other
    assert settings["RATELIMIT_ENABLED"] is False and settings.get("NO_SUCH_SETTING", 7) == 7
    assert settings.ratelimit_enabled is False and settings.database_url == settings["DATABASE_URL"]
    assert settings["REMOTE_UNITS"] == frozenset({"1", "2"})
    with pytest.raises(TypeError):
        settings["RATELIMIT_ENABLED"] = True  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.values = {}  # type: ignore[misc]
    assert load_settings(settings, environ={}) == settings  # an object passed back as overrides keeps its values
    assert "SECRET_KEY" in repr(settings) and str(settings["SECRET_KEY"]) not in repr(settings)


def test_changing_the_environment_after_create_app_changes_nothing(make_app, monkeypatch):
    key = crypto.generate_key()
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_PER_PHONE="1 per hour", LOOKUP_LIMIT_PER_CLIENT="3 per hour",
                   LOOKUP_LIMIT_PER_CODE="", RATELIMIT_PUBLIC="1000 per minute", DATA_ENCRYPTION_KEY=key,
                   RETENTION_CHAT_DAYS="7")
    try:
        for name, value in {"RATELIMIT_PER_PHONE": "100 per hour", "LOOKUP_LIMIT_PER_CLIENT": "",
                            "DATA_ENCRYPTION_KEY": crypto.generate_key(), "RETENTION_CHAT_DAYS": "1",
                            "RATELIMIT_PUBLIC": "1 per minute"}.items():
            monkeypatch.setenv(name, value)
        settings = app.extensions["settings"]
        assert settings["RETENTION_CHAT_DAYS"] == "7" and settings["DATA_ENCRYPTION_KEY"] == key
        assert app.extensions["intake_limits"] == IntakeLimits(PhoneQuota(1, HOUR), LookupPolicy(PhoneQuota(3, HOUR), None))
        assert crypto.keyring() == crypto.Keyring.from_setting(key)  # the app's key, not the environment's
        client = app.test_client()
        assert client.post("/api/v1/petitions", json=api_petition()).status_code == 201
        second = client.post("/api/v1/petitions", json=api_petition())  # the app's quota: 1 per hour
        assert second.status_code == 429 and second.get_json()["error"]["code"] == "rate_limited"
    finally:
        crypto.configure({"TESTING": True})  # back to the development key for the other tests


def test_the_keyring_is_never_read_from_the_environment(monkeypatch):
    monkeypatch.setattr(crypto, "_keyring", None)
    monkeypatch.setenv("DATA_ENCRYPTION_KEY", crypto.generate_key())
    with pytest.raises(crypto.CryptoKeyError, match="configure"):
        crypto.keyring()
    key = crypto.generate_key()
    crypto.configure(load_settings({"DATA_ENCRYPTION_KEY": key, "TESTING": True}))
    assert crypto.keyring() == crypto.Keyring.from_setting(key)


class _Recorder:
    def __init__(self, timezone):
        self.jobs = {}

    def add_job(self, func, trigger, args, id, **kwargs):  # noqa: A002  (APScheduler's parameter name)
        self.jobs[id] = args[1]


def test_the_retention_job_gets_its_policy_from_the_settings_given_to_the_scheduler(database, monkeypatch):
    monkeypatch.setenv("RETENTION_CLOSED_PETITION_YEARS", "1")  # never read: the settings object is
    settings = load_settings({"RETENTION_CLOSED_PETITION_YEARS": "10", "RETENTION_CHAT_DAYS": "30"}, environ={})
    job = build_scheduler(database, "holder", scheduler_class=_Recorder, settings=settings).jobs["privacy-retention"]
    assert job.func.func is retention.apply_retention
    assert job.func.keywords == {"policy": RetentionPolicy(closed_petition_years=10, chat_days=30, outbox_days=180)}
    unconfigured = build_scheduler(database, "holder", scheduler_class=_Recorder).jobs["privacy-retention"]
    assert unconfigured.func is retention.apply_retention  # the defaults of settings.example.env


def test_limits_are_built_from_the_settings_object_and_off_with_the_limiter():
    on = load_settings({"RATELIMIT_ENABLED": True, "RATELIMIT_PER_PHONE": "2/day"}, environ={})
    limits = IntakeLimits.from_settings(on)
    assert limits.phone == PhoneQuota(2, dt.timedelta(days=1))
    assert limits.lookup == LookupPolicy(PhoneQuota(20, HOUR), PhoneQuota(10, HOUR))  # the example file's
    assert IntakeLimits.from_settings(load_settings({"RATELIMIT_ENABLED": False}, environ={})) == NO_LIMITS


def test_the_quota_and_the_look_up_guard_use_the_policy_they_are_given(session):
    now = utcnow()
    quota.check_phone(session, None, "0912345678", now)  # no policy: not limited
    with pytest.raises(quota.TooManyPetitions):
        quota.check_phone(session, PhoneQuota(0, HOUR), "0912345678", now)

    def missing():
        raise NotFound("không thấy", "not found")

    client = lookup_guard.requester("ip", "203.0.113.9")
    with pytest.raises(NotFound):
        lookup_guard.guarded(session, client, "K7M4-Q2XA-R", missing, now, policy=None)
    assert session.scalars(select(LookupFailure)).all() == []  # nothing counted without a policy
    one_try = LookupPolicy(PhoneQuota(1, HOUR), None)
    with pytest.raises(NotFound):
        lookup_guard.guarded(session, client, "K7M4-Q2XA-R", missing, now, policy=one_try)
    with pytest.raises(lookup_guard.TooManyLookups):
        lookup_guard.guarded(session, client, "K7M4-Q2XA-R", missing, now, policy=one_try)
