"""CSV import in the back office (docs/import.md): upload, read the dry run's
report, confirm. The uploaded files are kept server-side (an ``ImportBatch``)
between the dry run and the confirmation, named by a token in the URL."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mcoms.backoffice.views.common import StaffRequest, backoffice_view
from mcoms.backoffice.views.packages import refusal
from mcoms.core.errors import DomainError
from mcoms.customers import imports
from mcoms.packages.models import ImportState

SHOWN_ERRORS = 1000  # the page lists this many; the API has them all
EXAMPLES = {
    "packages": (
        imports.PACKAGE_COLUMNS,
        "BHKATS,A1.1,NN,17,160,30,,,,,150,fixed,100,,320,yes",
    ),
    "customers": (
        imports.CUSTOMER_COLUMNS,
        "BHKATS,11,,,राम कुमार,9811122333,Ward 4,household,active,,"
        "A1.1(NN)/17/160,2024-03-31,hi",
    ),
}


class UploadForm(forms.Form):
    packages = forms.FileField(
        label=gettext_lazy("Packages file (CSV)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    customers = forms.FileField(
        label=gettext_lazy("Customers file (CSV)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    token = forms.CharField(widget=forms.HiddenInput, max_length=120)


def _upload(request: StaffRequest, form: UploadForm) -> str | None:
    """The batch's token, or None with the refusal on the form."""
    try:
        files = [
            imports.read_uploaded(kind, form.cleaned_data[kind])
            for kind in ("packages", "customers")
            if form.cleaned_data.get(kind)
        ]
        batch, _created = imports.import_upload(
            user=request.user, files=files, idempotency_key=form.cleaned_data["token"]
        )
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, refusal(exc))
        return None
    return str(batch.token)


@require_http_methods(["GET", "POST"])
@backoffice_view
def import_home(request: StaffRequest) -> HttpResponse:
    """The upload form and the uploads so far."""
    recent = imports.imports_for(request.user)[:20]  # 403 without customer.import
    form = UploadForm(
        request.POST or None, request.FILES or None, initial={"token": uuid.uuid4()}
    )
    if request.method == "POST" and form.is_valid():
        token = _upload(request, form)
        if token is not None:
            return redirect("backoffice:import-detail", token)
    context = {"form": form, "recent": recent, "max_mb": imports.max_bytes() >> 20}
    return render(request, "backoffice/imports/home.html", context)


@require_GET
@backoffice_view
def import_detail(request: StaffRequest, token: str) -> HttpResponse:
    """The report: every bad row with its column and reason, or the button
    that imports."""
    batch = imports.get_import_for_user(request.user, token)
    errors = batch.report.get("errors", [])
    context = {
        "batch": batch,
        "errors": errors[:SHOWN_ERRORS],
        "more": max(0, len(errors) - SHOWN_ERRORS),
        "rows": batch.report.get("rows", {}),
        "may_confirm": batch.state == ImportState.CHECKED and batch.report.get("ok"),
    }
    return render(request, "backoffice/imports/detail.html", context)


@require_POST
@backoffice_view
def import_confirm(request: StaffRequest, token: str) -> HttpResponse:
    batch = imports.get_import_for_user(request.user, token)
    try:
        batch = imports.import_commit(batch=batch, user=request.user)
    except DomainError as exc:
        messages.error(request, refusal(exc))
    else:
        if batch.state == ImportState.COMMITTED:
            created = batch.report.get("created", {})
            messages.success(
                request,
                _("Imported %(p)s packages and %(c)s customers.")
                % {"p": created.get("packages", 0), "c": created.get("customers", 0)},
            )
        else:
            messages.error(
                request, _("Some rows are no longer right: nothing was imported.")
            )
    return redirect("backoffice:import-detail", batch.token)


@require_GET
@backoffice_view
def import_template(request: StaffRequest, kind: str) -> HttpResponse:
    """A CSV with the columns and one example row, UTF-8 with a BOM so that
    Excel opens the Hindi right."""
    imports.imports_for(request.user)  # 403 without customer.import
    columns, example = EXAMPLES["packages" if kind == "packages" else "customers"]
    body = "\ufeff" + ",".join(columns) + "\r\n" + example + "\r\n"
    response = HttpResponse(body.encode(), content_type="text/csv; charset=utf-8")
    name = "packages" if kind == "packages" else "customers"
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
