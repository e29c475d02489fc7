"""The dashboard: real counts in the user's scope, and the per-plant table."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from mcoms.backoffice import summaries
from mcoms.backoffice.views.common import StaffRequest, backoffice_view
from mcoms.org.access import require
from mcoms.org.permissions import Action


@require_GET
@backoffice_view
def dashboard(request: StaffRequest) -> HttpResponse:
    staff = require(request.user, Action.ORG_VIEW)
    groups, total = summaries.plant_table(request.user)
    context = {
        "staff": staff,
        "groups": groups,
        "total": total,
        "figures": summaries.counts(request.user, total),
    }
    return render(request, "backoffice/dashboard.html", context)
