"""Each form of the acquisition screens in the field app: it does its step,
and a refusal is shown next to its field, in the user's language, with
nothing changed. A form sent twice (same token) does its step once."""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from mcoms.acquisition.models import KycDocument, Prospect
from mcoms.customers.models import Customer, CustomerStatus
from mcoms.ledger.models import Account
from mcoms.ledger.selectors import account_balance, customer_balances
from tests.builders import World
from tests.pipeline_kit import PHONE, Stock, png_bytes, stock, survey, walk

LIST = "/field/acquisition/"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def kit(world: World) -> Stock:
    return stock(world)


def signed_in(world: World, username: str) -> Client:
    client = Client()
    client.force_login(world.user(username))
    return client


def post(client: Client, prospect: Prospect, name: str, **data: Any) -> Any:
    data.setdefault("token", str(uuid.uuid4()))
    return client.post(f"{LIST}{prospect.ref}/{name}/", data)


def errors(response: Any, field: str) -> list[str]:
    return [str(e) for e in response.context["form"].errors.get(field, [])]


def reloaded(prospect: Prospect) -> Prospect:
    return Prospect.objects.get(pk=prospect.pk)


SURVEY = {
    "name": "Asha Kumari",
    "phone": "98765 00011",
    "language": "hi",
    "address": "Ward 4",
    "pole": "2",
    "distance_m": "14",
    "segment": "household",
    "a1_name": "LED bulb",
    "a1_count": "3",
    "a1_watts": "9",
    "a2_name": "Fan",
    "a2_count": "1",
    "a2_watts": "40",
    "hours_per_day": "6",
}


# --- stage 1: Add Consumer (the catchment survey) -----------------------------------
def test_the_survey_creates_a_prospect(world, kit) -> None:
    client = signed_in(world, "csa")
    assert client.get(f"{LIST}new/").status_code == 200  # one plant: no choice
    response = client.post(f"{LIST}new/", SURVEY | {"token": str(uuid.uuid4())})
    prospect = Prospect.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}{prospect.ref}/"
    assert (prospect.name, str(prospect.phone)) == ("Asha Kumari", "+919876500011")
    assert prospect.pole.number == 2 and prospect.distance_m == Decimal("14.0")
    assert prospect.appliances == [
        {"name": "LED bulb", "count": 3, "watts": 9},
        {"name": "Fan", "count": 1, "watts": 40},
    ]
    assert prospect.anticipated_load_w == 67
    assert prospect.created_by == world.user("csa")


def test_the_same_survey_sent_twice_makes_one_prospect(world, kit) -> None:
    client = signed_in(world, "csa")
    data = SURVEY | {"token": str(uuid.uuid4())}
    first = client.post(f"{LIST}new/", data)
    second = client.post(f"{LIST}new/", data)
    assert first["Location"] == second["Location"]
    assert Prospect.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field", "text"),
    [
        ({"distance_m": "45"}, "distance_m", "more than 30 m from the pole"),
        ({"pole": "77"}, "pole", "This pole is not on this plant."),
        ({"phone": "12345"}, "phone", "Enter a valid 10-digit mobile number."),
        ({"hours_per_day": "30"}, "hours_per_day", "less than or equal to 24"),
    ],
)
def test_survey_refusals_are_shown_next_to_the_field(
    world, kit, change: dict[str, str], field: str, text: str
) -> None:
    client = signed_in(world, "csa")
    data = SURVEY | change | {"token": str(uuid.uuid4())}
    response = client.post(f"{LIST}new/", data)
    assert response.status_code == 200
    assert any(text in e for e in errors(response, field)), errors(response, field)
    assert f'id="id_{field}_errors"' in response.content.decode()
    assert not Prospect.objects.exists()


def test_a_far_house_is_accepted_with_a_reason(world, kit) -> None:
    client = signed_in(world, "csa")
    data = SURVEY | {"distance_m": "45", "distance_override": "Pole extension due"}
    client.post(f"{LIST}new/", data | {"token": str(uuid.uuid4())})
    assert Prospect.objects.get().distance_override == "Pole extension due"


def test_a_refusal_in_hindi(world, kit) -> None:
    client = signed_in(world, "csa")
    client.cookies["django_language"] = "hi"
    data = SURVEY | {"distance_m": "45", "token": str(uuid.uuid4())}
    html = client.post(f"{LIST}new/", data).content.decode()
    assert "घर खंभे से 30 मीटर से अधिक दूर है" in html


