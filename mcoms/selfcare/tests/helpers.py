"""Small helpers for the customer app tests."""

from __future__ import annotations

import re

from django.test import Client

from mcoms.customers.services import customer_user_for_phone
from mcoms.notifications.models import Message
from mcoms.org.models import User
from tests.builders import World

STAFF = ["operator", "technician", "csa", "cluster_incharge", "state_incharge"]
STAFF += ["ho_manager", "admin", "sika_csa", "other_admin"]
PHONE = "+919800000001"


def customer_user(world: World, key: str = "BHKATS") -> User:
    """The sign-in user of a customer's number, linked to the account."""
    customer = world.customers[key]
    user = customer_user_for_phone(phone=str(customer.phone))
    customer.user = user
    customer.save(update_fields=["user"])
    return user


def latest_code(phone: str = PHONE) -> str:
    """The code of the last SMS to ``phone``, read from the outbox."""
    body = Message.objects.filter(phone=phone).latest("created_at", "pk").body
    match = re.search(r"\b(\d{6})\b", body)
    assert match, body
    return match.group(1)


def start(client: Client, phone: str = PHONE):
    return client.post("/selfcare/login/", {"phone": phone})


def finish(client: Client, code: str):
    return client.post("/selfcare/login/verify/", {"code": code})
