"""The OpenAPI schema is complete and valid; the docs are served offline."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command


def test_the_schema_validates_without_warnings() -> None:
    out = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    assert "/api/v1/plants/{key}/" in out.getvalue()


@pytest.mark.django_db
def test_the_schema_is_served_as_openapi_3(anon) -> None:
    response = anon.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/states/{code}/" in schema["paths"]
    assert "tokenAuth" in schema["components"]["securitySchemes"]
    ops = [op for path in schema["paths"].values() for op in path.values()]
    assert all(op.get("operationId") for op in ops)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_the_docs_load_nothing_from_another_host(anon, url: str) -> None:
    response = anon.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "drf_spectacular_sidecar" in html
    hosts = set(re.findall(r"""(?:https?:)?//([^/"'\s<>]+)""", html))
    assert hosts <= {"testserver"}, hosts
