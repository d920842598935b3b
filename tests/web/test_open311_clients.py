"""Open311 GeoReport v2 as the spec says, through a live server and a real client: the `georeport` package
(PyPI, unchanged) reads services and requests. It has no POST, and the two packages that do (`three` 0.8,
`open311` 1.1) are Python 2 only (`from itertools import ifilter`, an implicit relative import) and do not
import on Python 3.11, so POSTs are sent with `requests` exactly as `three.Three.post` builds them
(form fields, api_key, address_string, first_name/last_name, `media` as a multipart file)."""
from __future__ import annotations

import threading

import pytest
import requests
from georeport import GeoReport
from sqlalchemy import select
from werkzeug.serving import make_server

from service.models.attachment import Attachment
from service.models.open311 import Open311Client
from service.models.petition import Petition
from tests.helpers import png_bytes

JURISDICTION = "Phường Nam Đồ Sơn"
STORY = "Ổ gà lớn giữa đường trục thôn Lai Khê, xe máy đi qua dễ ngã, đề nghị vá lại."


@pytest.fixture
def server(app):
    srv = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def api_key(app):
    """A key issued as an operator issues it: `flask open311-keys create --name …`, the key on the last line."""
    result = app.test_cli_runner().invoke(args=["open311-keys", "create", "--name", "Ứng dụng Hải Phòng số"])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def three_post(base: str, service_code: str | None, media=None, **kwargs) -> requests.Response:
    """What `three.Three(base).post(service_code, **kwargs)` sends (three/core.py, 0.8.0)."""
    if service_code is not None:
        kwargs["service_code"] = service_code
    if "address" in kwargs:
        kwargs["address_string"] = kwargs.pop("address")
    if "name" in kwargs:
        kwargs["first_name"], kwargs["last_name"] = kwargs.pop("name").split(" ")
    return requests.post(f"{base}/open311/v2/requests.json", data=kwargs,
                         files={"media": media} if media else None, timeout=30)


def good(api_key: str, **change):
    fields = {"api_key": api_key, "jurisdiction_id": JURISDICTION, "lat": "20.7123", "long": "106.7891",
              "description": STORY, "email": "open311@example.vn", "phone": "0916222333", "name": "Minh Trần"}
    fields.update(change)
    return {k: v for k, v in fields.items() if v is not None}


def test_the_key_is_printed_last_stored_hashed_listed_and_revocable(app, session, api_key, server):
    rows = session.scalars(select(Open311Client)).all()
    assert [r.name for r in rows] == ["Ứng dụng Hải Phòng số"] and api_key not in rows[0].key_hash
    assert len(rows[0].key_hash) == 64
    listed = app.test_cli_runner().invoke(args=["open311-keys", "list"])
    assert "Ứng dụng Hải Phòng số" in listed.output and "còn hiệu lực" in listed.output
    assert three_post(server, "ha_tang_giao_thong", **good(api_key)).status_code == 200
    revoked = app.test_cli_runner().invoke(args=["open311-keys", "revoke", "Ứng dụng Hải Phòng số"])
    assert revoked.exit_code == 0 and "Đã thu hồi 1 khóa" in revoked.output
    refused = three_post(server, "ha_tang_giao_thong", **good(api_key))
    assert refused.status_code == 403
    [error] = refused.json()
    assert error["code"] == 403 and error["description"].startswith("api_key:")


def test_a_post_without_a_key_is_403_in_the_spec_format(server, session):
    response = three_post(server, "ha_tang_giao_thong", **good(None))
    assert response.status_code == 403
    assert [e["code"] for e in response.json()] == [403]
    assert session.scalar(select(Petition.id)) is None


@pytest.mark.parametrize("change, field", [
    ({"service_code": None}, "service_code"),
    ({"lat": None, "long": None}, "lat/long/address_string/address_id"),
])
def test_service_code_and_a_location_are_required(server, session, api_key, change, field):
    code = change.pop("service_code", "ha_tang_giao_thong")
    response = three_post(server, code, **good(api_key, **change))
    assert response.status_code == 400
    [error] = response.json()
    assert error["code"] == 400 and error["description"].startswith(field)
    assert session.scalar(select(Petition.id)) is None


