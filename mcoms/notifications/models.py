"""The outbox (one row per message to a person) and one-time codes (OTP)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from mcoms.org.models import Language


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    INAPP = "inapp", _("In-app")
    EMAIL = "email", _("E-mail")


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Message(models.Model):
    """One message to one person, written in the sender's transaction and
    delivered by a task after commit (``services.message_queue``)."""

    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    phone = PhoneNumberField(_("mobile number"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    template = models.CharField(_("template"), max_length=64)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.ENGLISH
    )
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    # The body with secrets (an OTP) masked; replaces ``body`` once delivery ends.
    redacted_body = models.TextField(blank=True)
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=MessageStatus.choices,
        default=MessageStatus.QUEUED,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    provider_ref = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    # A message worth nothing later (an OTP) is never sent after this time, and
    # its secret is masked in the stored text once it is sent or has expired.
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["user", "channel", "read_at"]),
            models.Index(fields=["phone", "created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="message_has_recipient",
                condition=(
                    (Q(channel="sms") & ~Q(phone=""))
                    | (Q(channel="email") & ~Q(email=""))
                    | Q(channel="inapp", user__isnull=False)
                ),
            ),
        ]

    def __str__(self) -> str:
        to = self.phone or self.email or self.user_id
        return f"{self.channel} {self.template} to {to} ({self.status})"


class OtpPurpose(models.TextChoices):
    LOGIN = "login", _("Sign in")
    VERIFY = "verify", _("Verify a mobile number")
    PROFILE_EDIT = "profile_edit", _("Confirm a profile change")
    CONNECTION_REQUEST = "connection_request", _("Request a new connection")


class OtpCode(models.Model):
    """A one-time code sent by SMS. Only an HMAC of the code is stored."""

    phone = PhoneNumberField(_("mobile number"))
    purpose = models.CharField(_("purpose"), max_length=20, choices=OtpPurpose.choices)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created"))
    expires_at = models.DateTimeField(_("expires"))
    attempts = models.PositiveSmallIntegerField(_("wrong tries"), default=0)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    invalidated = models.BooleanField(_("invalidated"), default=False)
    # Set when the last allowed try fails: no new code or check for this
    # phone and purpose until then.
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("one-time code")
        indexes = [
            models.Index(fields=["phone", "purpose", "created_at"]),
            models.Index(fields=["phone", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"OTP {self.purpose} for {self.phone} ({self.created_at:%Y-%m-%d %H:%M})"
