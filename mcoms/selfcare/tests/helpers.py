"""Small helpers for the customer app tests."""

from __future__ import annotations

from django.test import Client

from tests.builders import CUSTOMER_PHONE as PHONE
from tests.builders import customer_user, latest_code

__all__ = ["PHONE", "STAFF", "customer_user", "finish", "latest_code", "start"]

STAFF = ["operator", "technician", "csa", "cluster_incharge", "state_incharge"]
STAFF += ["ho_manager", "admin", "sika_csa", "other_admin"]


def start(client: Client, phone: str = PHONE):
    return client.post("/selfcare/login/", {"phone": phone})


def finish(client: Client, code: str):
    return client.post("/selfcare/login/verify/", {"code": code})
