"""The three apps share one manifest builder and one service worker; each
worker only ever deletes its own app's old caches."""

from __future__ import annotations

import json

import pytest
from django.test import Client


@pytest.mark.parametrize("app", ["backoffice", "field", "selfcare"])
def test_each_app_is_installable_with_its_own_scope(client: Client, app: str) -> None:
    manifest = json.loads(client.get(f"/{app}/manifest.webmanifest").content)
    assert manifest["start_url"] == manifest["scope"] == f"/{app}/"
    assert client.get(manifest["icons"][0]["src"]).status_code == 200
    worker = client.get(f"/{app}/sw.js")
    assert worker["Content-Type"].startswith("text/javascript")
    js = worker.content.decode()
    assert f'const PREFIX = "mcoms-{app}-"' in js
    assert "k.startsWith(PREFIX) && k !== CACHE" in js
    assert '"/static/css/mcoms.css"' in js
