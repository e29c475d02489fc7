from django.test import Client

from mcoms.notifications.models import Channel, Message
from mcoms.selfcare.tests.helpers import customer_user
from tests.builders import World

URL = "/selfcare/notifications/"


def test_anonymous_is_sent_to_the_sign_in(client: Client) -> None:
    assert client.get(URL)["Location"].startswith("/selfcare/login/?next=")


def test_staff_are_refused(client: Client, world: World) -> None:
    client.force_login(world.user("csa"))
    assert client.get(URL).status_code == 403


def test_only_my_messages(client: Client, world: World) -> None:
    me = customer_user(world)
    other = customer_user(world, "BHSIKA")
    Message.objects.create(
        channel=Channel.INAPP, user=me, template="t", body="Bill is ready"
    )
    Message.objects.create(
        channel=Channel.INAPP,
        user=other,
        template="t",
        body="Secret bill of another customer",
    )
    client.force_login(me)
    html = client.get(URL).content.decode()
    assert "Bill is ready" in html
    assert "Secret bill of another customer" not in html
