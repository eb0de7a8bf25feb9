"""The demo history: twelve months of requests that look real and are exactly what the
services would have written.

The demo city here is the ``city`` fixture with the default catalogue, the default
departments, rules and demo handler accounts (``requests_demo_setup``); olivia is the
operator, alice the grid worker of A1-1, dave the district leader.
"""

import itertools
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from civicgrid.conftest import City
from civicgrid.core import crypto
from civicgrid.core.errors import ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.core.validators import phone_problem
from civicgrid.requests import transitions as t
from civicgrid.requests.constants import Action, Channel, Light, RequestType, Status
from civicgrid.requests.deadlines import light_now
from civicgrid.requests.demo_history import (
    VERB,
    Mix,
    history_digest,
    history_replay,
    history_snapshot,
    requests_history_build,
    requests_history_summary,
    simulate,
    summary_lines,
)
from civicgrid.requests.demo_history.setup import requests_demo_setup
from civicgrid.requests.demo_history.texts import TOPICS
from civicgrid.requests.demo_history.writer import counters_write, history_write
from civicgrid.requests.models import (
    HandlingUnit,
    Rating,
    Request,
    RequestCounter,
    RequestEvent,
    UnitMembership,
)
from civicgrid.requests.rates import Period, ranking_recompute_check, rates_of
from civicgrid.requests.rates.cells import grand_total, raw_cells
from civicgrid.workcal import clock

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 6, 15, 10, 30, tzinfo=TZ)  # on a minute: the last scan ran exactly now
# Rare things made common, so that a short history goes through every path.
BUSY = Mix(
    direct_close=0.5,
    triage=0.15,
    duplicate=0.15,
    returned=0.15,
    extended=0.25,
    suspended=0.15,
    long_running=0.1,
    whistled=0.3,
    council=0.8,
    supervised=0.2,
    late_sign=0.15,
    late_reply=0.2,
    stuck=0.2,
    verify_fails=0.3,
    unsatisfied=0.25,
)


@pytest.fixture
def demo(city: City) -> City:
    requests_demo_setup(password="demo-pass-123")
    return city


def _wipe() -> None:
    Request.objects.update(merged_into=None)
    Request.objects.all().delete()
    RequestCounter.objects.all().delete()


def _titles(key: str) -> set[str]:
    return set(next(topic for topic in TOPICS if topic.key == key).titles)


# -- consistency, checked on every history below --------------------------------------------


def _events_by_request() -> dict[int, list[RequestEvent]]:
    found: dict[int, list[RequestEvent]] = defaultdict(list)
    for event in RequestEvent.objects.order_by("request_id", "created_at", "id"):
        found[event.request_id].append(event)
    return found


def assert_consistent(now: datetime) -> None:
    """Statuses follow the events, every transition is allowed, ratings and lights are right."""
    events = _events_by_request()
    ratings: dict[int, list[Rating]] = defaultdict(list)
    for rating in Rating.objects.order_by("id"):
        ratings[rating.request_id].append(rating)
    for r in Request.objects.select_related("category"):
        # The transitions; the 备注 rows beside them (a withdrawn approval, a whistle ended, a
        # request merged into this one) change no status and no version.
        history = [e for e in events[r.pk] if e.to_status]
        assert history[0].action == Action.RECEIVE
        for before, after in itertools.pairwise(history):
            assert after.from_status == before.to_status, (r.number, after.action)
            assert after.from_status in t.TRANSITIONS[after.action].sources, (r.number, after.action)
        assert history[-1].to_status == r.status
        assert r.version == len(history)
        _assert_rated(r, history, ratings[r.pk])
        if r.status in t.OPEN:  # the scan ran every minute up to now
            assert r.light == light_now(r, now), r.number
            assert r.next_check_at is None or r.next_check_at > now
        if r.status in (Status.CLOSED, Status.MERGED):
            closing = {Action.CLOSE, Action.DIRECT_CLOSE, Action.MERGE}
            assert r.closed_at == max(e.created_at for e in history if e.action in closing)


def _assert_rated(r: Request, history: list[RequestEvent], ratings: list[Rating]) -> None:
    rated = [e for e in history if e.action in (Action.RATE, Action.CALLBACK)]
    assert [x.created_at for x in ratings] == [e.created_at for e in rated]
    for rating in ratings:
        assert rating.month == timezone.localdate(rating.created_at).replace(day=1)
        assert rating.unit_id is not None
    replied = any(e.action == Action.REPLY for e in history)
    callback = r.category is not None and r.category.needs_callback
    if r.status == Status.CLOSED and replied and r.requester_phone_masked and not r.anonymous and callback:
        assert ratings and ratings[-1].round == r.reopen_count + 1, r.number


