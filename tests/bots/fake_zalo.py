"""A small fake of the Zalo OA Open API v3 and OAuth v4 on 127.0.0.1: message/cs, group/message,
v4/oa/access_token (single-use refresh tokens), and images to download. It records every call and can
be switched down (HTTP 503) or made to answer `error != 0` with HTTP 200."""
from __future__ import annotations

import itertools
import json
import threading
import time
from typing import Any

from flask import Flask, jsonify, request

from bots.zalo import signature
from tests.bots.server import FakePlatform, raw_header

APP_ID, APP_SECRET, OA_SECRET = "zalo-app", "zalo-app-secret", "zalo-oa-secret"


class FakeZalo(FakePlatform):
    def __init__(self):
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.access_token, self.refresh_token = "access-1", "refresh-1"
        self.used_refresh_tokens: set[str] = set()
        self.images: dict[str, bytes] = {}
        self.down = False
        self.error: int = 0  # answer message sends with this error code (HTTP 200) when non-zero
        self.expires_in = "90000"
        # what a stale access token is answered with: -216 invalid, or -220 expired (Zalo's OA error table)
        self.stale_token_error = (-216, "Access token is invalid")
        self.token_delay = 0.0  # seconds the token endpoint takes (to overlap two refreshes)
        self.delay = 0.0  # seconds every message send takes (a slow OA API: SlowZalo)
        self.media_delay = 0.0  # seconds an image download takes (a slow media host)
        self._ids = itertools.count(1)
        self._generation = itertools.count(2)
        self._lock = threading.Lock()
        self._serve()


    def image_url(self, name: str, data: bytes) -> str:
        self.images[name] = data
        return f"{self.url}/media/{name}"

    def sent(self, user_id: str | None = None) -> list[dict[str, Any]]:
        return [p for m, p in list(self.calls) if m == "message/cs" and
                (user_id is None or p["recipient"]["user_id"] == user_id)]

    def texts(self, user_id: str | None = None) -> list[str]:
        return [p["message"]["text"] for p in self.sent(user_id) if "text" in p["message"]]

    def templates(self, user_id: str | None = None) -> list[dict[str, Any]]:
        """The template messages sent (request_user_info …): their attachment payloads."""
        return [p["message"]["attachment"]["payload"] for p in self.sent(user_id) if "attachment" in p["message"]]

    def group_texts(self, group_id: str) -> list[str]:
        return [p["message"]["text"] for m, p in list(self.calls)
                if m == "group/message" and p["recipient"]["group_id"] == group_id]

    def expire_access_token(self) -> None:
        """Zalo invalidates the current access token: sends answer `stale_token_error` until a refresh."""
        self.access_token = f"access-x{next(self._generation)}"

    def _app(self) -> Flask:
        app = Flask("fake_zalo")

        def message(kind: str):
            body = request.get_json(silent=True) or {}
            time.sleep(self.delay)
            with self._lock:
                self.calls.append((kind, {**body, "access_token": raw_header(request, "access_token")}))
            if self.down:
                return "Service Unavailable", 503
            if raw_header(request, "access_token") != self.access_token:
                code, text = self.stale_token_error
                return jsonify(error=code, message=text)
            if self.error:
                return jsonify(error=self.error, message="fake error")
            key = "user_id" if kind == "message/cs" else "group_id"
            return jsonify(error=0, message="Success",
                           data={"message_id": f"m{next(self._ids)}", key: body["recipient"][key]})

        @app.post("/v3.0/oa/message/cs")
        def cs():
            return message("message/cs")

        @app.post("/v3.0/oa/group/message")
        def group():
            return message("group/message")

        @app.post("/v4/oa/access_token")
        def token():
            form = request.form.to_dict()
            time.sleep(self.token_delay)
            with self._lock:
                self.calls.append(("access_token", {**form, "secret_key": raw_header(request, "secret_key")}))
                if self.down:
                    return "Service Unavailable", 503
                if raw_header(request, "secret_key") != APP_SECRET or form.get("app_id") != APP_ID:
                    return jsonify(error=-14002, error_name="invalid_client", error_description="bad app")
                given = form.get("refresh_token")
                if form.get("grant_type") != "refresh_token" or given != self.refresh_token or \
                        given in self.used_refresh_tokens:
                    return jsonify(error=-14014, error_name="invalid_grant", error_description="Invalid refresh token")
                self.used_refresh_tokens.add(given)
                n = next(self._generation)
                self.access_token, self.refresh_token = f"access-{n}", f"refresh-{n}"
                return jsonify(access_token=self.access_token, refresh_token=self.refresh_token,
                               expires_in=self.expires_in)

        @app.get("/media/<name>")
        def media(name: str):
            time.sleep(self.media_delay)
            self.calls.append(("media", {"name": name}))
            if name not in self.images:
                return "not found", 404
            return self.images[name], 200, {"Content-Type": "image/jpeg"}

        return app


