"""The dispatch rules and units each process keeps (``services.rulebook``): read once, seen
anew when they change here at once, when they change elsewhere within the check interval,
never kept from a transaction that was rolled back."""

import threading
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings

from civicgrid.requests import services
from civicgrid.requests.constants import Status
from civicgrid.requests.models import DispatchRule
from civicgrid.requests.services.dispatch import unit_for_place
from civicgrid.requests.services.rulebook import rulebook
from civicgrid.territory.tests.threads import postgres_only

# Commits must happen for the commit hooks to run: these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

KEEP = override_settings(RULES_CHECK_SECONDS=3600)


def reads_rules_or_units(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if 'FROM "requests_dispatchrule"' in q["sql"] or 'FROM "requests_handlingunit"' in q["sql"]
    ]


def intake(hotline: Any, **kw: Any) -> Any:
    return services.request_create(actor=hotline.city.olivia, data=hotline.new(**kw))


@KEEP
def test_once_read_dispatch_reads_no_rule_and_no_unit(hotline: Any) -> None:
    first = intake(hotline)
    with CaptureQueriesContext(connection) as queries:
        second = intake(hotline)
        vending = intake(hotline, category=hotline.street_vending)
    assert reads_rules_or_units(queries) == []
    assert first.lead_unit_id == second.lead_unit_id == hotline.sub_a_unit.pk
    assert vending.lead_unit_id == hotline.chengguan.pk
    assert second.status == Status.DISPATCHED


@KEEP
def test_a_rule_or_unit_changed_through_the_models_is_seen_at_once(hotline: Any) -> None:
    assert intake(hotline).lead_unit_id == hotline.sub_a_unit.pk  # the book is kept
    local = DispatchRule.objects.get(name="属地街道")
    DispatchRule.objects.create(
        name="社区先办", priority=50, target=DispatchRule.Target.LOCATION_COMMUNITY, category_prefix="01"
    )
    assert intake(hotline).lead_unit_id == hotline.comm_a1_unit.pk
    hotline.comm_a1_unit.is_active = False
    hotline.comm_a1_unit.save()
    assert intake(hotline).lead_unit_id == hotline.sub_a_unit.pk  # the stopped unit is passed by
    local.assisting.add(hotline.zhujian)
    assisted = intake(hotline)
    assert assisted.work_orders.filter(role="assist").get().unit_id == hotline.zhujian.pk


def test_a_change_around_the_models_is_seen_within_the_check_interval(hotline: Any) -> None:
    """What a change by another process looks like here: the rows move in the database only."""
    with KEEP:
        assert intake(hotline).lead_unit_id == hotline.sub_a_unit.pk
        DispatchRule.objects.filter(name="属地街道").update(is_active=False)
        assert intake(hotline).lead_unit_id == hotline.sub_a_unit.pk  # still the kept rule
    with override_settings(RULES_CHECK_SECONDS=0):
        left = intake(hotline)
    assert left.lead_unit_id is None and left.status == Status.RECEIVED  # triage: no rule matched


@KEEP
def test_a_book_read_in_a_transaction_rolled_back_is_not_kept(hotline: Any) -> None:
    intake(hotline)
    with pytest.raises(RuntimeError), transaction.atomic():
        DispatchRule.objects.create(
            name="临时规则", priority=1, target=DispatchRule.Target.UNIT, unit=hotline.zhujian
        )
        assert intake(hotline).lead_unit_id == hotline.zhujian.pk  # seen inside its transaction
        raise RuntimeError("the edit is abandoned")
    assert intake(hotline).lead_unit_id == hotline.sub_a_unit.pk
    with CaptureQueriesContext(connection) as queries:
        intake(hotline)
    assert reads_rules_or_units(queries) == []  # kept again once that transaction is over


