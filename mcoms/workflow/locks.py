"""Row locks of the workflow, always taken request first, then the subject
(a kind's handler locks its own rows after the request)."""

from __future__ import annotations

from mcoms.workflow.models import Request


def lock_request(pk: int) -> Request:
    """The request row, locked until the transaction ends, freshly read."""
    return (
        Request.objects.select_for_update(of=("self",))
        .select_related("plant__state", "subject")
        .get(pk=pk)
    )
