"""The OpenAPI document describes the API as it behaves."""
from __future__ import annotations


def test_openapi_document_describes_petition_submission(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    post = spec["paths"]["/api/v1/petitions"]["post"]
    assert {"201", "400", "413", "415", "422"} <= set(post["responses"])
    schema = spec["components"]["schemas"]["PetitionCreate"]
    assert schema["required"] == ["content"] and schema["additionalProperties"] is False
    assert set(schema["properties"]) >= {"content", "title", "unit", "channel", "kind", "category", "round",
                                         "petitioner", "anonymous", "co_signers", "location", "received_at"}
    assert "/api/v1/status/{code}" in spec["paths"]