class SlowZalo(FakeZalo):
    """The OA API answering in 1.5 s a call, token endpoint included (the issue's measurement)."""

    def __init__(self, delay: float = 1.5):
        super().__init__()
        self.delay = self.token_delay = self.media_delay = delay


class Events:
    """Builds signed Zalo OA webhook events for one follower."""

    _ids = itertools.count(1)

    def __init__(self, user_id: str = "8424370581234567890", app_id: str = APP_ID, oa_secret: str = OA_SECRET):
        self.user_id, self.app_id, self.oa_secret = user_id, app_id, oa_secret

    def _event(self, name: str, **fields: Any) -> dict[str, Any]:
        return {"app_id": self.app_id, "user_id_by_app": "55" + self.user_id[2:], "event_name": name,
                "timestamp": str(int(time.time() * 1000)), "sender": {"id": self.user_id},
                "recipient": {"id": "579745863508352884"}, **fields}

    def _message(self, name: str, **message: Any) -> dict[str, Any]:
        return self._event(name, message={"msg_id": f"msg{next(self._ids):06d}ab{self.user_id[-4:]}", **message})

    def text(self, text: str) -> dict[str, Any]:
        return self._message("user_send_text", text=text)

    def image(self, url: str, text: str | None = None) -> dict[str, Any]:
        return self._message("user_send_image", attachments=[{"type": "image", "payload": {"url": url,
                                                                                             "thumbnail": url}}],
                             **({"text": text} if text else {}))

    def location(self, lat: float, lon: float) -> dict[str, Any]:
        return self._message("user_send_location", attachments=[{"type": "location", "payload": {
            "coordinates": {"latitude": str(lat), "longitude": str(lon)}}}])

    def unfollow(self) -> dict[str, Any]:
        event = self._event("unfollow", follower={"id": self.user_id}, oa_id="579745863508352884", source="oa_profile")
        event.pop("sender")
        return event

    def submit_info(self, name: str, phone: str) -> dict[str, Any]:
        return self._event("user_submit_info", info={"name": name, "phone": phone, "address": "", "city": "",
                                                     "district": "", "ward": ""})

    def file(self, url: str, name: str = "don.pdf") -> dict[str, Any]:
        return self._message("user_send_file", attachments=[{"type": "file", "payload": {
            "url": url, "size": "12345", "name": name, "checksum": "abc", "type": "pdf"}}])

    def follow(self) -> dict[str, Any]:
        event = self._event("follow", follower={"id": self.user_id}, oa_id="579745863508352884", source="oa_profile")
        event.pop("sender")
        return event

    def signed(self, event: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
        """The raw body and headers Zalo would send."""
        raw = json.dumps(event, ensure_ascii=False).encode("utf-8")
        return raw, {"Content-Type": "application/json",
                     signature.HEADER: signature.sign(raw, self.app_id, self.oa_secret)}
