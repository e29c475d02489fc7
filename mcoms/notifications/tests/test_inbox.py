from __future__ import annotations

from mcoms.notifications.models import Channel, Message
from mcoms.notifications.selectors import inbox_for, unread_count
from mcoms.notifications.services import inbox_mark_read
from tests.builders import World


def test_marking_read_touches_only_my_unread_in_app_messages(world: World) -> None:
    me, other = world.user("csa"), world.user("sika_csa")
    mine = [
        Message.objects.create(channel=Channel.INAPP, user=me, template="t", body=b)
        for b in ("one", "two")
    ]
    theirs = Message.objects.create(
        channel=Channel.INAPP, user=other, template="t", body="x"
    )
    assert unread_count(me) == 2
    assert inbox_mark_read(user=me, messages=[*mine, theirs]) == 2
    assert unread_count(me) == 0
    assert unread_count(other) == 1
    first_read = Message.objects.get(pk=mine[0].pk).read_at
    assert inbox_mark_read(user=me, messages=mine) == 0  # idempotent
    assert Message.objects.get(pk=mine[0].pk).read_at == first_read
    assert [m.body for m in inbox_for(me)] == ["two", "one"]