def assert_deadlines_from_category() -> None:
    """Where nothing moved a deadline since the last dispatch, it is the category's limit."""
    cal = clock.current_calendar()
    moved = {Action.EXTEND_APPROVE, Action.RESUME, Action.LONG_RUNNING}
    checked = 0
    for r in Request.objects.filter(dispatched_at__isnull=False).select_related("category"):
        history = list(r.events.order_by("created_at", "id"))
        last = max(i for i, e in enumerate(history) if e.action in (Action.DISPATCH, Action.REOPEN))
        start, c = r.dispatched_at, r.category
        if any(e.action in moved for e in history[last:]) or c is None or start is None:
            continue
        assert r.due_resolution_at == clock.advance(cal, start, c.resolution_limit, c.resolution_unit).due_at
        assert r.due_response_at == clock.advance(cal, start, c.response_limit, c.response_unit).due_at
        checked += 1
    assert checked > 0


# -- the tests -------------------------------------------------------------------------------


def test_a_year_of_requests_by_month_mix_and_season(demo: City) -> None:
    result = requests_history_build(seed=1, months=12, per_month=60, now=NOW)

    requests = list(Request.objects.all())
    assert result["requests"] == len(requests) > 700
    months = Counter(f"{timezone.localtime(r.received_at):%Y-%m}" for r in requests)
    assert len(months) == 13  # twelve whole months and June so far
    whole = [n for month, n in months.items() if month != "2026-06"]
    assert all(40 <= n <= 90 for n in whole), months
    assert 15 <= months["2026-06"] <= 40  # half a month
    assert all(r.received_at < NOW for r in requests)

    types = Counter(r.type for r in requests)
    assert 0.32 <= types[RequestType.CONSULTATION] / len(requests) <= 0.48
    assert types[RequestType.COMPLAINT] + types[RequestType.HELP] > 0.4 * len(requests)
    assert 0 < types[RequestType.EMERGENCY] < 0.02 * len(requests)
    assert types[RequestType.SUGGESTION] and types[RequestType.PRAISE]
    channels = Counter(r.channel for r in requests)
    assert channels.most_common(1)[0][0] == Channel.HOTLINE
    assert channels[Channel.WEB] + channels[Channel.MINI_PROGRAM] > channels[Channel.WALK_IN] > 0
    assert channels[Channel.GRID_WORKER] and channels[Channel.DOORPLATE]
    assert all(r.created_by == demo.alice for r in requests if r.channel == Channel.GRID_WORKER)
    assert all(r.building_id for r in requests if r.channel == Channel.DOORPLATE)

    by_month_title = Counter((timezone.localtime(r.received_at).month, r.title) for r in requests)

    def season(key: str, months_: tuple[int, ...]) -> int:
        return sum(
            n for (month, title), n in by_month_title.items() if month in months_ and title in _titles(key)
        )

    winter, summer, spring = (12, 1, 2), (6, 7, 8), (3, 4, 5)
    assert season("heating_cold", winter) > 4 * season("heating_cold", summer)
    assert season("flooding", summer) > 3 * season("flooding", winter)
    assert season("greenery", spring) > 2 * season("greenery", winter)


def test_the_history_is_consistent_and_true_to_life(demo: City) -> None:
    requests_history_build(seed=2, months=6, per_month=80, now=NOW)

    assert_consistent(NOW)
    assert_deadlines_from_category()
    requests = list(Request.objects.all())
    old = [r for r in requests if r.received_at < NOW - timedelta(days=45)]
    assert sum(r.status in (Status.CLOSED, Status.MERGED) for r in old) > 0.95 * len(old)
    assert any(r.light == Light.RED and r.status in t.OPEN for r in requests)  # some overdue now
    assert any(r.status == Status.REPLIED for r in requests)  # waiting for the callback
    actions = Counter(RequestEvent.objects.values_list("action", flat=True))
    for action in (Action.DIRECT_CLOSE, Action.WHISTLE, Action.EXTEND_APPROVE, Action.REOPEN, Action.MERGE):
        assert actions[action], action
    assert actions[Action.SUSPEND] + actions[Action.LONG_RUNNING] > 0
    assert Request.objects.filter(supervised=True).exists()
    for r in requests:
        if r.requester_phone_masked:
            assert r.requester_name_masked and "*" in r.requester_phone_masked and r.requester_phone_hash
    numbers = [r.number for r in requests]
    assert len(set(numbers)) == len(numbers)
    last = RequestCounter.objects.get(day=timezone.localdate(max(r.received_at for r in requests)))
    assert last.last == sum(r.number.startswith(f"{last.day:%Y%m%d}") for r in requests)


