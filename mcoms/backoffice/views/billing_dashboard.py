"""Total Billing (manual 3.4.3.1) in the back office, with the plant and month
filters and a stacked bar chart (pygal, server-rendered SVG, no script); and
the bill PDF for staff (docs/billing-documents.md)."""

from __future__ import annotations

import re
from datetime import date

import pygal
from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from pygal.style import Style

from mcoms.backoffice.views.common import StaffRequest, backoffice_view
from mcoms.billing.documents.access import get_bill_for_user
from mcoms.billing.documents.data import bill_document
from mcoms.billing.documents.fonts import BillFontMissing
from mcoms.billing.documents.pdf import bill_pdf, languages
from mcoms.org.access import get_plant_for_user, plants_for
from mcoms.org.permissions import Action
from mcoms.reports.total_billing import TotalBilling, total_billing

SCRIPT = re.compile(r"<script\b.*?</script>", re.S)


class FilterForm(forms.Form):
    plant = forms.CharField(label=gettext_lazy("Plant"), required=False)
    month = forms.DateField(
        label=gettext_lazy("Month"),
        required=False,
        input_formats=["%Y-%m"],
        error_messages={"invalid": gettext_lazy("Choose a month as YYYY-MM.")},
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )


@require_GET
@backoffice_view
def total_billing_page(request: StaffRequest) -> HttpResponse:
    """Per plant: billed to pre-paid and post-paid customers, the total and
    the share of customers billed, against the month before; cluster
    subtotals and the total of the user's scope."""
    form = FilterForm(request.GET or None)
    month: date | None = None
    plant = None
    if form.is_valid():
        month = form.cleaned_data["month"]
        if form.cleaned_data["plant"]:
            key = form.cleaned_data["plant"]
            plant = get_plant_for_user(request.user, key, Action.BILLING_VIEW)
    report = total_billing(request.user, month=month, plant=plant)
    context = {
        "form": form,
        "report": report,
        "plants": plants_for(request.user, Action.BILLING_VIEW).order_by(
            "state__code", "code"
        ),
        "chart": _chart(report),
    }
    return render(request, "backoffice/billing_dashboard.html", context)


def _chart(report: TotalBilling) -> SafeString | None:
    """Pre-paid and post-paid billed per plant, stacked (no script in it)."""
    lines = [line for group in report.groups for line in group.plants]
    if not any(line.now.total for line in lines):
        return None
    style = Style(
        background="transparent",
        plot_background="transparent",
        colors=("#f2a541", "#0b6e4f"),
        font_family="system-ui, sans-serif",
        label_font_size=11,
        major_label_font_size=11,
        legend_font_size=12,
        guide_stroke_color="#d5dbe0",
        major_guide_stroke_color="#d5dbe0",
    )
    chart = pygal.StackedBar(
        style=style,
        js=[],
        height=300,
        width=860,
        legend_at_bottom=True,
        disable_xml_declaration=True,
        show_y_guides=True,
        title=None,
    )
    chart.x_labels = [line.key for line in lines]
    chart.add(_("Pre-paid"), [float(line.now.prepaid) for line in lines])
    chart.add(_("Post-paid"), [float(line.now.postpaid) for line in lines])
    svg = SCRIPT.sub("", chart.render(is_unicode=True))
    return mark_safe(svg)  # pygal escapes the labels; the script is removed


@require_GET
@backoffice_view
def bill_pdf_view(request: StaffRequest, number: str) -> HttpResponse:
    """A bill in the customer's language, or ``?lang=en|hi``."""
    bill = get_bill_for_user(request.user, number)
    language = request.GET.get("lang", "")
    if language not in languages():
        language = bill.customer.language
    try:
        data = bill_pdf(bill_document(bill), language=language)
    except BillFontMissing as exc:
        context = {"message": exc.message}
        return render(request, "backoffice/bill_unavailable.html", context, status=503)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{bill.number}.pdf"'
    return response
