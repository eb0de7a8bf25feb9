"""Each process keeps a unit's contacts for a moment (``unit_notify.UnitContactsCache``).

Addressing the lead unit's people was half of an intake's CPU (bench/intake_api.py): two
queries and a phone decrypted per member on every request. Now a process reads them at most
every ``CONTACTS_CHECK_SECONDS``; a change through the models is seen at once, one around
them (another process) within that interval, and a read inside a changing transaction is
never kept.
"""

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from civicgrid.accounts.models import User
from civicgrid.core import crypto
from civicgrid.notify.models import Notification
from civicgrid.requests import services
from civicgrid.requests.models import UnitMembership
from civicgrid.requests.tests.people import unit_member as member
from civicgrid.requests.unit_notify import contacts_cache, unit_contacts
from civicgrid.territory.models import Position

# Commits must happen for the commit hooks to run: these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
KEEP = override_settings(CONTACTS_CHECK_SECONDS=3600)


def reads_people(queries: CaptureQueriesContext) -> list[str]:
    tables = (UnitMembership._meta.db_table, Position._meta.db_table)
    return [q["sql"] for q in queries.captured_queries if any(f'"{t}"' in q["sql"] for t in tables)]


def told(hotline: Any) -> set[tuple[int | None, str]]:
    """Who the dispatch message of a new request to the subdistrict reached, and where."""
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    assert request.lead_unit_id == hotline.sub_a_unit.pk
    rows = Notification.objects.filter(dedupe_key__startswith=f"dispatch:{request.pk}:")
    return {(n.recipient_user_id, crypto.decrypt(n.address_enc)) for n in rows}


@KEEP
def test_once_read_a_units_people_are_not_read_again_for_the_next_intake(hotline: Any) -> None:
    li = member(hotline.sub_a_unit, "li", phone="13800138000")
    assert told(hotline) == {(li.pk, "13800138000")}
    with CaptureQueriesContext(connection) as queries:
        assert told(hotline) == {(li.pk, "13800138000")}
    assert reads_people(queries) == []


@KEEP
def test_a_member_added_or_stopped_through_the_models_is_seen_at_once(hotline: Any) -> None:
    li = member(hotline.sub_a_unit, "li", phone="13800138000")
    assert told(hotline) == {(li.pk, "13800138000")}
    wu = member(hotline.sub_a_unit, "wu", phone="13700137000")
    assert told(hotline) == {(li.pk, "13800138000"), (wu.pk, "13700137000")}
    li.is_active = False
    li.save()
    assert told(hotline) == {(wu.pk, "13700137000")}
    UnitMembership.objects.get(user=wu).delete()
    assert told(hotline) == {(None, "")}  # the failed row: nobody left to tell


@KEEP
def test_a_post_ended_through_the_models_is_seen_at_once(hotline: Any) -> None:
    li = member(hotline.sub_a_unit, "li", phone="13800138000")
    assert told(hotline) == {(li.pk, "13800138000")}
    post = Position.objects.get(user=li)
    post.end_date = timezone.localdate() - timedelta(days=1)
    post.save()
    assert told(hotline) == {(None, "")}


def test_a_change_around_the_models_is_seen_within_the_check_interval(hotline: Any) -> None:
    """What a change by another process looks like here: the rows move in the database only."""
    li = member(hotline.sub_a_unit, "li", phone="13800138000")
    with KEEP:
        assert told(hotline) == {(li.pk, "13800138000")}
        User.objects.filter(pk=li.pk).update(email="li@example.gov.cn")
        Position.objects.filter(user=li).update(phone_enc=crypto.encrypt("13900139000"))
        assert told(hotline) == {(li.pk, "13800138000")}  # still what was kept
    with override_settings(CONTACTS_CHECK_SECONDS=0):
        assert told(hotline) == {(li.pk, "13900139000")}


@KEEP
def test_contacts_read_in_a_transaction_rolled_back_are_not_kept(hotline: Any) -> None:
    li = member(hotline.sub_a_unit, "li", phone="13800138000")
    with pytest.raises(RuntimeError), transaction.atomic():
        wu = member(hotline.sub_a_unit, "wu", phone="13700137000")
        assert {c.phone for c in unit_contacts(hotline.sub_a_unit) if c.user.pk in (li.pk, wu.pk)} == {
            "13800138000",
            "13700137000",
        }
        raise RuntimeError("the staff edit is abandoned")
    assert told(hotline) == {(li.pk, "13800138000")}
    with CaptureQueriesContext(connection) as queries:
        told(hotline)
    assert reads_people(queries) == []  # kept again once that transaction is over


@KEEP
def test_a_post_that_ends_today_is_not_kept_into_tomorrow(hotline: Any, monkeypatch: Any) -> None:
    li = member(hotline.sub_a_unit, "li", phone="13800138000")
    today = timezone.localdate()
    Position.objects.filter(user=li).update(end_date=today)
    assert told(hotline) == {(li.pk, "13800138000")}
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: today + timedelta(days=1))
    assert told(hotline) == {(None, "")}


@KEEP
def test_a_read_that_began_before_an_invalidation_is_not_kept(hotline: Any, monkeypatch: Any) -> None:
    """A thread that read the old people while another thread's change committed must not
    keep them for another check interval."""
    from civicgrid.requests import unit_notify as module

    real_read = module._read_contacts

    def read_then_change(*args: Any, **kwargs: Any) -> Any:
        found = real_read(*args, **kwargs)
        contacts_cache.invalidate()  # a change commits while this read is under way
        return found

    member(hotline.sub_a_unit, "li", phone="13800138000")
    monkeypatch.setattr(module, "_read_contacts", read_then_change)
    unit_contacts(hotline.sub_a_unit)
    monkeypatch.undo()
    with CaptureQueriesContext(connection) as queries:
        unit_contacts(hotline.sub_a_unit)
    assert reads_people(queries) != []  # read again, not the one begun before the change