@KEEP
def test_units_are_handed_out_as_copies(hotline: Any) -> None:
    first = intake(hotline)
    assert first.lead_unit is not None
    first.lead_unit.name = "改过的名字"
    book = rulebook.book()
    assert book.units[hotline.sub_a_unit.pk].name == "崇安寺街道办事处"
    assert intake(hotline).lead_unit.name == "崇安寺街道办事处"


@KEEP
def test_a_read_that_began_before_an_invalidation_is_not_kept(hotline: Any, monkeypatch: Any) -> None:
    """A thread that read the old rules while another thread's change committed must not
    keep them for another check interval."""
    from civicgrid.requests.services import rulebook as module

    real_read = module._read

    def read_then_change(*args: Any, **kwargs: Any) -> Any:
        found = real_read(*args, **kwargs)
        rulebook.invalidate()  # a change commits while this read is under way
        return found

    monkeypatch.setattr(module, "_read", read_then_change)
    first = rulebook.book()
    monkeypatch.undo()
    assert rulebook.book() is not first  # read again, not the one begun before the change


@KEEP
def test_a_rule_area_moved_by_the_territory_services_is_followed_at_once(hotline: Any) -> None:
    from civicgrid.territory import services as territory

    city = hotline.city
    DispatchRule.objects.create(
        name="胜利门社区住建专办",
        priority=20,
        area=city.comm_a1,
        target=DispatchRule.Target.UNIT,
        unit=hotline.zhujian,
    )
    assert intake(hotline).lead_unit_id == hotline.zhujian.pk  # the book is kept
    territory.node_move(actor=city.sysadmin, node=city.comm_a1, new_parent=city.sub_b)  # new paths, no save
    moved = intake(hotline)
    assert moved.node_path.startswith(city.sub_b.path)
    assert moved.lead_unit_id == hotline.zhujian.pk  # the rule's area followed its community


def other_thread_dispatches() -> None:
    """Another thread of this process reads the rule book (with its own connection)."""

    def read() -> None:
        try:
            rulebook.book()
        finally:
            connection.close()

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()


@postgres_only
@KEEP
def test_a_changing_transaction_keeps_seeing_its_change_when_another_thread_reads_meanwhile(
    hotline: Any,
) -> None:
    assert intake(hotline).lead_unit_id == hotline.sub_a_unit.pk
    with transaction.atomic():
        DispatchRule.objects.create(
            name="临时规则", priority=1, target=DispatchRule.Target.UNIT, unit=hotline.zhujian
        )
        assert intake(hotline).lead_unit_id == hotline.zhujian.pk
        other_thread_dispatches()  # keeps the committed rules, without the new one
        assert intake(hotline).lead_unit_id == hotline.zhujian.pk  # still its own change
    assert intake(hotline).lead_unit_id == hotline.zhujian.pk  # and everyone's after the commit


@postgres_only
@KEEP
def test_what_another_thread_kept_before_a_commit_is_dropped_at_the_commit(hotline: Any) -> None:
    intake(hotline)
    with transaction.atomic():
        DispatchRule.objects.create(
            name="临时规则", priority=1, target=DispatchRule.Target.UNIT, unit=hotline.zhujian
        )
        other_thread_dispatches()
    with CaptureQueriesContext(connection) as queries:
        assert intake(hotline).lead_unit_id == hotline.zhujian.pk
    assert reads_rules_or_units(queries)  # read again after the commit


@KEEP
def test_of_two_units_of_one_kind_at_one_place_the_older_serves_it(hotline: Any) -> None:
    from civicgrid.requests.constants import UnitKind
    from civicgrid.requests.tests.conftest import unit

    unit("S09", "崇安寺街道（新）", UnitKind.SUBDISTRICT, hotline.city.sub_a, hotline.district_unit)
    assert intake(hotline).lead_unit_id == hotline.sub_a_unit.pk
    place = unit_for_place(hotline.city.grid_a1_1.path, UnitKind.SUBDISTRICT)
    assert place is not None and place.pk == hotline.sub_a_unit.pk
