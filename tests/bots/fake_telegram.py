"""A small fake of the Telegram Bot API on 127.0.0.1, speaking its JSON: getMe, sendMessage, getFile,
file download, setWebhook, deleteWebhook, answerCallbackQuery, getUpdates. It records every call and
can be switched down (HTTP 502) or made to refuse a chat (403, the user blocked the bot)."""
from __future__ import annotations

import itertools
import json
import threading
import time
from typing import Any

from flask import Flask, jsonify, request

from tests.bots.server import FakePlatform

TOKEN = "123456:TEST-token"


class FakeTelegram(FakePlatform):
    def __init__(self, token: str = TOKEN):
        self.token = token
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.files: dict[str, tuple[str, bytes]] = {}  # file_id -> (file_path, bytes)
        self.down = False
        self.blocked: set[str] = set()
        self.webhook: dict[str, Any] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._serve()


    def add_file(self, file_id: str, data: bytes, path: str | None = None) -> None:
        self.files[file_id] = (path or f"photos/{file_id}.jpg", data)

    def methods(self) -> list[str]:
        return [m for m, _ in self.calls]

    def sent(self, chat_id: str | int | None = None) -> list[dict[str, Any]]:
        """sendMessage calls (reply_markup decoded), optionally to one chat."""
        out = []
        for method, params in list(self.calls):
            if method == "sendMessage" and (chat_id is None or str(params.get("chat_id")) == str(chat_id)):
                params = dict(params)
                if isinstance(params.get("reply_markup"), str):
                    params["reply_markup"] = json.loads(params["reply_markup"])
                out.append(params)
        return out

    def texts(self, chat_id: str | int | None = None) -> list[str]:
        return [p["text"] for p in self.sent(chat_id)]

    def clear(self) -> None:
        self.calls.clear()

    # --- the API -----------------------------------------------------------------------------
    def _app(self) -> Flask:
        app = Flask("fake_telegram")

        @app.post("/bot<token>/<method>")
        def api(token: str, method: str):
            params = request.form.to_dict() or (request.get_json(silent=True) or {})
            with self._lock:
                self.calls.append((method, params))
            if token != self.token:
                return jsonify(ok=False, error_code=401, description="Unauthorized"), 401
            if self.down:
                return jsonify(ok=False, error_code=502, description="Bad Gateway"), 502
            handler = getattr(self, f"_{method}", None)
            if handler is None:
                return jsonify(ok=False, error_code=404, description="Not Found: method not found"), 404
            return handler(params)

        @app.get("/file/bot<token>/<path:path>")
        def download(token: str, path: str):
            self.calls.append(("download", {"path": path}))
            if token != self.token or self.down:
                return "no", 502 if self.down else 401
            for file_path, data in self.files.values():
                if file_path == path:
                    return data, 200, {"Content-Type": "application/octet-stream"}
            return "not found", 404

        return app

    def _ok(self, result: Any):
        return jsonify(ok=True, result=result)

    def _getMe(self, params):
        return self._ok({"id": 123456, "is_bot": True, "first_name": "Tiếp dân số", "username": "tiepdan_test_bot"})

    def _sendMessage(self, params):
        chat_id = str(params.get("chat_id"))
        if chat_id in self.blocked:
            return jsonify(ok=False, error_code=403, description="Forbidden: bot was blocked by the user"), 403
        return self._ok({"message_id": next(self._ids), "date": int(time.time()),
                         "chat": {"id": int(chat_id), "type": "private" if not chat_id.startswith("-") else "group"},
                         "text": params.get("text", "")})

    def _getFile(self, params):
        file_id = params.get("file_id")
        if file_id not in self.files:
            return jsonify(ok=False, error_code=400, description="Bad Request: invalid file_id"), 400
        path, data = self.files[file_id]
        return self._ok({"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(data),
                         "file_path": path})

    def _setWebhook(self, params):
        self.webhook = params
        return self._ok(True)

    def _deleteWebhook(self, params):
        self.webhook = {}
        return self._ok(True)

    def _answerCallbackQuery(self, params):
        return self._ok(True)

    def _editMessageReplyMarkup(self, params):
        return self._ok(True)

    def removed_buttons(self, chat_id: str | int) -> list[int]:
        """The messages whose inline buttons were taken away (editMessageReplyMarkup without a markup)."""
        return [int(p["message_id"]) for m, p in list(self.calls) if m == "editMessageReplyMarkup" and
                str(p.get("chat_id")) == str(chat_id) and not p.get("reply_markup")]

    def _getUpdates(self, params):
        return self._ok([])


