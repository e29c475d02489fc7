"""Installable app and the page-weight budget (ARCHITECTURE 10: <= 50 KB)."""

import json
import re
from urllib.parse import urlsplit

from django.test import Client

from tests.builders import World

BUDGET = 50 * 1024


def test_the_manifest(client: Client) -> None:
    response = client.get("/field/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["start_url"] == "/field/"
    assert data["display"] == "standalone"
    assert data["theme_color"] == "#0b6e4f"
    assert data["name"]
    icon = data["icons"][0]
    assert icon["type"] == "image/svg+xml"
    assert client.get(icon["src"]).status_code == 200


def test_pages_link_the_manifest_and_register_the_worker(client: Client) -> None:
    html = client.get("/field/login/").content.decode()
    assert 'rel="manifest" href="/field/manifest.webmanifest"' in html
    assert 'serviceWorker.register("/field/sw.js"' in html


def test_the_service_worker_caches_the_shell(client: Client) -> None:
    response = client.get("/field/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    js = response.content.decode()
    assert "caches.open" in js
    assert '"/field/offline/"' in js
    assert '"/static/field/field.css"' in js
    assert client.get("/field/offline/").status_code == 200


def _assets(html: str) -> set[str]:
    found = re.findall(r'(?:href|src)="([^"]+)"', html)
    urls = {u for u in found if urlsplit(u).netloc == ""}
    keep = (".css", ".js", ".svg", ".png", ".webp", ".ico", ".webmanifest")
    return {u for u in urls if urlsplit(u).path.endswith(keep)}


def test_the_home_page_weighs_at_most_50_kb(client: Client, world: World) -> None:
    client.force_login(world.user("admin"))
    response = client.get("/field/")
    html = response.content.decode()
    assets = _assets(html)
    assert "/static/css/mcoms.css" in assets
    assert "/static/field/field.css" in assets
    total = len(response.content)
    for url in sorted(assets):
        asset = client.get(url)
        assert asset.status_code == 200, url
        body = b"".join(asset.streaming_content) if asset.streaming else asset.content
        total += len(body)
    print(f"field home: {total} bytes for HTML + {len(assets)} assets")  # noqa: T201
    assert total <= BUDGET
