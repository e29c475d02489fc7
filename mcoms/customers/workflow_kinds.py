"""The customer kinds of the approval chain (manual 3.5.6, Consumer Activity):
de-activation and re-activation. Found by ``WorkflowConfig.ready``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from mcoms.customers import status
from mcoms.workflow.kinds import RequestKind, register

register(
    RequestKind(
        code=status.DEACTIVATION,
        label=_("De-activation"),
        validate=status.deactivation_validate,
        perform=status.deactivation_perform,
        revert=status.status_revert,
        exclusive_key=status.status_exclusive_key,
        describe=status.status_describe,
    )
)
register(
    RequestKind(
        code=status.REACTIVATION,
        label=_("Re-activation"),
        validate=status.reactivation_validate,
        perform=status.reactivation_perform,
        revert=status.status_revert,
        exclusive_key=status.status_exclusive_key,
        describe=status.status_describe,
    )
)
