"""Property tests of the domain with hypothesis: text folding, tracking codes, validation and intake.

Bounded (tens of examples each) and derandomised, so the suite stays fast and repeatable.
"""
from __future__ import annotations

import json
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from service.domain.errors import DomainError, ValidationFailed
from service.domain.inbound import CITIZEN, InboundMessage, Location, PersonData
from service.domain.intake import operations as intake
from service.domain.intake import tracking
from service.domain.intake.validation import FieldError, clean_text, normalise_phone
from service.domain.text import fold
from service.schemas.petition import PetitionCreateSchema

QUICK = settings(max_examples=100, deadline=None, derandomize=True)
SLOW = settings(max_examples=30, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Vietnamese letters with their marks, plus everything else Unicode has.
VIETNAMESE = st.sampled_from(list("aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợ"
                                  "ùủũúụừửữứựỳỷỹýỵĐĂÂÊÔƠƯ "))
TEXT = st.one_of(st.text(), st.text(VIETNAMESE))
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children,
                                                                                      max_size=4), max_leaves=20)


# ---- text.fold ----------------------------------------------------------------------------------

@QUICK
@given(TEXT)
def test_fold_is_idempotent_lower_case_markless_and_single_spaced(text):
    folded = fold(text)
    assert fold(folded) == folded
    assert folded == folded.strip() and "  " not in folded
    assert folded == folded.lower() or not any(c.isupper() for c in folded.lower())
    assert not any(unicodedata.combining(c) for c in folded)
    assert "đ" not in folded and "Đ" not in folded


@QUICK
@given(TEXT)
def test_fold_ignores_unicode_normalisation_form(text):
    """A phone keyboard may send decomposed (NFD) Vietnamese; it must match the composed form."""
    assert fold(unicodedata.normalize("NFD", text)) == fold(unicodedata.normalize("NFC", text))


@QUICK
@given(st.text(VIETNAMESE, min_size=1))
def test_fold_of_vietnamese_letters_is_plain_ascii(text):
    assert fold(text).replace(" ", "").isascii()


# ---- tracking codes -----------------------------------------------------------------------------

BODY = st.text(tracking.ALPHABET, min_size=8, max_size=8)


def code_of(body: str) -> str:
    return f"{body[:4]}-{body[4:]}-{tracking._check_char(body)}"


@QUICK
@given(BODY)
def test_check_character_catches_every_single_character_error(body):
    code = code_of(body)
    assert tracking.normalise_code(code) == code
    raw = code.replace("-", "")
    for position in range(len(raw)):
        for wrong in tracking.ALPHABET:
            if wrong == raw[position]:
                continue
            typo = raw[:position] + wrong + raw[position + 1:]
            assert tracking.normalise_code(typo) is None, (code, typo)


@QUICK
@given(BODY)
def test_check_character_catches_every_adjacent_swap(body):
    raw = code_of(body).replace("-", "")
    for i in range(len(raw) - 1):
        if raw[i] != raw[i + 1]:
            swapped = raw[:i] + raw[i + 1] + raw[i] + raw[i + 2:]
            assert tracking.normalise_code(swapped) is None, (raw, swapped)


@QUICK
@given(BODY, st.sampled_from([str.lower, str.upper, lambda c: c.replace("-", " "), lambda c: c.replace("-", "")]))
def test_codes_read_back_in_any_case_and_spacing(body, spell):
    code = code_of(body)
    assert tracking.normalise_code(spell(code)) == code


@QUICK
@given(st.text(max_size=30))
def test_normalise_code_never_raises(value):
    result = tracking.normalise_code(value)
    assert result is None or (len(result) == 11 and tracking.normalise_code(result) == result)


# ---- field validation ---------------------------------------------------------------------------

@QUICK
@given(TEXT, st.booleans(), st.integers(min_value=1, max_value=50))
def test_clean_text_returns_clean_bounded_nfc_text_or_a_field_error(value, multiline, max_chars):
    try:
        cleaned = clean_text(value, label="nội dung", multiline=multiline, max_chars=max_chars)
    except FieldError as err:
        assert err.message and err.message_en
        return
    if cleaned is not None:
        assert cleaned == unicodedata.normalize("NFC", cleaned) == cleaned.strip() and len(cleaned) <= max_chars
        assert not any(unicodedata.category(c) in ("Cc", "Cs") and c not in "\n\r\t" for c in cleaned)
        cleaned.encode("utf-8")


@QUICK
@given(st.one_of(st.text(max_size=20), st.from_regex(r"\A(\+84|84|0)[35789]\d{8}\Z")))
def test_phone_is_normalised_to_ten_or_eleven_digits_or_refused(value):
    try:
        phone = normalise_phone(value)
    except FieldError:
        return
    assert phone is None or (phone.isdigit() and phone.startswith("0") and len(phone) in (10, 11))


# ---- the API edge and intake ----------------------------------------------------------------------

@QUICK
@given(st.dictionaries(st.sampled_from(["content", "title", "unit", "kind", "petitioner", "co_signers", "location",
                                         "round", "anonymous", "consent", "received_at", "category", "extra"]),
                       JSON, max_size=8))
def test_petition_schema_accepts_or_refuses_any_json_without_crashing(data):
    try:
        message = PetitionCreateSchema().load_message(json.loads(json.dumps(data)))
    except ValidationError as err:
        assert err.messages
        return
    assert isinstance(message, InboundMessage) and isinstance(message.content, str)


PERSON = st.builds(PersonData, name=st.none() | TEXT, phone=st.none() | st.text(max_size=16),
                   email=st.none() | st.text(max_size=40), address=st.none() | TEXT, id_number=st.none() | TEXT)


@SLOW
@given(content=st.one_of(TEXT, st.text(min_size=19_990, max_size=20_010, alphabet="ab ")),
       title=st.none() | TEXT, unit=st.none() | st.sampled_from(["11914", "Cát Hải", "cat hai", "khong co", ""]) | TEXT,
       petitioner=st.none() | PERSON, co_signers=st.integers(min_value=-2, max_value=1002) | st.lists(PERSON, max_size=3),
       location=st.none() | st.builds(Location, lat=st.none() | st.floats(allow_nan=False),
                                      lon=st.none() | st.floats(allow_nan=False), address=st.none() | TEXT))
def test_intake_stores_clean_text_or_refuses_with_a_field_message(session, content, title, unit, petitioner,
                                                                   co_signers, location):
    message = InboundMessage(channel="api", content=content, title=title, unit=unit, petitioner=petitioner,
                             co_signers=co_signers, location=location, consent=True)
    try:
        with session.begin_nested():
            submitted = intake.submit(session, message, CITIZEN)
            petition = submitted.petition
            assert petition.content == clean_text(content, label="nội dung", required=True, max_chars=20_000,
                                                  multiline=True)
            assert petition.code == tracking.normalise_code(petition.code)
            raise _Undo
    except _Undo:
        pass
    except ValidationFailed as err:
        assert err.fields and all(isinstance(m, str) and m for ms in err.fields.values() for m in ms)
    except DomainError as err:  # e.g. the per-phone quota; never an unexpected exception
        assert err.message
    finally:
        session.rollback()


class _Undo(Exception):
    """Rolls the savepoint back: every example starts from the same database."""


@pytest.mark.parametrize("depth", [8, 9, 200, 5000])
def test_deep_json_is_refused_with_400_never_a_crash(client, depth):
    body = "[" * depth + "]" * depth
    answer = client.post("/api/v1/petitions", data=body, content_type="application/json")
    assert answer.status_code == 400
    assert answer.get_json()["error"]["message"]
