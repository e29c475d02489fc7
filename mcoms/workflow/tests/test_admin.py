from __future__ import annotations

from django.test import Client
from django.urls import reverse

from mcoms.org.models import User
from mcoms.workflow.tests.conftest import walk


def test_admin_shows_requests_and_steps_read_only(world, raise_probe) -> None:
    req = walk(world, raise_probe(), "review")
    client = Client()
    client.force_login(
        User.objects.create_superuser("root", "root@example.com", "x-pass-1234")
    )
    page = client.get(reverse("admin:workflow_request_change", args=[req.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert req.number in html and "technician" in html
    listing = client.get(reverse("admin:workflow_request_changelist"))
    assert req.number in listing.content.decode()
    assert client.get(reverse("admin:workflow_request_add")).status_code == 403
    delete = reverse("admin:workflow_request_delete", args=[req.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