def test_the_three_rates_are_plausible_and_the_ranking_recomputes(demo: City) -> None:
    requests_history_build(seed=3, months=4, per_month=80, now=NOW)

    total = grand_total(raw_cells(Period(NOW.date() - timedelta(days=150), NOW.date())))
    rates = rates_of(total)
    assert total.rated > 100
    assert rates.response is not None and rates.response >= 0.9
    assert rates.resolution is not None and 0.8 <= rates.resolution <= 0.99
    assert rates.satisfaction is not None and 0.8 <= rates.satisfaction <= 0.99
    assert rates.rework is not None and 0 < rates.rework < 0.12
    check = ranking_recompute_check(NOW.date().replace(day=1) - timedelta(days=1))
    assert check.ok and check.compared > 0
    summary = requests_history_summary()
    assert summary["requests"] == Request.objects.count()
    assert any("三率" in line for line in summary_lines(summary))


def test_same_seed_same_history_other_seed_other_history(demo: City) -> None:
    requests_history_build(seed=7, months=2, per_month=40, now=NOW)
    first = history_digest()
    _wipe()
    requests_history_build(seed=7, months=2, per_month=40, now=NOW)
    assert history_digest() == first
    _wipe()
    requests_history_build(seed=8, months=2, per_month=40, now=NOW)
    assert history_digest() != first


def test_the_services_write_exactly_the_same_rows(demo: City) -> None:
    """Replay the history through the real services at its own moments: same rows."""
    sim = simulate(seed=4, months=2, per_month=30, now=NOW, mix=BUSY)
    history_write(sim.lives)
    counters_write(sim.world.counters)
    bulk = history_snapshot()
    actions = {event[0] for r in bulk for event in r["events"]}
    assert actions >= {
        *(a.value for a in (Action.RECEIVE, Action.DISPATCH, Action.DIRECT_CLOSE, Action.SIGN, Action.START)),
        *(a.value for a in (Action.REPLY, Action.VERIFY, Action.RATE, Action.CALLBACK, Action.CLOSE)),
        *(
            a.value
            for a in (Action.RETURN_APPROVE, Action.EXTEND_REQUEST, Action.EXTEND_APPROVE, Action.SUSPEND)
        ),
        *(
            a.value
            for a in (Action.RESUME, Action.LONG_RUNNING, Action.SUPERVISE, Action.MERGE, Action.REOPEN)
        ),
        *(a.value for a in (Action.WHISTLE, Action.REPORT_IN, Action.NOTE, Action.COUNCIL, Action.WARN)),
    }
    assert_consistent(NOW)
    _wipe()

    history_replay(sim.log)

    replayed = history_snapshot()
    assert [r["number"] for r in replayed] == [r["number"] for r in bulk]
    for a, b in zip(bulk, replayed, strict=True):
        for key in a:
            assert a[key] == b[key], (a["number"], key)


def test_refused_on_a_database_with_requests_and_on_bad_figures(demo: City) -> None:
    requests_history_build(seed=1, months=1, per_month=10, now=NOW)
    counts = (
        Request.objects.count(),
        RequestEvent.objects.count(),
        AuditLog.objects.filter(verb=VERB).count(),
    )

    with pytest.raises(ValidationError) as refused:
        requests_history_build(seed=2, months=1, per_month=10, now=NOW)
    assert "requests" in refused.value.errors
    with pytest.raises(ValidationError) as bad:
        requests_history_build(seed=2, months=0, per_month=0, now=NOW)
    assert {"months", "per_month"} <= set(bad.value.errors)

    assert (
        Request.objects.count(),
        RequestEvent.objects.count(),
        AuditLog.objects.filter(verb=VERB).count(),
    ) == counts
    assert counts[2] == 1


def test_requesters_are_fake_but_valid(demo: City) -> None:
    sim = simulate(seed=5, months=1, per_month=60, now=NOW)

    assert sim.lives and not Request.objects.exists()  # simulating writes nothing
    for req in (life.req for life in sim.lives):
        phone = crypto.decrypt(req.requester_phone_enc)
        if phone:
            assert phone_problem(phone) is None
            assert req.requester_phone_hash == crypto.blind_index(phone)
        assert req.anonymous or phone or req.channel in (Channel.GRID_WORKER,)


def test_setup_is_idempotent_and_staffs_every_unit(demo: City) -> None:
    again = requests_demo_setup(password="demo-pass-123")

    assert again.units == 0 and again.rules == 0 and not again.accounts
    staffed = set(UnitMembership.objects.values_list("unit_id", flat=True))
    assert set(HandlingUnit.objects.filter(is_active=True).values_list("id", flat=True)) <= staffed


def test_command_builds_and_prints_the_summary(demo: City, capsys: Any) -> None:
    call_command(
        "requests_demo", "--months", "1", "--per-month", "15", "--seed", "3", "--password", "demo-pass-123"
    )
    out = capsys.readouterr().out
    assert "完成：" in out and "三率：" in out
    call_command("requests_demo", "--summary")
    assert "诉求" in capsys.readouterr().out
