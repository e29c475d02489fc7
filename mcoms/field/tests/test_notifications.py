import pytest
from django.test import Client

from mcoms.field.tests.helpers import NOT_FIELD
from mcoms.notifications.models import Channel, Message
from tests.builders import World

URL = "/field/notifications/"


def test_anonymous_is_sent_to_the_sign_in(client: Client) -> None:
    assert client.get(URL)["Location"].startswith("/field/login/?next=")


@pytest.mark.parametrize("username", NOT_FIELD)
def test_other_designations_get_403(client: Client, world: World, username) -> None:
    client.force_login(world.user(username))
    assert client.get(URL).status_code == 403


def test_only_my_in_app_messages_newest_first(client: Client, world: World) -> None:
    me, other = world.user("csa"), world.user("sika_csa")
    for body in ["first note", "second note"]:
        Message.objects.create(channel=Channel.INAPP, user=me, template="t", body=body)
    Message.objects.create(
        channel=Channel.INAPP, user=other, template="t", body="Note for another agent"
    )
    Message.objects.create(
        channel=Channel.SMS,
        user=me,
        phone="+919810000001",
        template="t",
        body="An SMS copy, not in-app",
    )
    client.force_login(me)
    html = client.get(URL).content.decode()
    assert html.index("second note") < html.index("first note")
    assert "Note for another agent" not in html
    assert "An SMS copy, not in-app" not in html


def test_an_empty_inbox_says_so(client: Client, world: World) -> None:
    client.force_login(world.user("csa"))
    assert b"No notifications yet." in client.get(URL).content


def test_opening_the_list_marks_the_shown_messages_read(
    client: Client, world: World
) -> None:
    me = world.user("csa")
    Message.objects.create(channel=Channel.INAPP, user=me, template="t", body="new")
    client.force_login(me)
    assert client.get(URL).status_code == 200
    assert Message.objects.filter(user=me, read_at__isnull=True).count() == 0