def test_several_plants_are_chosen_first(world, kit) -> None:
    client = signed_in(world, "cluster_incharge")
    response = client.get(f"{LIST}new/")
    html = response.content.decode()
    assert 'href="?plant=BHKATS"' in html and 'href="?plant=BHMADH"' in html
    assert 'href="?plant=BHSIKA"' not in html
    assert client.get(f"{LIST}new/", {"plant": "BHMADH"}).context["plant"].key == (
        "BHMADH"
    )
    assert client.get(f"{LIST}new/", {"plant": "BHSIKA"}).status_code == 404


# --- stages 2 and 3 ---------------------------------------------------------------
def test_marketing_and_acquisition(world, kit) -> None:
    prospect = survey(world)
    client = signed_in(world, "operator")
    response = post(client, prospect, "marketing", method="leaflet", note="at market")
    assert response.status_code == 302
    assert reloaded(prospect).marketing_method == "leaflet"
    post(client, prospect, "acquisition", note="signed at home")
    prospect = reloaded(prospect)
    assert (prospect.stage, prospect.channel) == ("acquisition", "in_person")


def test_a_marketing_date_in_the_future_is_refused(world, kit) -> None:
    prospect = survey(world)
    response = post(
        signed_in(world, "csa"),
        prospect,
        "marketing",
        method="leaflet",
        contacted_on="2999-01-01",
    )
    assert errors(response, "contacted_on") == ["The date is in the future."]
    assert reloaded(prospect).stage == "survey"


def test_a_step_out_of_turn_is_refused_above_the_form(world, kit) -> None:
    prospect = survey(world)
    response = post(signed_in(world, "csa"), prospect, "account")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "This step is not due now; the page shows where the prospect stands."
    ]
    assert reloaded(prospect).customer is None


