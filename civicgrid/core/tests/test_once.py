"""One-time form tokens (``civicgrid.core.once``): a repeated POST writes nothing."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from civicgrid.core import once
from civicgrid.core.models import FormToken

RF = RequestFactory()


def post(token: str | None) -> object:
    return RF.post("/", {once.FIELD: token} if token is not None else {})


def write() -> None:
    """Stands for the form's write: a row of its own."""
    FormToken.objects.create(token=once.issue())


@pytest.mark.django_db
def test_the_field_carries_a_fresh_token() -> None:
    template = Template("{% load once %}{% once_field %}{% once_field %}")
    html = template.render(Context({}))
    values = [part.split('"')[0] for part in html.split('value="')[1:]]
    assert html.count(f'type="hidden" name="{once.FIELD}"') == 2
    assert len(values) == 2 and values[0] != values[1] and all(len(v) == 32 for v in values)


@pytest.mark.django_db
def test_a_token_guards_one_write() -> None:
    token = once.issue()
    with once.guard(post(token)):  # type: ignore[arg-type]
        write()
    with pytest.raises(once.Repeated), once.guard(post(token)):  # type: ignore[arg-type]
        write()
    assert FormToken.objects.count() == 2  # the token and one write


@pytest.mark.django_db
def test_a_failed_write_gives_the_token_back() -> None:
    token = once.issue()
    with pytest.raises(ZeroDivisionError), once.guard(post(token)):  # type: ignore[arg-type]
        write()
        _ = 1 / 0
    assert not FormToken.objects.exists()
    with once.guard(post(token)):  # type: ignore[arg-type]
        write()
    assert FormToken.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("sent", [None, "", "not-a-token", "g" * 32, "0" * 31])
def test_no_token_or_a_malformed_one_is_unguarded(sent: str | None) -> None:
    for _ in range(2):
        with once.guard(post(sent)):  # type: ignore[arg-type]
            write()
    assert FormToken.objects.count() == 2


@pytest.mark.django_db
def test_purge_drops_old_tokens_only() -> None:
    old, new = once.issue(), once.issue()
    FormToken.objects.create(token=old)
    FormToken.objects.create(token=new)
    FormToken.objects.filter(token=old).update(used_at=timezone.now() - once.KEEP - timedelta(days=1))
    assert once.purge() == 1
    assert list(FormToken.objects.values_list("token", flat=True)) == [new]


def _race(token: str, fail_first: bool) -> list[str]:
    """Two POSTs with ``token`` at the same moment, each in its own thread and connection."""
    results: list[str] = []
    barrier = threading.Barrier(2)
    lock = threading.Lock()

    def run(index: int) -> None:
        try:
            barrier.wait()
            if index == 1:
                time.sleep(0.1)  # the second arrives while the first holds the token
            try:
                with once.guard(post(token)):  # type: ignore[arg-type]
                    write()
                    time.sleep(0.5)
                    if fail_first and index == 0:
                        raise ZeroDivisionError
                outcome = "wrote"
            except once.Repeated:
                outcome = "repeated"
            except ZeroDivisionError:
                outcome = "failed"
            with lock:
                results.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return sorted(results)


needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks of PostgreSQL")


@needs_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_posts_at_once_write_once() -> None:
    assert _race(once.issue(), fail_first=False) == ["repeated", "wrote"]
    assert FormToken.objects.count() == 2  # the token and one write


@needs_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_second_post_writes_when_the_first_fails() -> None:
    assert _race(once.issue(), fail_first=True) == ["failed", "wrote"]
    assert FormToken.objects.count() == 2
