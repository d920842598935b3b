"""Fixtures of the chat-bot tests: fake Telegram and Zalo servers on 127.0.0.1, an app pointed at them,
and helpers that post real update/event JSON to the webhooks."""
from __future__ import annotations

from typing import Any

import pytest

from bots import background
from service import outbound
from tests.bots.fake_telegram import TOKEN, FakeTelegram, Updates
from tests.bots.fake_zalo import APP_SECRET, Events, FakeZalo


@pytest.fixture
def fake_telegram():
    fake = FakeTelegram().start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_zalo():
    fake = FakeZalo().start()
    yield fake
    fake.stop()


@pytest.fixture
def bot_settings(fake_telegram, fake_zalo) -> dict[str, Any]:
    return {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": fake_telegram.url,
            "ZALO_API_BASE_URL": fake_zalo.url, "ZALO_OAUTH_BASE_URL": fake_zalo.url, "ZALO_APP_SECRET": APP_SECRET,
            "ZALO_ACCESS_TOKEN": fake_zalo.access_token, "ZALO_REFRESH_TOKEN": fake_zalo.refresh_token}


def with_bot_blueprints(app):
    """The app factory loads the webhooks through WEB_PLUGINS; register them here if it did not."""
    from bots.telegram.webhook import bp as telegram_bp
    from bots.zalo.webhook import bp as zalo_bp

    for bp in (telegram_bp, zalo_bp):
        if bp.name not in app.blueprints:
            app.register_blueprint(bp)
    return app


@pytest.fixture
def bot_app(make_app, bot_settings):
    return with_bot_blueprints(make_app(**bot_settings))


@pytest.fixture
def registered_senders(database, bot_app):
    """The senders the jobs process registers (python -m service.jobs), for dispatch_outbox."""
    channels = outbound.register_configured(database, bot_app.config)
    yield channels
    for channel in channels:
        outbound.unregister(channel)


class TelegramChat:
    """One citizen talking to the bot through the webhook; `say` returns what the bot answered."""

    def __init__(self, app, fake: FakeTelegram, updates: Updates | None = None):
        self.app, self.fake = app, fake
        self.updates = updates or Updates()
        self.client = app.test_client()

    def post(self, update: dict[str, Any], secret: str | None = "tg-secret"):
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        return self.client.post("/bots/telegram/webhook", json=update, headers=headers)

    def send(self, update: dict[str, Any]) -> list[str]:
        before = len(self.fake.sent(self.updates.chat_id))
        response = self.post(update)
        assert response.status_code == 200, response.get_data(as_text=True)
        return [m["text"] for m in self.fake.sent(self.updates.chat_id)[before:]]

    def say(self, text: str) -> list[str]:
        return self.send(self.updates.text(text))

    def last_markup(self) -> dict[str, Any]:
        return self.fake.sent(self.updates.chat_id)[-1].get("reply_markup") or {}


class ZaloChat:
    """One follower talking to the OA through the signed webhook."""

    def __init__(self, app, fake: FakeZalo, events: Events | None = None):
        self.app, self.fake = app, fake
        self.events = events or Events()
        self.client = app.test_client()

    def post(self, event: dict[str, Any], headers: dict[str, str] | None = None):
        """Post the event; the webhook answers at once and sends its replies from a background lane, which
        this waits for (bots.background.drain), so the replies can be read from the fake right after."""
        raw, signed = self.events.signed(event)
        response = self.client.post("/bots/zalo/webhook", data=raw, headers=headers if headers is not None else signed)
        assert background.drain(), "the Zalo replies were not sent"
        return response

    def send(self, event: dict[str, Any]) -> list[str]:
        before = len(self.fake.texts(self.events.user_id))
        response = self.post(event)
        assert response.status_code == 200, response.get_data(as_text=True)
        return self.fake.texts(self.events.user_id)[before:]

    def say(self, text: str) -> list[str]:
        return self.send(self.events.text(text))


@pytest.fixture
def telegram_chat(bot_app, fake_telegram):
    return TelegramChat(bot_app, fake_telegram)


@pytest.fixture
def zalo_chat(bot_app, fake_zalo):
    return ZaloChat(bot_app, fake_zalo)
