"""Intake's law over HTTP (issue #15 item 2): the same crowd without representatives gets the same refusal from
the web form, the Telegram bot and staff entry, and is accepted from API v1 with the petitioner standing in and
Văn phòng asked to complete them; consent is refused on the form and at staff entry, not for integrations."""
from __future__ import annotations

import re

from sqlalchemy import select

from bots import conversation
from bots.replies import Incoming
from service.domain.intake import law
from service.models import Event, OutboxMessage, Petition
from tests.helpers import count_petitions
from tests.web.console.conftest import login_as, make_user  # noqa: F401  (fixtures)
from tests.web.console.test_entry import _form as entry_form
from tests.web.console.test_entry import _post as entry_post
from tests.web.test_api_petitions import VALID, post
from tests.web.test_open311 import BASE, FORM, client_key  # noqa: F401  (the client application holding FORM's key)
from tests.web.test_public_pages import submit as web_submit

TOO_FEW = ("Đơn có 8 người cùng đứng tên: vui lòng ghi họ tên, số điện thoại của người đại diện "
           "(từ 1 đến 2 người, Luật Tiếp công dân, Điều 29).")
TOO_MANY = "Đơn có 8 người cùng đứng tên chỉ cử tối đa 2 người đại diện; bạn đã ghi 3 người"


def test_the_web_form_refuses_the_crowd_next_to_its_field(client, session):
    answer = web_submit(client, co_signers="7")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and count_petitions(session) == 0
    assert re.search(rf'id="f-representatives-error"><span class="visually-hidden">Lỗi: </span>{re.escape(TOO_FEW)}',
                     html)
    rows = {f"rep-{n}-{part}": value for n in range(1, 4)
            for part, value in (("name", f"Người {n}"), ("phone", f"091111111{n}"))}
    assert TOO_MANY in web_submit(client, co_signers="7", **rows).get_data(as_text=True)
    answer = web_submit(client, consent=None)
    assert answer.status_code == 422 and 'id="f-consent-error"' in answer.get_data(as_text=True)
    assert law.CONSENT_MISSING in answer.get_data(as_text=True)


def test_the_telegram_bot_refuses_the_crowd_with_the_same_message_and_asks_again(session):
    def say(text: str) -> list[str]:
        replies = conversation.handle(session, Incoming("telegram", "tg-law", f"m-{len(text)}-{text}", text=text))
        session.commit()
        return [r.text for r in replies]

    for text in ("/start", "1", "1", "Cống thoát nước ở tổ 3 bị tắc, nước tràn vào nhà dân.", "xong", "kim thanh",
                 "Tổ 3, thôn Kim Lũy", "0987654321", "Phạm Thị Dung", "7"):
        say(text)
    assert say("xong")[0] == TOO_FEW  # the web form's message, from intake's law
    assert count_petitions(session) == 0


def test_staff_entry_refuses_the_crowd_and_personal_data_without_consent(login_as, session):  # noqa: F811
    clerk = login_as("staff")
    answer = entry_post(clerk, entry_form(clerk, co_signers="7"))
    assert answer.status_code == 422 and TOO_FEW in answer.get_data(as_text=True)
    data = entry_form(clerk, co_signers="7", rep_self="1")
    data["rep_name"], data["rep_phone"] = ["Lê Thị Hoa", "Phạm Văn Nam"], ["0987654321", "0912000222"]
    answer = entry_post(clerk, data)
    assert answer.status_code == 422 and TOO_MANY in answer.get_data(as_text=True)
    answer = entry_post(clerk, entry_form(clerk, consent=None))
    assert answer.status_code == 422 and law.CONSENT_MISSING in answer.get_data(as_text=True)
    assert count_petitions(session) == 0


def test_the_api_accepts_the_crowd_with_the_petitioner_standing_in(client, session):
    answer = post(client, {**VALID, "co_signers": 7})  # no consent field: an integration's consent is its contract
    assert answer.status_code == 201, answer.get_json()
    session.expire_all()
    petition = session.scalar(select(Petition).where(Petition.code == answer.get_json()["code"]))
    assert [(p.role, p.representative) for p in petition.people] == [("petitioner", True)]
    assert session.scalar(select(Event.id).where(Event.petition_id == petition.id,
                                                 Event.kind == "representatives_requested"))
    notice = session.scalar(select(OutboxMessage).where(OutboxMessage.petition_id == petition.id,
                                                        OutboxMessage.channel == "console",
                                                        OutboxMessage.dedupe_key.like("representatives:%")))
    assert notice is not None and notice.recipient.startswith("office:")
    reps = [{"name": f"Người {n}", "phone": f"091111111{n}", "representative": True} for n in range(3)]
    refused = post(client, {**VALID, "co_signers": reps + [{"name": "Người 9"}] * 4})
    assert refused.status_code == 422 and "representatives" in refused.get_json()["error"]["fields"]


def test_open311_submits_as_an_integration_without_a_consent_field(client, session, client_key):
    answer = client.post(f"{BASE}/requests.json", data=FORM)  # Open311 has no consent nor co-signers: channel api
    assert answer.status_code in (200, 201), answer.get_data(as_text=True)
    assert session.scalar(select(Petition.channel)) == "api"
