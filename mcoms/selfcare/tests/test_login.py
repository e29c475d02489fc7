import pytest
from django.test import Client
from django.utils import timezone

from mcoms.notifications.models import Message, OtpCode
from mcoms.selfcare.tests.helpers import PHONE, finish, latest_code, start
from tests.builders import World


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_sign_in_page_asks_for_the_mobile_number(client: Client) -> None:
    response = client.get("/selfcare/login/")
    assert response.status_code == 200
    assert b'name="phone"' in response.content
    assert b'type="tel"' in response.content


def test_the_happy_path(client: Client, world: World) -> None:
    response = start(client, "98000 00001")
    assert response["Location"] == "/selfcare/login/verify/"
    assert Message.objects.filter(phone=PHONE).count() == 1
    page = client.get("/selfcare/login/verify/")
    assert b'autocomplete="one-time-code"' in page.content
    response = finish(client, latest_code())
    assert response["Location"] == "/selfcare/"
    assert signed_in(client)
    response = client.get("/selfcare/", follow=True)
    assert response.status_code == 200
    assert b"Customer BHKATS" in response.content
    world.customers["BHKATS"].refresh_from_db()
    assert world.customers["BHKATS"].user is not None


@pytest.mark.parametrize(
    ("phone", "message"),
    [
        ("12", "Enter a valid 10-digit mobile number."),
        ("", "This field is required."),
        ("+919811111111", "No customer account uses this mobile number."),
        ("+919810000001", "No customer account uses this mobile number."),  # staff
    ],
)
def test_bad_numbers_are_refused_next_to_the_field(
    client: Client, world: World, phone: str, message: str
) -> None:
    response = start(client, phone)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_phone_errors"' in html
    assert message in html
    assert not Message.objects.exists()


def test_too_many_codes_an_hour(client: Client, world: World, settings) -> None:
    for _ in range(getattr(settings, "OTP_MAX_PER_HOUR", 5)):
        assert start(client).status_code == 302
    response = start(client)
    assert b"Too many codes for this number" in response.content


def test_verify_without_a_number_goes_back(client: Client) -> None:
    assert client.get("/selfcare/login/verify/")["Location"] == "/selfcare/login/"


def test_a_wrong_code(client: Client, world: World) -> None:
    start(client)
    wrong = "000000" if latest_code() != "000000" else "111111"
    response = finish(client, wrong)
    assert b"Wrong code. Check the SMS and try again." in response.content
    assert not signed_in(client)


def test_a_malformed_code(client: Client, world: World) -> None:
    start(client)
    response = finish(client, "12")
    assert b'id="id_code_errors"' in response.content
    assert not signed_in(client)


def test_an_expired_code(client: Client, world: World) -> None:
    start(client)
    OtpCode.objects.update(expires_at=timezone.now())
    response = finish(client, latest_code())
    assert b"This code has expired." in response.content
    assert not signed_in(client)


def test_a_used_code_cannot_sign_in_again(client: Client, world: World) -> None:
    start(client)
    code = latest_code()
    assert finish(client, code)["Location"] == "/selfcare/"
    thief = Client()
    session = thief.session
    session["selfcare_phone"] = PHONE
    session.save()
    response = finish(thief, code)
    assert b"This code was already used." in response.content
    assert not signed_in(thief)


def test_too_many_wrong_codes_lock_the_number(
    client: Client, world: World, settings
) -> None:
    start(client)
    code = latest_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(settings.OTP_MAX_TRIES):
        finish(client, wrong)
    response = finish(client, code)
    assert b"Too many wrong codes." in response.content
    assert not signed_in(client)
    assert b"Too many wrong codes." in start(client).content


def test_errors_in_hindi(client: Client, world: World) -> None:
    client.cookies["django_language"] = "hi"
    response = start(client, "12")
    assert "मान्य 10 अंकों का मोबाइल नंबर" in response.content.decode()


def test_sign_out(client: Client, world: World) -> None:
    start(client)
    finish(client, latest_code())
    assert client.post("/selfcare/logout/")["Location"] == "/selfcare/login/"
    assert not signed_in(client)
