"""RATELIMIT_STORAGE_URI: read from the environment like every setting, checked when the app starts — a
wrong URI or a Redis that does not answer stops the start with a message naming the setting
(tests/reliability/test_two_machines.py shows two web machines sharing a real Redis)."""
from __future__ import annotations

import pytest

from service.settings import InsecureSettings, load_settings


def test_the_storage_comes_from_the_environment_and_stays_memory_by_default():
    assert load_settings(environ={})["RATELIMIT_STORAGE_URI"] == "memory://"
    shared = load_settings(environ={"RATELIMIT_STORAGE_URI": "redis://10.0.0.5:6379/0"})
    assert shared["RATELIMIT_STORAGE_URI"] == "redis://10.0.0.5:6379/0"


def test_an_unknown_storage_stops_the_start_with_a_clear_message(make_app):
    with pytest.raises(InsecureSettings) as refused:
        make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="redsi://127.0.0.1:6379/0")
    assert "RATELIMIT_STORAGE_URI" in str(refused.value) and "redis://" in str(refused.value)


def test_a_redis_that_does_not_answer_stops_the_start_and_its_password_is_not_shown(make_app):
    with pytest.raises(InsecureSettings) as refused:  # port 1: nothing listens there
        make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="redis://:bi-mat@127.0.0.1:1/0")
    message = str(refused.value)
    assert "RATELIMIT_STORAGE_URI" in message and "không kết nối được" in message
    assert "bi-mat" not in message


def test_with_limits_off_the_storage_is_not_contacted(make_app):
    app = make_app(RATELIMIT_ENABLED=False, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    assert app.test_client().get("/healthz").status_code == 200
