"""Running services in threads at once, for the concurrency tests on PostgreSQL."""

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks and concurrent transactions need PostgreSQL"
)


def run_at_once(
    *jobs: Callable[[], Any], stagger: float = 0.05, after: threading.Event | None = None
) -> list[Any]:
    """Start the jobs together (the first a little ahead), each in its own thread and
    database connection; return each one's result, or the exception it raised.

    With `after` (the event `slow_audit` returns) the other jobs start only once the first
    has reached its audit row, i.e. holds its locks: a test that needs the first job to win
    does not depend on the first thread connecting within `stagger` on a busy machine."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(i: int, job: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            if i and after is not None:
                assert after.wait(timeout=30), "the first job never reached its audit row"
            time.sleep(stagger * i)
            results[i] = job()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
        assert not t.is_alive(), "a job is stuck (deadlock?)"
    return results


def slow_audit(monkeypatch: Any, *modules: Any, seconds: float = 0.4) -> threading.Event:
    """Make each service pause just before its audit row, i.e. while it still holds its
    locks and its changes are not yet committed: the other thread runs into that window.
    The event returned is set when the first service reaches that pause."""
    reached = threading.Event()
    for module in modules:
        real = module.audit_write

        def slow(*args: Any, _real: Any = real, **kwargs: Any) -> Any:
            reached.set()
            time.sleep(seconds)
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, "audit_write", slow)
    return reached
