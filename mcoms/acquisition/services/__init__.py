"""Writes of the acquisition pipeline, one service per step (see
docs/acquisition.md for the order, the refusals and who is told).

Import from here: ``from mcoms.acquisition import services`` then
``services.prospect_create(...)``.
"""

from mcoms.acquisition.services.connection import (
    charge_keys,
    deposit_receivable,
    prospect_activate,
    prospect_connection_step,
    prospect_meter_assign,
    prospect_meter_install,
)
from mcoms.acquisition.services.instant import prospect_instant_create
from mcoms.acquisition.services.kyc import kyc_document_add, prospect_kyc_submit
from mcoms.acquisition.services.pipeline import (
    anticipated_kwh,
    deposit_for,
    prospect_account_create,
    prospect_acquire,
    prospect_create,
    prospect_kyc_complete,
    prospect_marketing_record,
    prospect_package_assign,
    prospect_reject,
    prospect_reopen,
    prospect_survey_record,
    prospect_update,
)
from mcoms.acquisition.services.requests import (
    connection_request_start,
    connection_request_submit,
)

__all__ = [
    "anticipated_kwh",
    "charge_keys",
    "connection_request_start",
    "connection_request_submit",
    "deposit_for",
    "deposit_receivable",
    "kyc_document_add",
    "prospect_account_create",
    "prospect_acquire",
    "prospect_activate",
    "prospect_connection_step",
    "prospect_create",
    "prospect_instant_create",
    "prospect_kyc_complete",
    "prospect_kyc_submit",
    "prospect_marketing_record",
    "prospect_meter_assign",
    "prospect_meter_install",
    "prospect_package_assign",
    "prospect_reject",
    "prospect_reopen",
    "prospect_survey_record",
    "prospect_update",
]
