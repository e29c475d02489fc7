"""Small helpers for the field app tests."""

from __future__ import annotations

from mcoms.customers.services import customer_user_for_phone
from mcoms.org.models import User
from tests.builders import World

FIELD_STAFF = ["operator", "technician", "csa", "cluster_incharge"]
FIELD_STAFF += ["state_incharge", "admin"]
NOT_FIELD = ["ho_manager"]


def customer_user(world: World, key: str = "BHKATS") -> User:
    """The sign-in user of a customer's number, linked to the account."""
    customer = world.customers[key]
    user = customer_user_for_phone(phone=str(customer.phone))
    customer.user = user
    customer.save(update_fields=["user"])
    return user