@pytest.mark.parametrize("location", [{"address": "Ngõ 12 phố Vạn Lý"}, {"address_id": "HP-NDS-0012"}])
def test_an_address_or_address_id_is_location_enough(server, session, api_key, location):
    response = three_post(server, "ha_tang_giao_thong", **good(api_key, lat=None, long=None, **location))
    assert response.status_code == 200, response.text


def test_media_url_attributes_device_and_account_are_kept_and_media_url_returned(server, session, api_key):
    fields = good(api_key, media_url="https://example.vn/anh/o-ga.jpg", device_id="android-7f3a",
                  account_id="citizen-42", **{"attribute[WHISPER]": "nhỏ", "attribute[FLOORS][]": ["1", "2"]})
    response = three_post(server, "ha_tang_giao_thong", **fields)
    assert response.status_code == 200, response.text
    [answer] = response.json()
    assert answer["account_id"] == "citizen-42"
    code = answer["service_request_id"]
    petition = session.scalar(select(Petition).where(Petition.code == code))
    assert petition.channel_data == {"media_url": "https://example.vn/anh/o-ga.jpg", "device_id": "android-7f3a",
                                     "account_id": "citizen-42",
                                     "attributes": {"WHISPER": "nhỏ", "FLOORS": ["1", "2"]}}
    if petition.kind in ("phan_anh", "kien_nghi"):  # what GET shows of a report
        read = GeoReport(f"{server}/open311/v2", jurisdiction=JURISDICTION).get_service_request(code)
        assert read["media_url"] == "https://example.vn/anh/o-ga.jpg"


def test_a_multipart_media_file_becomes_an_attachment(server, session, api_key):
    response = three_post(server, "ha_tang_giao_thong", media=("o-ga.png", png_bytes(), "image/png"),
                          **good(api_key))
    assert response.status_code == 200, response.text
    code = response.json()[0]["service_request_id"]
    petition = session.scalar(select(Petition).where(Petition.code == code))
    files = session.scalars(select(Attachment).where(Attachment.petition_id == petition.id)).all()
    assert [f.filename for f in files] == ["o-ga.png"]


def test_html_in_a_description_is_stripped(server, session, api_key):
    html = "<p>Ổ gà <b>lớn</b> ở thôn Lai Khê</p><script>alert(1)</script><img src=x onerror=alert(2)>"
    response = three_post(server, "ha_tang_giao_thong", **good(api_key, description=html))
    assert response.status_code == 200, response.text
    petition = session.scalar(select(Petition).where(Petition.code == response.json()[0]["service_request_id"]))
    assert petition.content == "Ổ gà lớn ở thôn Lai Khê"


def test_georeport_reads_services_and_requests(server, session, api_key):
    client = GeoReport(f"{server}/open311/v2", jurisdiction=JURISDICTION, api_key=api_key)
    services = client.get_service_list()
    assert "ha_tang_giao_thong" in [s["service_code"] for s in services]
    assert client.get_service_definition("ha_tang_giao_thong")["service_code"] == "ha_tang_giao_thong"
    code = three_post(server, "ha_tang_giao_thong", **good(api_key)).json()[0]["service_request_id"]
    assert code in [r["service_request_id"] for r in client.get_service_requests()]
    xml = GeoReport(f"{server}/open311/v2", jurisdiction=JURISDICTION, output_format="xml")
    assert xml.get_service_request(code)["service_request_id"] == code


@pytest.mark.parametrize("start", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1969-12-31T00:00:00Z"])
def test_dates_outside_a_sane_range_are_400(server, start):
    with pytest.raises(requests.HTTPError) as caught:
        GeoReport(f"{server}/open311/v2").get_service_requests(start_date=start)
    assert caught.value.response.status_code == 400
    assert caught.value.response.json()[0]["code"] == 400


def test_discovery_document(server):
    for fmt in ("json", "xml"):
        response = requests.get(f"{server}/open311/discovery.{fmt}", timeout=30)
        assert response.status_code == 200
    document = requests.get(f"{server}/open311/discovery.json", timeout=30).json()
    assert document["contact"] and document["changeset"]
    [endpoint] = document["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == f"{server}/open311/v2/" and endpoint["type"] == "production"
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    services = GeoReport(endpoint["url"]).get_service_list()  # the listed endpoint answers
    assert services
