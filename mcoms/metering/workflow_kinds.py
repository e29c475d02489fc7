"""The metering kinds of the approval chain: Change Meter (manual 3.8.2) and
Unreleased Meter (manual 3.8.3). Found by ``WorkflowConfig.ready``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from mcoms.metering import changes, releases
from mcoms.workflow.kinds import RequestKind, register

register(
    RequestKind(
        code=changes.METER_CHANGE,
        label=_("Change Meter"),
        validate=changes.change_validate,
        perform=changes.change_perform,
        describe=changes.change_describe,
        # Raised by the one who changes it; the acknowledgement is the review.
        needs_approval=False,
    )
)
register(
    RequestKind(
        code=releases.METER_RELEASE,
        label=_("Unreleased Meter"),
        validate=releases.release_validate,
        perform=releases.release_perform,
        exclusive_key=releases.release_exclusive_key,
        describe=releases.release_describe,
        needs_approval=False,
    )
)
