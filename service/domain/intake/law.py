"""The law of intake: what a petition must satisfy whatever channel brought it (web form, API v1, Open311,
the Telegram and Zalo bots, staff entry). Each rule is written once, here, and cites its article; `_validate`
in operations.py runs them all. A channel only translates its input into an InboundMessage and maps the
field names of the errors (`consent`, `petitioner`, `representatives`, `co_signers.<i>.name`, …) to its own.

The phone quota (RATELIMIT_PER_PHONE) is not law but service policy: it lives in quota.py, also run by intake.
"""
from __future__ import annotations

from collections.abc import Iterator

from service.domain.codes import KINDS, categories
from service.domain.inbound import InboundMessage, PersonData
from service.domain.intake.validation import MAX_CO_SIGNERS, FieldError
from service.domain.matters.flags import (
    CROWD,  # five or more people on one content (Luật TCD Điều 29 k1)
)
from service.domain.matters.operations import (
    representative_limits,  # 1–2 up to ten people, else up to 5
)

Problem = tuple[str, FieldError]  # (field, error)

# Integrations (API v1 and Open311 both submit as channel "api"): their consent is their contract with the
# city (the client collected it under its terms of use), and they have no way to ask a crowd for its
# representatives, so the petitioner stands in and Văn phòng completes them (see `stands_in`).
INTEGRATION_CHANNELS = frozenset({"api"})


CONSENT_MISSING = ("Cần có sự đồng ý của người gửi cho việc xử lý dữ liệu cá nhân (Luật Bảo vệ dữ liệu cá nhân "
                   "91/2025/QH15), hoặc không ghi thông tin cá nhân.")


def kind_and_category(msg: InboundMessage) -> Iterator[Problem]:
    """The four kinds of petition (Luật Khiếu nại Đ2, Luật Tố cáo Đ2, Luật Tiếp công dân Đ2), a known
    category, and a complaint's round: first or second (Luật Khiếu nại Đ7)."""
    if msg.kind is not None and msg.kind not in KINDS:
        yield "kind", FieldError("Loại đơn không hợp lệ (phan_anh, kien_nghi, khieu_nai, to_cao).",
                                 "Unknown kind (phan_anh, kien_nghi, khieu_nai, to_cao).")
    if msg.category is not None and msg.category not in categories():
        yield "category", FieldError("Lĩnh vực không hợp lệ.", "Unknown category.")
    if msg.round not in (1, 2):
        yield "round", FieldError("Lần khiếu nại chỉ có thể là 1 hoặc 2.", "round must be 1 or 2.")


def carries_personal_data(msg: InboundMessage) -> bool:
    """A name, contact or ID of anyone on the petition, or the chat account it came from."""
    people = ([msg.petitioner] if msg.petitioner else []) + msg.co_signer_list
    return bool(msg.chat_user_id) or any(p.name or p.phone or p.email or p.address or p.id_number for p in people)


def consent(msg: InboundMessage) -> Iterator[Problem]:
    """Personal data is processed only with the data subject's consent (Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15;
    Nghị định 13/2023 Điều 11): the citizen ticks it (web, Telegram, Zalo) or the clerk records that the caller
    or visitor gave it (hotline, e-mail, SMS, in person, paper). Integrations (channel api) are exempt here:
    their consent is their contract, as it has always been. Without consent the data is not even validated."""
    if msg.channel not in INTEGRATION_CHANNELS and not msg.consent and carries_personal_data(msg):
        yield "consent", FieldError(CONSENT_MISSING, "Consent to personal-data processing is required.")


def identity(msg: InboundMessage, person: PersonData | None) -> Iterator[Problem]:
    """A complaint needs the complainant's name and address (Luật Khiếu nại Đ8); a named denunciation
    needs the denouncer's name and a contact (Luật Tố cáo Đ23), unless sent anonymously (Đ25)."""
    has_name = bool(person and person.name)
    has_contact = bool(person and (person.address or person.phone or person.email))
    if msg.kind == "khieu_nai" and not (has_name and has_contact):
        yield "petitioner", FieldError(
            "Đơn khiếu nại cần ghi rõ họ tên và địa chỉ hoặc số điện thoại của người khiếu nại.",
            "A complaint needs the complainant's name and an address or phone.")
    if msg.kind == "to_cao" and not msg.anonymous and not (has_name and has_contact):
        yield "petitioner", FieldError(
            "Đơn tố cáo cần họ tên và cách liên hệ của người tố cáo (được giữ bí mật), hoặc chọn gửi nặc danh.",
            "A denunciation needs the denouncer's name and contact, or anonymous=true.")


