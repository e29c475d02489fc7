import json

from django.test import Client


def test_the_manifest(client: Client) -> None:
    response = client.get("/selfcare/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["start_url"] == "/selfcare/"
    assert data["display"] == "standalone"
    assert data["theme_color"]
    assert data["icons"][0]["type"] == "image/svg+xml"
    assert client.get(data["icons"][0]["src"]).status_code == 200


def test_the_service_worker(client: Client) -> None:
    response = client.get("/selfcare/sw.js")
    assert response["Content-Type"].startswith("text/javascript")
    assert b'"/selfcare/offline/"' in response.content
    assert client.get("/selfcare/offline/").status_code == 200
    html = client.get("/selfcare/login/").content.decode()
    assert 'rel="manifest" href="/selfcare/manifest.webmanifest"' in html
    assert 'serviceWorker.register("/selfcare/sw.js"' in html
