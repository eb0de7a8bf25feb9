"""How intake writes: one statement for all rows of a new request on PostgreSQL, the same
rows everywhere, and the per-process catalogue it reads."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from civicgrid.core.errors import ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.notify.models import Notification
from civicgrid.requests import services
from civicgrid.requests.catalogue.cache import catalogue_cache
from civicgrid.requests.constants import Status
from civicgrid.requests.models import CatalogueVersion, Request, RequestEvent, WorkOrder
from civicgrid.requests.rates.journal import month_of
from civicgrid.requests.rates.ranking import ranking_recompute_check
from civicgrid.requests.rollups import RateDelta
from civicgrid.requests.tests.conftest import leaf
from civicgrid.territory.tests.threads import postgres_only

pytestmark = pytest.mark.django_db

INSERTS = ("requests_request", "requests_ratedelta", "requests_requestevent", "requests_workorder",
           "notify_notification", "core_auditlog")  # fmt: skip


def test_a_dispatched_intake_writes_every_row_of_receiving_and_dispatching(hotline: Any) -> None:
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())

    stored = Request.objects.get(pk=request.pk)
    assert stored.number == request.number and stored.status == Status.DISPATCHED
    assert stored.lead_unit_id == hotline.sub_a_unit.pk and stored.due_resolution_at is not None
    events = list(RequestEvent.objects.filter(request=request).order_by("id"))
    assert [e.action for e in events] == ["receive", "dispatch"]
    assert events[1].unit_id == hotline.sub_a_unit.pk and events[1].note == "规则：属地街道"
    orders = WorkOrder.objects.filter(request=request).order_by("id")
    assert [(o.unit_id, o.role) for o in orders] == [
        (hotline.sub_a_unit.pk, "lead"),
        (hotline.district_unit.pk, "copy"),
    ]
    # One message per reachable member of the lead unit (or its failed "nobody reachable" row).
    messages = Notification.objects.filter(target_type="requests.request", target_id=str(request.pk))
    key = f"dispatch:{request.pk}:{stored.version}:{hotline.sub_a_unit.pk}:"
    assert messages.exists() and all(m.dedupe_key.startswith(key) for m in messages)
    assert all(request.number in m.body for m in messages)
    audits = AuditLog.objects.filter(target_type="requests.request", target_id=str(request.pk))
    assert sorted(audits.values_list("verb", flat=True)) == ["requests.dispatch", "requests.received"]
    # The rate journal counts the request once, for its lead unit at its place, as a
    # recount of the raw rows does.
    delta = RateDelta.objects.get(unit=hotline.sub_a_unit, place=stored.node_path)
    assert (delta.received, delta.closed) == (1, 0)
    check = ranking_recompute_check(month_of(stored.received_at))
    assert check.ok and check.compared >= 1, check.differences


def test_the_objects_intake_returns_are_saved_and_save_again_without_a_second_count(hotline: Any) -> None:
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    assert request._state.adding is False
    request.title = "电梯停运四天"
    request.save()
    assert Request.objects.get(pk=request.pk).title == "电梯停运四天"
    assert sum(RateDelta.objects.values_list("received", flat=True)) == 1


@postgres_only
def test_on_postgresql_the_rows_are_one_statement_after_the_one_drawing_id_and_number(hotline: Any) -> None:
    services.request_create(actor=hotline.city.olivia, data=hotline.new())  # the day's sequence exists
    with CaptureQueriesContext(connection) as queries:
        request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    inserts = [q["sql"] for q in queries.captured_queries if "INSERT" in q["sql"]]
    assert len(inserts) == 1
    assert all(f'INSERT INTO "{table}"' in inserts[0] for table in INSERTS)
    drawn = [q["sql"] for q in queries.captured_queries if "nextval" in q["sql"]]
    assert len(drawn) == 1 and "pg_get_serial_sequence" in drawn[0]
    assert Request.objects.filter(pk=request.pk, number=request.number).exists()


@postgres_only
def test_a_refused_row_refuses_the_whole_statement_and_leaves_nothing(hotline: Any) -> None:
    # A message already holds the key the dispatch's message will take (the next request
    # id, drawn here and put back): the unique key refuses the one statement, and none of
    # the request's rows is written, not even those of the tables before the message's.
    from django.db import IntegrityError, transaction

    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('requests_request', 'id'))")
        (next_pk,) = cursor.fetchone()
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('requests_request', 'id'), %s, false)", [next_pk]
        )
    # The keys the dispatch's messages take: those of the previous request's, with its id.
    services.request_create(actor=hotline.city.olivia, data=hotline.new())
    taken = Notification.objects.filter(dedupe_key__startswith=f"dispatch:{next_pk}:").first()
    assert taken is not None
    Notification.objects.create(
        dedupe_key=taken.dedupe_key.replace(f"dispatch:{next_pk}:", f"dispatch:{next_pk + 1}:", 1),
        channel="sms",
        subject="占位",
        body="占位",
    )
    next_pk += 1
    before = (Request.objects.count(), RequestEvent.objects.count(), AuditLog.objects.count())
    with CaptureQueriesContext(connection) as queries, pytest.raises(IntegrityError), transaction.atomic():
        services.request_create(actor=hotline.city.olivia, data=hotline.new())
    inserts = [q["sql"] for q in queries.captured_queries if "INSERT" in q["sql"]]
    assert len(inserts) == 1 and inserts[0].startswith("WITH t0 AS (INSERT INTO")
    assert (Request.objects.count(), RequestEvent.objects.count(), AuditLog.objects.count()) == before
    assert not Request.objects.filter(pk=next_pk).exists()


def test_cached_categories_are_copies(hotline: Any) -> None:
    first = catalogue_cache.category(hotline.lift.pk)
    assert first is not None and first.version.is_current  # loads the version on this copy
    CatalogueVersion.objects.filter(pk=hotline.version.pk).update(is_current=False)
    second = catalogue_cache.category(hotline.lift.pk)
    assert second is not None and second is not first
    assert "version" not in second._state.fields_cache
    assert second.version.is_current is False  # read afresh, not the first copy's
    assert catalogue_cache.category(10**9) is None


def test_publishing_switches_the_current_version_for_the_publisher_and_after_the_commit(
    hotline: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from civicgrid.requests import catalogue

    services.request_create(actor=hotline.city.olivia, data=hotline.new())
    with django_capture_on_commit_callbacks() as after_commit:
        catalogue.catalogue_publish(
            actor=hotline.city.sysadmin,
            rows=[{"level1": "城乡建设", "level2": "物业管理", "level3": "电梯故障"}],
            note="第二版",
        )
    # Within the publishing transaction the old leaf is refused at once ...
    with pytest.raises(ValidationError) as refused:
        services.request_create(actor=hotline.city.olivia, data=hotline.new())
    assert "category" in refused.value.errors
    # ... and the process's other threads read the current version again once it commits.
    assert catalogue_cache.invalidate in after_commit


def test_a_read_that_began_before_an_invalidation_is_not_kept(hotline: Any, monkeypatch: Any) -> None:
    """A thread that read the old current version while a publish committed must not keep
    it for another check interval."""
    real_query = CatalogueVersion.objects.filter

    def read_then_publish(*args: Any, **kwargs: Any) -> Any:
        found = real_query(*args, **kwargs)
        catalogue_cache.invalidate()  # the publish commits while this read is under way
        return found

    with override_settings(CATALOGUE_CHECK_SECONDS=3600):
        monkeypatch.setattr(CatalogueVersion.objects, "filter", read_then_publish)
        assert catalogue_cache.current_version_id() == hotline.version.pk
        monkeypatch.undo()
        CatalogueVersion.objects.filter(pk=hotline.version.pk).update(is_current=False)
        assert catalogue_cache.current_version_id() is None  # read again, not the kept one


def test_another_process_publishing_is_seen_within_the_check_interval(hotline: Any) -> None:
    """What another process's publish looks like here: the flag moves in the database only."""
    newer = CatalogueVersion.objects.create(number=2, is_current=False)
    fresh_leaf = leaf(newer, "010101", ("城乡建设", "物业管理", "电梯故障"))
    with override_settings(CATALOGUE_CHECK_SECONDS=3600):
        services.request_create(actor=hotline.city.olivia, data=hotline.new())  # reads v1 as current
        CatalogueVersion.objects.filter(pk=hotline.version.pk).update(is_current=False)
        CatalogueVersion.objects.filter(pk=newer.pk).update(is_current=True)
        services.request_create(actor=hotline.city.olivia, data=hotline.new())  # still v1 here
    with override_settings(CATALOGUE_CHECK_SECONDS=0):
        with pytest.raises(ValidationError):
            services.request_create(actor=hotline.city.olivia, data=hotline.new())
        created = services.request_create(actor=hotline.city.olivia, data=hotline.new(category=fresh_leaf))
    assert created.category is not None and created.category.version_id == newer.pk
