"""Helpers for the profile-change tests."""

from __future__ import annotations

import re
from typing import Any

from mcoms.customers.models import Customer, ProfileChange
from mcoms.customers.profile import profile_change_request
from mcoms.notifications.models import Message
from tests.builders import World

OLD = "+919800000001"  # the BHKATS customer's registered number
NEW = "+919811122233"


def code_sent_to(phone: str) -> str:
    """The code of the last verification SMS to ``phone`` (read from the
    outbox: the text is masked only once a worker sent it)."""
    body = (
        Message.objects.filter(phone=phone, template="otp_verify")
        .latest("created_at", "pk")
        .body
    )
    found = re.search(r"\b(\d{6})\b", body)
    assert found, body
    return found.group(1)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def fresh(world: World, key: str = "BHKATS") -> Customer:
    return Customer.objects.get(pk=world.customers[key].pk)


def request(
    world: World, by: str = "csa", key: str = "BHKATS", **changes: Any
) -> ProfileChange:
    user = world.customers[key].user if by == "customer" else world.user(by)
    assert user is not None
    change, created = profile_change_request(
        customer=world.customers[key], changes=changes, by=user
    )
    assert created
    return change
