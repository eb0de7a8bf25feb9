"""Intake is idempotent on the caller's external id (一个外部编号只受理一次).

A mini-program or another system that sends the same intake again (a retry after a
timeout, two sends at once) gets the request it filed the first time, with the same answer;
the same id with another request's words is refused with 409 and changes nothing. The
normal path pays no query for it: the table's unique constraint decides.
"""

from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from civicgrid.accounts.services import api_token_create
from civicgrid.core.errors import Conflict
from civicgrid.core.models import AuditLog
from civicgrid.notify.models import Notification
from civicgrid.requests import services
from civicgrid.requests.constants import Channel
from civicgrid.requests.models import Request, RequestEvent, WorkOrder
from civicgrid.requests.permissions import SYSTEM
from civicgrid.territory.tests.threads import postgres_only, run_at_once

pytestmark = pytest.mark.django_db

BASE = "/api/v1/requests/"


def rows() -> tuple[int, ...]:
    """Everything an intake writes, counted."""
    models = (Request, RequestEvent, WorkOrder, Notification, AuditLog)
    return tuple(m.objects.count() for m in models)


def post(token: str, body: dict[str, Any]) -> Any:
    return Client().post(BASE, body, "application/json", headers={"Authorization": f"Bearer {token}"})


def body(hotline: Any, **kw: Any) -> dict[str, Any]:
    return {
        "channel": "mini_program",
        "type": "complaint",
        "title": "电梯停运三天",
        "content": "3号楼电梯坏了没人修",
        "lon": 120.305,
        "lat": 31.575,
        "requester_name": "张三",
        "requester_phone": "13812345678",
        "category_id": hotline.lift.pk,
        "external_id": "WX-2026-0001",
    } | kw


@pytest.fixture
def token(hotline: Any) -> str:
    _, key = api_token_create(actor=None, system=True, user=hotline.city.olivia, name="小程序")
    return key


# ---------------------------------------------------------------- the service


def test_the_same_external_id_twice_gives_the_first_request_and_writes_nothing(hotline: Any) -> None:
    olivia = hotline.city.olivia
    first = services.request_create(actor=olivia, data=hotline.new(external_id="WX-1"))
    before = rows()
    again = services.request_create(actor=olivia, data=hotline.new(external_id="WX-1"))
    assert again.pk == first.pk and again.number == first.number
    assert rows() == before
    # a retry that sent the id with spaces around it, or refined the address, is the same one
    third = services.request_create(actor=olivia, data=hotline.new(external_id=" WX-1 ", address="3号楼"))
    assert third.pk == first.pk and rows() == before
    assert Request.objects.get(pk=first.pk).external_id == "WX-1"


def test_the_caller_transaction_goes_on_after_a_replay(hotline: Any) -> None:
    """Called inside the caller's transaction, the refused insert only undoes its savepoint."""
    olivia = hotline.city.olivia
    with transaction.atomic():
        first = services.request_create(actor=olivia, data=hotline.new(external_id="WX-1"))
        again = services.request_create(actor=olivia, data=hotline.new(external_id="WX-1"))
        other = services.request_create(actor=olivia, data=hotline.new(external_id="WX-2"))
    assert again.pk == first.pk != other.pk
    assert Request.objects.filter(pk__in=[first.pk, other.pk]).count() == 2


def test_the_same_id_for_another_request_is_refused_and_changes_nothing(hotline: Any) -> None:
    olivia = hotline.city.olivia
    first = services.request_create(actor=olivia, data=hotline.new(external_id="WX-1"))
    before = rows()
    with pytest.raises(Conflict) as refused:
        services.request_create(actor=olivia, data=hotline.new(external_id="WX-1", title="路灯不亮"))
    assert "外部编号「WX-1」已用于另一件诉求" in refused.value.message
    assert first.number in refused.value.message
    assert refused.value.detail == {
        "external_id": "WX-1",
        "number": first.number,
        "id": first.pk,
        "fields": ["title"],
    }
    with pytest.raises(Conflict):
        services.request_create(
            actor=olivia, data=hotline.new(external_id="WX-1", requester_phone="13900000000")
        )
    assert rows() == before


def test_the_id_is_the_callers_own(hotline: Any) -> None:
    """Another caller's id, the system's and residents' intakes, Open311's device id and no
    id at all never make a replay."""
    first = services.request_create(actor=hotline.city.olivia, data=hotline.new(external_id="WX-1"))
    other = services.request_create(
        actor=hotline.city.carol, data=hotline.new(channel="walk_in", external_id="WX-1")
    )
    assert other.pk != first.pk
    system = [services.request_create(actor=SYSTEM, data=hotline.new(external_id="H5-1")) for _ in range(2)]
    assert system[0].pk != system[1].pk and system[0].created_by_id is None
    device = hotline.new(channel=Channel.OPEN311, external_id="device-42")
    phone = [services.request_create(actor=hotline.city.olivia, data=device) for _ in range(2)]
    assert phone[0].pk != phone[1].pk
    plain = [
        services.request_create(actor=hotline.city.olivia, data=hotline.new(external_id=e)) for e in ("", " ")
    ]
    assert plain[0].pk != plain[1].pk and plain[1].external_id == ""