def representatives(msg: InboundMessage, petitioner: PersonData | None,
                    co_signers: list[PersonData]) -> Iterator[Problem]:
    """Five or more people on one petition appoint representatives (Luật Tiếp công dân Điều 29 k1): 1–2 for up
    to ten people, at most 5 beyond (Nghị định 124/2020 Điều 6 k2), each with a name and a phone or address to reach them.
    An anonymous petition names no one. A channel that cannot ask (`stands_in`) is not refused for their absence."""
    count = msg.co_signer_count
    if count < 0 or count > MAX_CO_SIGNERS:
        return  # the count's own error says it
    people = 1 + count
    listed = [(i, p) for i, p in enumerate(co_signers) if p.representative]
    sender = bool(petitioner and petitioner.representative)
    named = len(listed) + sender
    if named and msg.anonymous:
        yield "representatives", FieldError(
            "Đơn gửi nặc danh không ghi người đại diện: bỏ chọn gửi nặc danh hoặc xoá phần người đại diện.",
            "An anonymous petition names no representatives.")
        return
    if named and people < CROWD:
        yield "representatives", FieldError(
            f"Chỉ cử người đại diện khi có từ {CROWD} người trở lên cùng đứng tên đơn: hãy ghi số người cùng ký, "
            f"hoặc xoá phần người đại diện.", f"Representatives are appointed by {CROWD} or more people only.")
        return
    if msg.anonymous or people < CROWD:
        return
    low, high = representative_limits(people)
    if named < low and msg.channel not in INTEGRATION_CHANNELS:
        yield "representatives", FieldError(
            f"Đơn có {people} người cùng đứng tên: vui lòng ghi họ tên, số điện thoại của người đại diện "
            f"(từ {low} đến {high} người, Luật Tiếp công dân, Điều 29).",
            f"{people} people sign: name {low} to {high} representatives (name and phone).")
    elif named > high:
        yield "representatives", FieldError(
            f"Đơn có {people} người cùng đứng tên chỉ cử tối đa {high} người đại diện; bạn đã ghi {named} người "
            f"(Luật Tiếp công dân, Điều 29).", f"{people} people appoint at most {high} representatives; {named} named.")
    for n, (i, person) in enumerate(listed, start=1):
        if not person.name:
            yield f"co_signers.{i}.name", FieldError(f"Cần nhập họ tên người đại diện thứ {n}.",
                                                     f"Representative {n} needs a name.")
        if not (person.phone or person.address):
            yield f"co_signers.{i}.phone", FieldError(
                f"Cần nhập số điện thoại hoặc địa chỉ của người đại diện thứ {n}.",
                f"Representative {n} needs a phone or an address.")
    if sender and not petitioner.name:
        yield "petitioner.representative", FieldError(
            "Để là người đại diện, người gửi đơn cần ghi họ và tên của mình.",
            "A sender who represents the crowd needs a name.")


def stands_in(msg: InboundMessage, petitioner: PersonData | None, co_signers: list[PersonData]) -> bool:
    """A crowd without representatives from a channel that cannot ask for them (API v1, Open311): accepted,
    the petitioner stands as representative, and Văn phòng is asked to complete them (Luật TCD Điều 29)."""
    count = msg.co_signer_count
    if msg.channel not in INTEGRATION_CHANNELS or msg.anonymous or not 0 <= count <= MAX_CO_SIGNERS:
        return False
    named = sum(p.representative for p in co_signers) + bool(petitioner and petitioner.representative)
    return 1 + count >= CROWD and named < representative_limits(1 + count)[0]
