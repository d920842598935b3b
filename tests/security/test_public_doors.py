"""Public answers (issue #14, findings 3, 6 and 7): no public door lists or shows a denunciation, status look-ups
are no oracle for "who denounced" (one answer for every mismatch; failed attempts limited per requester and
per code on every channel), a petition without a phone needs its access key, dialogue registrations cannot be
overwritten, a public API client cannot claim a staff channel, and co-signers' phones count in the quota."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from service.domain.intake import tracking
from service.models import DataRequest, DialogueRegistration, LookupFailure, Petition
from tests.bots.conftest import TelegramChat, ZaloChat, with_bot_blueprints
from tests.bots.fake_telegram import Updates
from tests.bots.fake_zalo import Events
from tests.bots.helpers import code_in
from tests.helpers import count_petitions, staff_token
from tests.security.conftest import PHONE, api_petition, csrf_of, submit_form
from tests.web.test_public_dialogues import make_session, register

BASE = "/open311/v2"
WRONG = "0900000000"
DENUNCIATION = {"content": "Tố cáo cán bộ địa chính xã thu 20 triệu đồng ngoài quy định khi làm sổ đỏ.",
                "kind": "to_cao", "category": "can_bo_cong_vu"}
EMAIL_ONLY = {"name": "Hoàng Thị Mai", "email": "mai@example.vn", "address": "Số 2 đường Hà Sen"}


def post_petition(client, **overrides) -> dict:
    answer = client.post("/api/v1/petitions", json=api_petition(**overrides))
    assert answer.status_code == 201, answer.get_data(as_text=True)
    return answer.get_json()


def unknown_code(session) -> str:
    while True:
        code = tracking.new_code()
        if session.scalar(select(Petition.id).where(Petition.code == code)) is None:
            return code


def from_ip(ip: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": ip}}


# ---- Open311 never lists nor shows a denunciation ------------------------------------------------

def test_open311_never_lists_nor_shows_a_denunciation(client, session):
    denounced = post_petition(client, **DENUNCIATION)["code"]
    report = post_petition(client)["code"]
    for fmt in ("json", "xml"):
        listed = client.get(f"{BASE}/requests.{fmt}").get_data(as_text=True)
        assert report in listed and denounced not in listed
        by_id = client.get(f"{BASE}/requests.{fmt}?service_request_id={denounced},{report}").get_data(as_text=True)
        assert report in by_id and denounced not in by_id
    single, unknown = client.get(f"{BASE}/requests/{denounced}.json"), client.get(f"{BASE}/requests/K7M4-Q2XA-R.json")
    assert single.status_code == unknown.status_code == 404  # the spec's answer for an unknown id
    assert single.get_json()[0]["code"] == 404 and "service_request_id" in single.get_json()[0]["description"]
    assert client.get(f"{BASE}/requests/{report}.json").status_code == 200


@pytest.mark.parametrize("query", ["start_date=0001-01-01", "end_date=9999-12-31", "start_date=0001-01-01T00:00:00Z",
                                   "start_date=9999-12-31&end_date=9999-12-31"])
def test_open311_dates_out_of_range_are_a_400_in_the_spec_format(client, query):
    answer = client.get(f"{BASE}/requests.json?{query}")
    assert answer.status_code == 400
    [error] = answer.get_json()
    assert error["code"] == 400 and "ngoài khoảng cho phép" in error["description"]


# ---- one answer for "no such code" and "wrong phone" ----------------------------------------------

def test_api_status_answers_the_same_for_an_unknown_code_and_a_wrong_phone(client, session):
    code = post_petition(client)["code"]
    missing = client.get(f"/api/v1/status/{unknown_code(session)}?phone={WRONG}")
    wrong = client.get(f"/api/v1/status/{code}?phone={WRONG}")
    assert missing.status_code == wrong.status_code == 404
    assert missing.get_json() == wrong.get_json()
    rating_missing = client.post(f"/api/v1/status/{unknown_code(session)}/rating", json={"phone": WRONG, "score": 5})
    rating_wrong = client.post(f"/api/v1/status/{code}/rating", json={"phone": WRONG, "score": 5})
    assert rating_missing.status_code == rating_wrong.status_code == 404
    assert rating_missing.get_json() == rating_wrong.get_json()
    assert client.get(f"/api/v1/status/{code}?phone={PHONE}").status_code == 200


def test_web_lookup_answers_the_same_for_an_unknown_code_and_a_wrong_phone(client, session):
    code = post_petition(client)["code"]
    missing_code = unknown_code(session)
    missing = client.post("/tra-cuu", data={"code": missing_code, "phone": WRONG})
    wrong = client.post("/tra-cuu", data={"code": code, "phone": WRONG})
    assert missing.status_code == wrong.status_code == 404
    assert missing.get_data(as_text=True).replace(missing_code, "?") == wrong.get_data(as_text=True).replace(code, "?")


def test_bots_answer_the_same_for_an_unknown_code_and_a_wrong_phone(make_app, bot_settings, fake_telegram, fake_zalo,
                                                                   session):
    app = with_bot_blueprints(make_app(**bot_settings))
    code = post_petition(app.test_client())["code"]
    missing = unknown_code(session)
    for chat in (TelegramChat(app, fake_telegram, Updates(chat_id=5550777)), ZaloChat(app, fake_zalo)):
        assert chat.say(f"/tracuu {missing} {WRONG}") == chat.say(f"/tracuu {code} {WRONG}")
        assert chat.say(f"/tracuu {missing}") == chat.say(f"/tracuu {code}")  # not this chat user's petition
        assert chat.say(f"/tracuu {code} {PHONE}")[0].startswith(f"Đơn {code}")


# ---- failed attempts limited per code (whatever the IP) and per requester ------------------------------

def test_wrong_phones_from_many_ips_lock_the_code_on_every_door(limited_client, session):
    client = limited_client(RATELIMIT_PUBLIC="1000 per minute", LOOKUP_LIMIT_PER_CODE="3 per hour",
                            LOOKUP_LIMIT_PER_CLIENT="100 per hour")
    code, other = post_petition(client)["code"], post_petition(client, petitioner={"phone": "0987654321"})["code"]
    statuses = [client.get(f"/api/v1/status/{code}?phone=09000000{i:02d}", **from_ip(f"203.0.113.{i}")).status_code
                for i in range(3)]
    assert statuses == [404, 404, 404]
    locked = client.get(f"/api/v1/status/{code}?phone={PHONE}", **from_ip("198.51.100.9"))  # even the right phone
    assert locked.status_code == 429 and locked.get_json()["error"]["code"] == "rate_limited"
    assert "quá nhiều lần" in locked.get_json()["error"]["message"]
    web = client.post("/tra-cuu", data={"code": code, "phone": PHONE}, **from_ip("198.51.100.10"))
    assert web.status_code == 429 and "quá nhiều lần" in web.get_data(as_text=True)
    rating = client.post(f"/api/v1/status/{code}/rating", json={"phone": PHONE, "score": 5}, **from_ip("198.51.100.11"))
    assert rating.status_code == 429
    assert client.get(f"/api/v1/status/{other}?phone=0987654321", **from_ip("198.51.100.9")).status_code == 200
    # Requesters are kept as digests, never as addresses.
    assert not any("203.0.113" in row.key for row in session.scalars(select(LookupFailure)))


def test_one_ip_guessing_across_codes_is_limited(limited_client, session):
    client = limited_client(RATELIMIT_PUBLIC="1000 per minute", LOOKUP_LIMIT_PER_CODE="100 per hour",
                            LOOKUP_LIMIT_PER_CLIENT="3 per hour")
    code = post_petition(client)["code"]
    guesses = [client.get(f"/api/v1/status/{unknown_code(session)}?phone={WRONG}", **from_ip("203.0.113.5")).status_code
               for _ in range(3)]
    assert guesses == [404, 404, 404]
    assert client.get(f"/api/v1/status/{code}?phone={PHONE}", **from_ip("203.0.113.5")).status_code == 429
    assert client.get(f"/api/v1/status/{code}?phone={PHONE}", **from_ip("203.0.113.6")).status_code == 200


def test_the_bots_tracuu_is_limited_per_chat_user_and_per_code(make_app, bot_settings, fake_telegram, fake_zalo,
                                                               session):
    app = with_bot_blueprints(make_app(RATELIMIT_ENABLED=True, RATELIMIT_PUBLIC="1000 per minute",
                                       LOOKUP_LIMIT_PER_CODE="4 per hour", LOOKUP_LIMIT_PER_CLIENT="3 per hour",
                                       **bot_settings))
    code = post_petition(app.test_client())["code"]
    guesser = TelegramChat(app, fake_telegram, Updates(chat_id=5550888))
    for i in range(3):
        assert "Không tìm thấy" in guesser.say(f"/tracuu {code} 09000000{i:02d}")[0]
    refused = guesser.say(f"/tracuu {code} {PHONE}")[0]  # the chat user is locked out, even with the right phone
    assert "quá nhiều lần" in refused and not refused.startswith(f"Đơn {code}")
    zalo = ZaloChat(app, fake_zalo, Events(user_id="8424370580000000001"))
    assert "Không tìm thấy" in zalo.say(f"/tracuu {code} {WRONG}")[0]  # the 4th failure on this code
    other_user = ZaloChat(app, fake_zalo, Events(user_id="8424370580000000002"))
    assert "quá nhiều lần" in other_user.say(f"/tracuu {code} {PHONE}")[0]  # the code is locked for everyone
    web = app.test_client().get(f"/api/v1/status/{code}?phone={PHONE}")
    assert web.status_code == 429  # one count for every channel
    # Codes typed without a phone (not this chat user's petitions) count against the chat user too.
    prober = TelegramChat(app, fake_telegram, Updates(chat_id=5550889))
    for _ in range(3):
        assert "Không tìm thấy" in prober.say(f"/tracuu {unknown_code(session)}")[0]
    assert "quá nhiều lần" in prober.say(f"/tracuu {unknown_code(session)}")[0]


# ---- a petition without a phone needs its access key -----------------------------------------------------

def test_api_a_petition_without_a_phone_is_read_with_its_access_key_only(client, session):
    with_phone = client.post("/api/v1/petitions", json=api_petition()).get_json()
    assert "access_key" not in with_phone
    created = post_petition(client, petitioner=EMAIL_ONLY)
    code, key = created["code"], created["access_key"]
    assert len(tracking.normalise_access_key(key)) >= 10 and set(key.replace("-", "")) <= set(tracking.ALPHABET)
    stored = session.scalar(select(Petition.access_key_hash).where(Petition.code == code))
    assert stored and key.replace("-", "") not in stored  # only a digest is kept
    for query in ("", f"?phone={WRONG}", "?key=", "?key=AAAA-AAAA-AAAA"):
        assert client.get(f"/api/v1/status/{code}{query}").status_code == 404
    assert client.get(f"/api/v1/status/{code}?key={key}").get_json()["code"] == code
    assert client.get(f"/api/v1/status/{code}?phone={key.lower().replace('-', '')}").status_code == 200
    anonymous = post_petition(client, **DENUNCIATION, anonymous=True, petitioner=None)
    assert client.get(f"/api/v1/status/{anonymous['code']}").status_code == 404
    assert client.get(f"/api/v1/status/{anonymous['code']}?key={anonymous['access_key']}").status_code == 200


def test_an_idempotent_replay_does_not_repeat_the_access_key(client):
    headers = {"Idempotency-Key": "abc-123"}
    first = client.post("/api/v1/petitions", json=api_petition(petitioner=EMAIL_ONLY), headers=headers)
    again = client.post("/api/v1/petitions", json=api_petition(petitioner=EMAIL_ONLY), headers=headers)
    assert "access_key" in first.get_json() and again.headers.get("Idempotent-Replayed") == "true"
    assert "access_key" not in again.get_json() and again.get_json()["code"] == first.get_json()["code"]


def test_web_confirmation_shows_the_key_and_lookup_needs_it(app, client):
    answer = submit_form(client, phone="", email="an@example.vn")
    code = answer.headers["Location"].rsplit("/", 1)[1]
    page = client.get(f"/da-gui/{code}").get_data(as_text=True)
    key = re.search(r"data-access-key>([^<]+)<", page).group(1)
    assert "Mã truy cập" in page and key in client.get(f"/da-gui/{code}").get_data(as_text=True)  # survives a reload
    stranger = app.test_client()
    # an empty proof is a form error (the same for every code, issue #20 item 6); it never opens the petition
    empty = stranger.post("/tra-cuu", data={"code": code, "phone": ""})
    assert empty.status_code == 422 and code not in empty.get_data(as_text=True).replace(f'value="{code}"', "")
    assert stranger.get(f"/tra-cuu?code={code}&phone=").status_code == 422
    assert stranger.get(f"/tra-cuu/{code}/du-lieu-ca-nhan").status_code == 303  # no page without the proof
    assert stranger.post("/tra-cuu", data={"code": code, "phone": key}).status_code == 303
    with_phone = submit_form(client).headers["Location"].rsplit("/", 1)[1]
    assert "data-access-key" not in client.get(f"/da-gui/{with_phone}").get_data(as_text=True)


def test_the_personal_data_request_needs_the_phone_or_key_again(app, client, session):
    created = post_petition(client, petitioner=EMAIL_ONLY)
    code, key = created["code"], created["access_key"]
    browser = app.test_client()
    assert browser.post("/tra-cuu", data={"code": code, "phone": key}).status_code == 303
    page = browser.get(f"/tra-cuu/{code}/du-lieu-ca-nhan").get_data(as_text=True)
    assert "Số điện thoại hoặc mã truy cập" in page
    for proof in ("", WRONG, "AAAA-AAAA-AAAA"):
        refused = browser.post(f"/tra-cuu/{code}/du-lieu-ca-nhan",
                               data={"csrf_token": csrf_of(page), "kind": "copy", "proof": proof})
        assert refused.status_code == 422 and "không khớp" in refused.get_data(as_text=True)
    assert session.scalar(select(DataRequest.id)) is None
    granted = browser.post(f"/tra-cuu/{code}/du-lieu-ca-nhan",
                           data={"csrf_token": csrf_of(page), "kind": "copy", "proof": key})
    assert granted.status_code == 303 and session.scalar(select(DataRequest.id)) is not None


def test_the_bot_receipt_gives_the_key_to_a_chat_petitioner_without_a_phone(telegram_chat, fake_telegram):
    chat = telegram_chat
    for text in ("/start", "Gửi phản ánh, kiến nghị", "phan anh", "Đèn đường ở ngõ 5 phố Kiến Thiết hỏng hai tuần nay.",
                 "Xong", "Đặc khu Cát Hải", "Bỏ qua", "Bỏ qua", "Nguyễn Văn An", "0", "Đồng ý"):
        chat.say(text)
    receipt = "\n".join(chat.say("Gửi đơn"))
    code = code_in([receipt])
    key = re.search(r"Mã truy cập: ([A-Z0-9-]+)", receipt).group(1)
    assert chat.say(f"/tracuu {code}")[0].startswith(f"Đơn {code}")  # the chat petitioner, as before
    stranger = TelegramChat(chat.app, fake_telegram, Updates(chat_id=5550666))
    assert "Không tìm thấy" in stranger.say(f"/tracuu {code} {WRONG}")[0]
    assert stranger.say(f"/tracuu {code} {key}")[0].startswith(f"Đơn {code}")
    assert chat.app.test_client().get(f"/api/v1/status/{code}?key={key}").status_code == 200


# ---- dialogue registrations ---------------------------------------------------------------------------

def test_a_dialogue_registration_cannot_be_overwritten_with_the_phone_in_another_spelling(client, session):
    ds = make_session(session)
    assert register(client, ds, name="Trần Thị Hoa", phone="0912 000 003", question="Khi nào dời bãi rác?").status_code == 303
    web = register(client, ds, name="Kẻ Mạo Danh", phone="+84 912 000 003", question="Câu hỏi khác")
    assert web.status_code == 409 and "đã đăng ký" in web.get_data(as_text=True)
    api = client.post(f"/api/v1/dialogues/{ds.id}/registrations",
                      json={"name": "Kẻ Mạo Danh", "phone": "+84912000003", "question": "Câu hỏi khác"})
    assert api.status_code == 409 and api.get_json()["error"]["code"] == "already_registered"
    session.expire_all()
    [row] = session.scalars(select(DialogueRegistration)).all()
    assert (row.name, row.phone, row.question) == ("Trần Thị Hoa", "0912000003", "Khi nào dời bãi rác?")


# ---- the API channel and the phone quota ------------------------------------------------------------------

def test_an_anonymous_api_caller_cannot_claim_a_staff_channel(client, session):
    for channel in ("in_person", "hotline", "web", "telegram"):
        refused = client.post("/api/v1/petitions", json=api_petition(channel=channel))
        assert refused.status_code == 403 and "channel" in refused.get_json()["error"]["fields"]
        assert "kênh api" in refused.get_json()["error"]["fields"]["channel"][0]
    assert count_petitions(session) == 0
    assert client.post("/api/v1/petitions", json=api_petition(channel="api")).status_code == 201
    token = staff_token(session)
    entered = client.post("/api/v1/petitions", json=api_petition(channel="in_person"),
                          headers={"Authorization": f"Bearer {token}"})
    assert entered.status_code == 201
    assert session.scalar(select(Petition.channel).where(Petition.code == entered.get_json()["code"])) == "in_person"


def test_a_co_signers_phone_counts_in_the_per_phone_quota(limited_client, session):
    client = limited_client(RATELIMIT_PUBLIC="1000 per minute", RATELIMIT_PER_PHONE="2 per hour")
    for _ in range(2):
        assert client.post("/api/v1/petitions", json=api_petition()).status_code == 201
    # The same sender moves their number to a co-signer and leaves their own empty.
    dodged = client.post("/api/v1/petitions", json=api_petition(
        petitioner={"name": "Trần Thị Bình", "email": "binh@example.vn"},
        co_signers=[{"name": "Trần Thị Bình", "phone": "+84 912 345 678"}]))
    assert dodged.status_code == 429 and dodged.get_json()["error"]["code"] == "rate_limited"
    assert "co_signers.0.phone" in dodged.get_json()["error"]["fields"]
    # A phone listed as co-signer on petitions counts for its own petitions too.
    other = "0987654321"
    for i in range(2):
        assert client.post("/api/v1/petitions", json=api_petition(
            petitioner={"name": "Người gửi", "phone": f"09777777{i:02d}"},
            co_signers=[{"name": "Lê Văn Cường", "phone": other}])).status_code == 201
    assert client.post("/api/v1/petitions", json=api_petition(
        petitioner={"name": "Lê Văn Cường", "phone": other})).status_code == 429
    assert count_petitions(session) == 4


def test_an_over_long_query_string_is_a_json_414_in_the_api_error_format(client):
    response = client.get("/api/v1/petitions?q=" + "a" * 5000)
    assert response.status_code == 414
    body = response.get_json()["error"]
    assert body["code"] == "uri_too_long" and body["message"] and body["message_en"]
    open311 = client.get("/open311/v2/requests.json?service_code=" + "b" * 5000)
    assert open311.status_code == 414 and open311.get_json()[0]["code"] == 414


def test_gunicorn_reads_request_lines_longer_than_the_apps_limit():
    """gunicorn's own limit answers HTML; it must sit above the app's JSON 414."""
    import runpy
    from pathlib import Path

    from service.web.errors import MAX_QUERY_BYTES

    conf = runpy.run_path(str(Path(__file__).resolve().parents[2] / "config" / "gunicorn.conf.py"))
    assert conf["limit_request_line"] > MAX_QUERY_BYTES + 200
