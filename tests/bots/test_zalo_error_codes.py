"""Zalo's OA error codes as its table gives them (issue #18): an invalid (-216) or expired (-220) access token is
refreshed once and the reply resent; a citizen the OA cannot message now (not a follower, no interaction within
the window, inactive, restricted) is `window_closed`, so a notice falls back to ZNS/SMS; other errors are not."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from service.models import ChannelToken
from service.outbound.zalo.client import ZaloApiError, ZaloClient
from tests.bots.fake_zalo import APP_ID, APP_SECRET


@pytest.mark.parametrize("code, text", [(-216, "Access token is invalid"), (-220, "access_token is expired or removed")])
def test_an_invalid_or_expired_token_is_refreshed_and_the_reply_resent(zalo_chat, fake_zalo, session, code, text):
    zalo_chat.say("alo")  # seeds the stored pair from the settings
    fake_zalo.stale_token_error = (code, text)
    fake_zalo.expire_access_token()
    assert zalo_chat.say("1")  # refused with `code`, refreshed with refresh-1, resent
    assert [m for m, _ in fake_zalo.calls].count("access_token") == 1
    token = session.scalar(select(ChannelToken).where(ChannelToken.channel == "zalo"))
    session.refresh(token)
    assert token.access_token == fake_zalo.access_token


@pytest.mark.parametrize("code, window_closed", [(-213, True), (-227, True), (-230, True), (-232, True), (-244, True),
                                                 (-32, False), (-201, False), (-211, False), (-216, False)])
def test_which_refusals_mean_the_oa_cannot_reach_the_citizen(fake_zalo, code, window_closed):
    client = ZaloClient(APP_ID, APP_SECRET, api_base=fake_zalo.url, oauth_base=fake_zalo.url)
    fake_zalo.error = code
    with pytest.raises(ZaloApiError) as refused:
        client.send_text(fake_zalo.access_token, "u-1", "Xin chào")
    assert refused.value.code == code and refused.value.window_closed is window_closed
    assert refused.value.token_invalid is (code in (-216, -220))
