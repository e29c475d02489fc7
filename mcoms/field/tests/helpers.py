"""Small helpers for the field app tests."""

from __future__ import annotations

from tests.builders import customer_user

__all__ = ["FIELD_STAFF", "NOT_FIELD", "customer_user"]

FIELD_STAFF = ["operator", "technician", "csa", "cluster_incharge"]
FIELD_STAFF += ["state_incharge", "admin"]
NOT_FIELD = ["ho_manager"]