# --- stage 4: KYC -----------------------------------------------------------------
def png(name: str = "id.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


KYC = {"id_type": "voter_id", "id_number": "abc1234567", "commitments": "on"}


def test_kyc_with_a_photo_and_an_id_proof(world, kit) -> None:
    prospect = walk(world, kit, survey(world), "acquisition")
    client = signed_in(world, "csa")
    response = post(client, prospect, "kyc", photo=png("me.png"), id_proof=png(), **KYC)
    assert response.status_code == 302
    prospect = reloaded(prospect)
    assert (prospect.stage, prospect.id_number) == ("kyc", "ABC1234567")
    assert prospect.commitments_ack_by == world.user("csa")
    kinds = sorted(d.kind for d in KycDocument.objects.filter(prospect=prospect))
    assert kinds == ["id_proof", "photo"]
    assert KycDocument.objects.get(kind="id_proof").file.read() == png_bytes()


def test_the_kyc_upload_field_asks_the_camera_for_the_photo(world, kit) -> None:
    prospect = walk(world, kit, survey(world), "acquisition")
    html = signed_in(world, "csa").get(f"{LIST}{prospect.ref}/").content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'accept="image/*" capture="environment"' in html
    assert 'accept="image/*,application/pdf"' in html


@pytest.mark.parametrize(
    ("change", "field", "text"),
    [
        (
            {"id_proof": SimpleUploadedFile("id.png", b"not an image")},
            "id_proof",
            "Send a JPEG, PNG or WebP photo or a PDF document.",
        ),
        ({}, "id_proof", "Upload a photo or scan of the ID proof."),
        (
            {"id_number": "12", "id_proof": "png"},
            "id_number",
            "Check the ID number",
        ),
        (
            {"commitments": "", "id_proof": "png"},
            "commitments",
            "The customer must acknowledge the supplier's commitments.",
        ),
    ],
)
def test_kyc_refusals_store_nothing(
    world, kit, change: dict[str, Any], field: str, text: str
) -> None:
    prospect = walk(world, kit, survey(world), "acquisition")
    data = KYC | change
    if data.get("id_proof") == "png":
        data["id_proof"] = png()
    data = {k: v for k, v in data.items() if v != ""}
    response = post(signed_in(world, "csa"), prospect, "kyc", **data)
    assert response.status_code == 200
    assert any(e.startswith(text) for e in errors(response, field)), errors(
        response, field
    )
    assert not KycDocument.objects.exists()
    assert reloaded(prospect).stage == "acquisition"


def test_a_file_over_the_limit_is_refused(world, kit, settings) -> None:
    settings.KYC_MAX_UPLOAD_BYTES = 50
    prospect = walk(world, kit, survey(world), "acquisition")
    response = post(signed_in(world, "csa"), prospect, "kyc", id_proof=png(), **KYC)
    assert errors(response, "id_proof") == [
        "This file is too large; send a smaller photo or scan."
    ]
    assert not KycDocument.objects.exists()


# --- stages 5 and 6 ----------------------------------------------------------------
def test_the_package_form_shows_the_charges_and_assigns(world, kit) -> None:
    prospect = walk(world, kit, survey(world), "kyc")
    client = signed_in(world, "csa")
    html = client.get(f"{LIST}{prospect.ref}/").content.decode()
    assert (
        "A1.1(NN)/17/160 · 17 W · activation charge ₹150.00 · deposit ₹100.00" in html
    )
    assert "activation charge ₹200.00" in html  # the metered package
    response = post(client, prospect, "package", package=str(kit.prepaid.pk))
    assert response.status_code == 302
    prospect = reloaded(prospect)
    assert prospect.package == kit.prepaid
    assert (prospect.activation_amount, prospect.deposit_amount) == (
        Decimal("150.00"),
        Decimal("100.00"),
    )


def test_a_package_of_another_plant_is_refused(world, kit) -> None:
    prospect = walk(world, kit, survey(world), "kyc")
    response = post(
        signed_in(world, "csa"), prospect, "package", package=str(kit.madh_prepaid.pk)
    )
    assert errors(response, "package") == ["This package is not offered at this plant."]
    assert reloaded(prospect).package is None


def test_the_account_gets_a_customer_id(world, kit) -> None:
    prospect = walk(world, kit, survey(world), "package")
    client = signed_in(world, "csa")
    response = post(client, prospect, "account")
    customer = reloaded(prospect).customer
    assert customer is not None and customer.status == CustomerStatus.NEW
    page = client.get(response["Location"]).content.decode()
    assert f"Account created: customer ID {customer.customer_id}." in page
    assert f'<span class="id" data-customer-id>{customer.customer_id}</span>' in page


def test_a_step_sent_twice_is_done_once(world, kit) -> None:
    prospect = walk(world, kit, survey(world), "package")
    client = signed_in(world, "csa")
    token = str(uuid.uuid4())
    first = post(client, prospect, "account", token=token)
    second = post(client, prospect, "account", token=token)  # a double tap
    assert first.status_code == second.status_code == 302
    assert Customer.objects.filter(prospect=prospect).count() == 1
    assert reloaded(prospect).events.filter(stage="account").count() == 1


# --- stages 7 and 8 ---------------------------------------------------------------
def test_meter_connection_steps_installation_and_activation(world, kit) -> None:
    prospect = walk(world, kit, survey(world), "account")
    tech = signed_in(world, "technician")
    html = tech.get(f"{LIST}{prospect.ref}/").content.decode()
    assert '<option value="LL-1">LL-1 · Load limiter</option>' in html
    assert "CM-1" not in html  # a meter does not fit a pre-paid package
    assert post(tech, prospect, "meter", meter="LL-1").status_code == 302
    for step, label in [
        ("at_pole", "At Pole"),
        ("house_wire", "House wire"),
        ("service_wire", "Service Wire"),
    ]:
        html = tech.get(f"{LIST}{prospect.ref}/").content.decode()
        assert f"<h2>Connection: {label}</h2>" in html
        assert post(tech, prospect, "connection", step=step).status_code == 302
    assert post(tech, prospect, "install", initial_reading="0").status_code == 302
    assert reloaded(prospect).connection_step == "review"
    response = post(tech, prospect, "activation", confirm="on")
    prospect = reloaded(prospect)
    assert prospect.status == "active"
    assert prospect.customer.status == CustomerStatus.ACTIVE
    balances = customer_balances(world.company, prospect.customer.customer_id)
    assert balances["ACT"] == Decimal("150.00")
    deposit = Account.objects.get(code=f"CUS:{prospect.customer.customer_id}:AR:DEP")
    assert account_balance(deposit) == Decimal("100.00")
    page = tech.get(response["Location"]).content.decode()
    assert "Now due: activation charge ₹150.00 and deposit ₹100.00." in page


def test_a_meter_of_the_wrong_kind_is_refused_next_to_the_field(world, kit) -> None:
    prospect = walk(world, kit, survey(world), "account")
    response = post(signed_in(world, "technician"), prospect, "meter", meter="CM-1")
    assert errors(response, "meter") == [
        "This package needs another kind of device: a load limiter for pre-paid "
        "and unmetered packages, a meter for metered ones."
    ]
    assert reloaded(prospect).meter_assignment is None


def test_a_meter_of_another_plant_is_refused(world, kit) -> None:
    prospect = walk(world, kit, survey(world), "account")
    response = post(signed_in(world, "technician"), prospect, "meter", meter="LL-MADH")
    assert errors(response, "meter") == [
        "This meter is not available in the plant's stock."
    ]


def test_connection_steps_out_of_order_are_refused(world, kit) -> None:
    prospect = walk(world, kit, survey(world), "meter", connection=1)
    tech = signed_in(world, "technician")
    response = post(tech, prospect, "connection", step="service_wire")
    assert response.context["form"].non_field_errors() == [
        "Record the connection in order: At Pole, House wire, Service Wire, "
        "then the meter."
    ]
    response = post(tech, prospect, "install", initial_reading="0")
    assert reloaded(prospect).connection_step == "at_pole"


def test_a_bad_first_reading_is_refused(world, kit) -> None:
    prospect = walk(world, kit, survey(world), "account")
    tech = signed_in(world, "technician")
    post(tech, prospect, "meter", meter="LL-2")
    for step in ["at_pole", "house_wire", "service_wire"]:
        post(tech, prospect, "connection", step=step)
    response = post(tech, prospect, "install", initial_reading="-4")
    assert errors(response, "initial_reading") == [
        "Enter the reading as a number, 0 or more."
    ]
    assert reloaded(prospect).stage == "account"


def test_activation_needs_the_box_ticked(world, kit) -> None:
    prospect = walk(world, kit, survey(world), "meter")
    response = post(signed_in(world, "technician"), prospect, "activation")
    assert errors(response, "confirm") == ["Tick the box to confirm the connection."]
    assert reloaded(prospect).status == "open"


# --- rejection, reopening, Add Instant Consumer, completed later ------------------
def test_reject_needs_a_reason_then_reopen(world, kit) -> None:
    prospect = walk(world, kit, survey(world), "acquisition")
    client = signed_in(world, "csa")
    response = post(client, prospect, "reject", reason="")
    assert [str(e) for e in response.context["reject_form"].errors["reason"]] == [
        "This field is required."
    ]
    assert reloaded(prospect).status == "open"
    post(client, prospect, "reject", reason="No ID proof")
    prospect = reloaded(prospect)
    assert (prospect.status, prospect.rejected_stage) == ("rejected", "kyc")
    html = client.get(f"{LIST}{prospect.ref}/").content.decode()
    assert "No ID proof" in html and f"/{prospect.ref}/reopen/" in html
    post(client, prospect, "reopen", reason="ID found")
    assert reloaded(prospect).status == "open"


def test_add_instant_consumer(world, kit) -> None:
    client = signed_in(world, "csa")
    data = {
        "token": str(uuid.uuid4()),
        "name": "Quick Customer",
        "phone": "9876500021",
        "language": "en",
        "pole": "3",
        "package": str(kit.prepaid.pk),
    }
    response = client.post(f"{LIST}instant/", data)
    prospect = Prospect.objects.get()
    assert response["Location"] == f"{LIST}{prospect.ref}/"
    assert prospect.customer.customer_id.startswith("BHKATS003")
    page = client.get(response["Location"]).content.decode()
    assert f"Account created: customer ID {prospect.customer.customer_id}." in page
    assert prospect.deferred == ["survey", "marketing", "kyc"]


def test_add_instant_consumer_needs_a_package(world, kit) -> None:
    client = signed_in(world, "csa")
    data = {
        "token": str(uuid.uuid4()),
        "name": "Quick Customer",
        "phone": "9876500021",
        "language": "hi",
        "pole": "3",
        "package": "",
    }
    response = client.post(f"{LIST}instant/", data)
    assert response.status_code == 200
    assert errors(response, "package") == ["This field is required."]
    assert not Prospect.objects.exists()


def test_a_survey_completed_later(world, kit) -> None:
    client = signed_in(world, "csa")
    client.post(
        f"{LIST}instant/",
        {
            "token": str(uuid.uuid4()),
            "name": "Quick Customer",
            "phone": "9876500021",
            "language": "hi",
            "pole": "3",
            "package": str(kit.prepaid.pk),
        },
    )
    prospect = Prospect.objects.get()
    survey_data = {k: v for k, v in SURVEY.items() if k not in ("name", "phone")}
    response = post(client, prospect, "survey", **(survey_data | {"pole": "2"}))
    assert errors(response, "pole") == ["The account fixed the pole; it cannot change."]
    response = post(client, prospect, "survey", **(survey_data | {"pole": "3"}))
    assert response.status_code == 302
    prospect = reloaded(prospect)
    assert prospect.deferred == ["marketing", "kyc"]
    assert prospect.anticipated_load_w == 67 and str(prospect.phone) != PHONE