def test_a_new_external_id_costs_no_query(hotline: Any) -> None:
    """The replay guard is the constraint: an intake with a new id runs the same statements
    as one without."""
    olivia = hotline.city.olivia
    services.request_create(actor=olivia, data=hotline.new())  # warm caches
    counts = []
    for external_id in ("", "WX-new"):
        with CaptureQueriesContext(connection) as queries:
            services.request_create(actor=olivia, data=hotline.new(external_id=external_id))
        counts.append(len(queries))
    assert counts[0] == counts[1]


# ---------------------------------------------------------------- through the API


def test_the_api_answers_a_retry_as_the_first_time(hotline: Any, token: str) -> None:
    first = post(token, body(hotline))
    assert first.status_code == 201, first.content
    again = post(token, body(hotline))
    third = post(token, body(hotline))
    assert again.status_code == third.status_code == 201
    assert again.json()["id"] == third.json()["id"] == first.json()["id"]
    assert again.json()["number"] == first.json()["number"]
    assert Request.objects.filter(external_id="WX-2026-0001").count() == 1


def test_the_api_refuses_the_id_reused_for_another_request(hotline: Any, token: str) -> None:
    first = post(token, body(hotline)).json()
    before = rows()
    reused = post(token, body(hotline, title="路灯不亮", content="小区路灯坏了"))
    assert reused.status_code == 409
    answer = reused.json()
    assert answer["code"] == "conflict" and "已用于另一件诉求" in answer["message"]
    assert answer["detail"]["number"] == first["number"] and answer["detail"]["fields"] == [
        "title",
        "content",
    ]
    assert rows() == before


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_intake_sent_at_once_is_filed_once(hotline: Any, token: str) -> None:
    sent = run_at_once(*[lambda: post(token, body(hotline)) for _ in range(4)], stagger=0)
    assert [r.status_code for r in sent] == [201] * 4, [getattr(r, "content", r) for r in sent]
    assert len({r.json()["id"] for r in sent}) == 1
    assert Request.objects.count() == 1
    assert RequestEvent.objects.filter(action="receive").count() == 1


# ---------------------------------------------------------------- the migration


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_sets_apart_the_duplicates_filed_before(hotline: Any) -> None:
    """Requests filed twice before intake was idempotent keep their rows: the first keeps
    the id, a later one gets it marked; rows the constraint does not cover stay as they are."""
    call_command("migrate", "requests", "0009", verbosity=0)
    # Today's services write the later columns (the work order's ``whistle``, 0016; the
    # request's e-mail, 0017; the membership's work phone, 0018): lend them to the 0009
    # tables while the requests are filed, then take them back before migrating on.
    # The request's text columns by plain SQL: on SQLite the schema editor would rebuild the
    # table with today's constraints, which 0010 then adds again.
    later = WorkOrder._meta.get_field("whistle")
    emails = ("requester_email_enc", "requester_email_masked")
    lent = [("requests_request", c) for c in emails] + [
        ("requests_unitmembership", c) for c in ("phone_enc", "phone_masked")
    ]
    with connection.schema_editor() as editor:
        editor.add_field(WorkOrder, later)
    with connection.cursor() as cursor:
        for table, column in lent:
            cursor.execute(f"ALTER TABLE {table} ADD COLUMN {column} text NOT NULL DEFAULT ''")
    try:
        olivia = hotline.city.olivia
        twice = [
            services.request_create(actor=olivia, data=hotline.new(external_id="WX-1")) for _ in range(2)
        ]
        device = hotline.new(channel=Channel.OPEN311, external_id="device-42")
        phone = [services.request_create(actor=olivia, data=device) for _ in range(2)]
        system = [
            services.request_create(actor=SYSTEM, data=hotline.new(external_id="H5-1")) for _ in range(2)
        ]
    finally:
        with connection.cursor() as cursor:
            for table, column in lent:
                cursor.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        with connection.schema_editor() as editor:
            editor.remove_field(WorkOrder, later)
        call_command("migrate", "requests", verbosity=0)
    ids = dict(Request.objects.values_list("pk", "external_id"))
    assert [ids[r.pk] for r in twice] == ["WX-1", f"WX-1#dup-{twice[1].pk}"]
    assert [ids[r.pk] for r in phone] == ["device-42"] * 2
    assert [ids[r.pk] for r in system] == ["H5-1"] * 2
    again = services.request_create(actor=olivia, data=hotline.new(external_id="WX-1"))
    assert again.pk == twice[0].pk