class Updates:
    """Builds Telegram update JSON for one private chat, with increasing update ids."""

    _ids = itertools.count(900_000)

    def __init__(self, chat_id: int = 5550001, first_name: str = "An", last_name: str = "Nguyễn Văn"):
        self.chat_id = chat_id
        self.user = {"id": chat_id, "is_bot": False, "first_name": first_name, "last_name": last_name,
                     "language_code": "vi"}

    def _message(self, **fields: Any) -> dict[str, Any]:
        update_id = next(self._ids)
        return {"update_id": update_id,
                "message": {"message_id": update_id, "date": int(time.time()), "from": self.user,
                            "chat": {"id": self.chat_id, "type": "private", "first_name": self.user["first_name"]},
                            **fields}}

    def text(self, text: str) -> dict[str, Any]:
        return self._message(text=text)

    def contact(self, phone: str) -> dict[str, Any]:
        return self._message(contact={"phone_number": phone, "first_name": self.user["first_name"],
                                      "last_name": self.user["last_name"], "user_id": self.chat_id})

    def location(self, lat: float, lon: float) -> dict[str, Any]:
        return self._message(location={"latitude": lat, "longitude": lon})

    def photo(self, file_id: str, caption: str | None = None) -> dict[str, Any]:
        sizes = [{"file_id": f"{file_id}-small", "file_unique_id": "s", "width": 90, "height": 60, "file_size": 900},
                 {"file_id": file_id, "file_unique_id": "m", "width": 1280, "height": 853, "file_size": 1000},
                 {"file_id": f"{file_id}-huge", "file_unique_id": "h", "width": 2560, "height": 1706,
                  "file_size": 9_000_000}]
        return self._message(photo=sizes, **({"caption": caption} if caption else {}))

    def edited(self, original: dict[str, Any], text: str) -> dict[str, Any]:
        """The update Telegram sends when the citizen edits an earlier text message."""
        message = dict(original["message"], text=text, edit_date=int(time.time()))
        return {"update_id": next(self._ids), "edited_message": message}

    def member(self, status: str) -> dict[str, Any]:
        """my_chat_member: "kicked" when the citizen blocks the bot, "member" when they unblock it."""
        old = "member" if status == "kicked" else "kicked"
        bot = {"id": 123456, "is_bot": True, "first_name": "Tiếp dân số", "username": "tiepdan_test_bot"}
        return {"update_id": next(self._ids), "my_chat_member": {
            "chat": {"id": self.chat_id, "type": "private", "first_name": self.user["first_name"]},
            "from": self.user, "date": int(time.time()),
            "old_chat_member": {"status": old, "user": bot, **({"until_date": 0} if old == "kicked" else {})},
            "new_chat_member": {"status": status, "user": bot, **({"until_date": 0} if status == "kicked" else {})}}}

    def document(self, file_id: str, name: str, mime: str, size: int = 1000) -> dict[str, Any]:
        return self._message(document={"file_id": file_id, "file_unique_id": "d", "file_name": name,
                                       "mime_type": mime, "file_size": size})

    def press(self, data: str, message_id: int = 1) -> dict[str, Any]:
        update_id = next(self._ids)
        return {"update_id": update_id,
                "callback_query": {"id": f"cb{update_id}", "from": self.user, "chat_instance": "1", "data": data,
                                   "message": {"message_id": message_id, "date": int(time.time()),
                                               "chat": {"id": self.chat_id, "type": "private"}, "text": "…"}}}

    def group_text(self, group_id: int, text: str) -> dict[str, Any]:
        update_id = next(self._ids)
        return {"update_id": update_id,
                "message": {"message_id": update_id, "date": int(time.time()), "from": self.user,
                            "chat": {"id": group_id, "type": "supergroup", "title": "Phòng Kinh tế"}, "text": text}}
