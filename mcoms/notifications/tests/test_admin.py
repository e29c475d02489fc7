from __future__ import annotations

from django.test import Client
from django.urls import reverse

from mcoms.notifications.models import Message, OtpCode
from mcoms.notifications.otp import otp_request


def test_admin_shows_messages_and_codes_read_only_and_masked(
    admin_client: Client,
) -> None:
    otp_request(phone="+919800000555", purpose="login")  # not delivered in tests
    message = Message.objects.get()
    otp = OtpCode.objects.get()
    page = admin_client.get(
        reverse("admin:notifications_message_change", args=[message.pk])
    )
    assert page.status_code == 200
    assert message.body not in page.content.decode()
    assert "******" in page.content.decode()
    page = admin_client.get(
        reverse("admin:notifications_otpcode_change", args=[otp.pk])
    )
    assert page.status_code == 200
    assert otp.code_hash not in page.content.decode()
    assert (
        admin_client.get(reverse("admin:notifications_message_add")).status_code == 403
    )
    changelist = admin_client.get(reverse("admin:notifications_message_changelist"))
    assert changelist.status_code == 200
