"""Found by an outside tester: merging A into B left B's timeline without a word of it (only
the 合并的重复件 field listed A). B's timeline now has a row saying who merged which request
and when; A keeps its own 合并重复件 row. The row is a 备注 (no second 合并 in counts by
action, not shown to residents)."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.requests import services
from civicgrid.requests.constants import Action, Status
from civicgrid.requests.models import RequestEvent
from civicgrid.requests.views.resident import public_timeline

pytestmark = pytest.mark.django_db


def test_the_target_records_the_merge(client: Client, hotline: Any) -> None:
    olivia = hotline.city.olivia
    a = services.request_create(actor=olivia, data=hotline.new(title="电梯又停了"))
    b = services.request_create(actor=olivia, data=hotline.new(requester_phone="13900000000"))
    b_before = RequestEvent.objects.filter(request=b).count()
    b_version = type(b).objects.get(pk=b.pk).version
    services.request_merge(actor=olivia, request=a, into=b)

    mine = RequestEvent.objects.get(request=a, action=Action.MERGE)
    assert mine.to_status == Status.MERGED and mine.data == {"into": b.pk}
    rows = RequestEvent.objects.filter(request=b).order_by("id")
    assert rows.count() == b_before + 1
    row = rows.last()
    assert row is not None
    assert row.action == Action.NOTE and row.data == {"merged_from": a.pk}
    assert row.actor == olivia and row.actor_name == "周静"
    assert row.created_at == mine.created_at
    assert a.number in row.note and "电梯又停了" in row.note
    assert not RequestEvent.objects.filter(request=b, action=Action.MERGE).exists()
    b.refresh_from_db()
    assert b.version == b_version and b.status == Status.DISPATCHED  # B itself did not change

    client.force_login(olivia)
    page = client.get(f"/requests/{b.pk}/").content.decode()
    timeline = page[page.index("办理过程") :]
    assert "合并重复件" in timeline and f"诉求 {a.number}「电梯又停了」作为重复件合并至本件" in timeline
    assert "周静" in timeline
    assert all(a.number not in step["text"] for step in public_timeline(b))
