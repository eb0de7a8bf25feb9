import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from civicgrid.conftest import make_user
from civicgrid.requests.demo_history import Mix, history_replay, history_snapshot, simulate
from civicgrid.requests.demo_history.writer import counters_write, history_write
from civicgrid.requests.models import Request, RequestCounter, UnitMembership

NOW = datetime(2026, 6, 15, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
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


def _diff(a, b):
    by_a = {r["number"]: r for r in a}
    by_b = {r["number"]: r for r in b}
    out = []
    for number in sorted(set(by_a) | set(by_b)):
        ra, rb = by_a.get(number), by_b.get(number)
        if ra != rb:
            if ra is None or rb is None:
                out.append((number, "missing", ra is None))
                continue
            for key in ra:
                if ra[key] != rb.get(key):
                    out.append((number, key, ra[key], rb.get(key)))
    return out


def test_replay(hotline):
    henry = make_user("henry", "何立")
    UnitMembership.objects.create(user=henry, unit=hotline.sub_b_unit, is_approver=True)
    t0 = time.perf_counter()
    sim = simulate(seed=3, months=2, per_month=25, now=NOW, mix=BUSY)
    history_write(sim.lives)
    counters_write(sim.world.counters)
    t1 = time.perf_counter()
    bulk = history_snapshot()
    Request.objects.update(merged_into=None)
    Request.objects.all().delete()
    RequestCounter.objects.all().delete()
    t2 = time.perf_counter()
    history_replay(sim.log)
    t3 = time.perf_counter()
    replayed = history_snapshot()
    print(f"\n{len(sim.lives)} requests, {len(sim.log)} steps; bulk {t1 - t0:.2f}s replay {t3 - t2:.2f}s")
    from collections import Counter

    print(Counter(e.step.kind for e in sim.log))
    print(
        bulk[5]["events"][:3],
        len(bulk),
        sum(len(r["events"]) for r in bulk),
        sum(len(r["warnings"]) for r in bulk),
    )
    diffs = _diff(bulk, replayed)
    for d in diffs[:15]:
        print(d)
    assert not diffs
