"""Merges stay one level (合并重复件): when a request with duplicates merged into it is itself
merged, its duplicates follow it to the new target (under their row locks, each with a row on
its timeline and on the target's), so the target's page lists them and no duplicate points at
a merged request. The API's merge names the field it was given: into_id and into_number
together are refused; an unknown into_number is reported under into_number.
"""

from typing import Any

import pytest
from django.test import Client

from civicgrid.accounts.services import api_token_create
from civicgrid.core.errors import CivicError
from civicgrid.core.models import AuditLog
from civicgrid.requests import services
from civicgrid.requests.constants import Action, Status
from civicgrid.requests.models import Request, RequestEvent
from civicgrid.requests.services import handling
from civicgrid.territory.tests.threads import postgres_only, run_at_once, slow_audit

pytestmark = pytest.mark.django_db


def _three(hotline: Any) -> tuple[Request, Request, Request]:
    olivia = hotline.city.olivia
    return (
        services.request_create(actor=olivia, data=hotline.new(title="电梯停运")),
        services.request_create(actor=olivia, data=hotline.new(title="电梯又停了")),
        services.request_create(actor=olivia, data=hotline.new(title="三号楼电梯坏了")),
    )


def test_merging_a_target_moves_its_duplicates_to_the_new_target(client: Client, hotline: Any) -> None:
    olivia = hotline.city.olivia
    x, b, c = _three(hotline)
    services.request_merge(actor=olivia, request=x, into=b)
    x_version = Request.objects.get(pk=x.pk).version
    b.refresh_from_db()
    services.request_merge(actor=olivia, request=b, into=c)

    x.refresh_from_db()
    assert x.merged_into_id == c.pk and x.status == Status.MERGED
    assert x.version == x_version + 1
    assert sorted(Request.objects.filter(merged_into=c).values_list("pk", flat=True)) == sorted([x.pk, b.pk])
    assert not Request.objects.filter(merged_into=b).exists()
    moved = RequestEvent.objects.filter(request=x, action=Action.NOTE).latest("id")
    assert moved.data == {"into": c.pk, "was_into": b.pk}
    assert b.number in moved.note and c.number in moved.note
    on_target = RequestEvent.objects.get(request=c, data__merged_from=x.pk)
    assert on_target.data["via"] == b.pk and x.number in on_target.note
    audited = AuditLog.objects.get(verb="requests.merge_followed")
    assert (audited.target_id, audited.actor_id) == (str(x.pk), olivia.pk)
    assert audited.before == {"merged_into": b.pk}
    assert audited.after == {"merged_into": c.pk, "version": x.version}

    client.force_login(olivia)
    page = client.get(f"/requests/{c.pk}/").content.decode()
    assert f'href="/requests/{x.pk}/"' in page and f'href="/requests/{b.pk}/"' in page


def _api(user: Any) -> dict[str, str]:
    _, token = api_token_create(actor=None, system=True, user=user, name="测试")
    return {"Authorization": f"Bearer {token}"}


def test_the_api_refuses_both_into_fields_and_names_an_unknown_number(hotline: Any) -> None:
    x, b, c = _three(hotline)
    headers = _api(hotline.city.olivia)
    both = Client().post(
        f"/api/v1/requests/{x.pk}/merge",
        {"into_id": b.pk, "into_number": c.number},
        "application/json",
        headers=headers,
    )
    assert both.status_code == 422, both.content
    assert set(both.json()["detail"]) == {"into_id", "into_number"}
    unknown = Client().post(
        f"/api/v1/requests/{x.pk}/merge", {"into_number": "NOPE-0001"}, "application/json", headers=headers
    )
    assert unknown.status_code == 422, unknown.content
    assert list(unknown.json()["detail"]) == ["into_number"]
    x.refresh_from_db()
    assert x.status != Status.MERGED and x.merged_into_id is None
    by_number = Client().post(
        f"/api/v1/requests/{x.pk}/merge", {"into_number": c.number}, "application/json", headers=headers
    )
    assert by_number.status_code == 200, by_number.content
    assert Request.objects.get(pk=x.pk).merged_into_id == c.pk


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_merges_at_once_keep_the_chain_one_level(hotline: Any, monkeypatch: Any) -> None:
    """X into B while B goes into C: whichever runs second sees the first. Either X follows B
    to C, or X's merge finds B merged and is refused; never X → B → C."""
    olivia = hotline.city.olivia
    x, b, c = _three(hotline)
    slow_audit(monkeypatch, handling.engine)
    results = run_at_once(
        lambda: services.request_merge(actor=olivia, request=x, into=b),
        lambda: services.request_merge(actor=olivia, request=b, into=c),
    )
    assert not isinstance(results[1], Exception), results
    x.refresh_from_db()
    if isinstance(results[0], Exception):
        assert isinstance(results[0], CivicError) and x.merged_into_id is None
    else:
        assert x.merged_into_id == c.pk
    assert not Request.objects.filter(merged_into__status=Status.MERGED).exists()


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_pair_merged_into_each_other_at_once_does_not_deadlock(hotline: Any, monkeypatch: Any) -> None:
    olivia = hotline.city.olivia
    x, b, _c = _three(hotline)
    slow_audit(monkeypatch, handling.engine)
    results = run_at_once(
        lambda: services.request_merge(actor=olivia, request=x, into=b),
        lambda: services.request_merge(actor=olivia, request=b, into=x),
    )
    failed = [r for r in results if isinstance(r, Exception)]
    assert len(failed) == 1 and isinstance(failed[0], CivicError), results
    assert Request.objects.filter(pk__in=[x.pk, b.pk], status=Status.MERGED).count() == 1
