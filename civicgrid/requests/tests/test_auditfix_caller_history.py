"""The operator console's caller history by phone is audited and has a call-taker's budget."""

from typing import Any

from django.test import Client, override_settings

from civicgrid.core.models import AuditLog
from civicgrid.requests import services
from civicgrid.requests.ledger import CALLER_HISTORY_VIEWED, PHONE_SEARCHED

URL = "/requests/console/history/"


def _login(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def test_each_lookup_is_audited_with_the_masked_phone_and_hits(client: Client, hotline: Any) -> None:
    earlier = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    _login(client, hotline.city.olivia)
    html = client.get(URL, {"requester_phone": "13812345678"}).content.decode()
    assert earlier.number in html
    row = AuditLog.objects.get(verb=CALLER_HISTORY_VIEWED)
    assert row.actor_id == hotline.city.olivia.pk
    assert {k: (row.after or {})[k] for k in ("phone", "hits")} == {"phone": "138****5678", "hits": 1}
    assert "13812345678" not in str(row.after)
    client.get(URL, {"requester_phone": "+86 139 0000 0000"})
    assert AuditLog.objects.filter(verb=CALLER_HISTORY_VIEWED).count() == 2
    latest = AuditLog.objects.filter(verb=CALLER_HISTORY_VIEWED).latest("pk").after or {}
    assert {k: latest[k] for k in ("phone", "hits")} == {"phone": "139****0000", "hits": 0}
    client.get(URL, {"requester_phone": "1381234"})  # not a phone yet: nothing looked up
    client.get(URL)
    assert AuditLog.objects.filter(verb=CALLER_HISTORY_VIEWED).count() == 2
    assert not AuditLog.objects.filter(verb=PHONE_SEARCHED).exists()  # the ledger's budget is apart


@override_settings(REQUESTS_CALLER_HISTORY_LIMIT=3)
def test_past_the_budget_the_lookup_is_refused_and_nothing_is_shown(client: Client, hotline: Any) -> None:
    earlier = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    _login(client, hotline.city.olivia)
    assert earlier.number in client.get(URL, {"requester_phone": "13812345678"}).content.decode()
    for phone in ("13900000001", "13900000002"):  # another number each: a repeat is charged once
        client.get(URL, {"requester_phone": phone})
    refused = client.get(URL, {"requester_phone": "13900000003"})
    assert refused.status_code == 429 and refused["Retry-After"] == "600"
    html = refused.content.decode()
    assert earlier.number not in html and "来电历史查询过于频繁" in html
    assert AuditLog.objects.filter(verb=CALLER_HISTORY_VIEWED).count() == 3
    shown = client.get(URL, {"requester_phone": "13900000004"}, headers={"HX-Request": "true"})
    assert shown.status_code == 200 and "来电历史查询过于频繁" in shown.content.decode()


def test_the_default_budget_lets_a_call_taker_work(settings: Any) -> None:
    # a call every 10 s for the whole window; the ledger's 30 would block a busy operator
    assert settings.REQUESTS_CALLER_HISTORY_LIMIT == 60 > settings.REGISTRY_PII_SEARCH_LIMIT
