"""A refused reveal of the requester's name and phone (403 or 404) is audited too."""

from typing import Any

from django.test import Client

from civicgrid.core.models import AuditLog
from civicgrid.core.views_audit import VERB_LABELS
from civicgrid.requests import services
from civicgrid.requests.web_helpers import REQUESTER_PII_REFUSED, REQUESTER_PII_VIEWED


def test_a_refused_reveal_writes_a_refusal_row(client: Client, hotline: Any) -> None:
    r = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    client.force_login(hotline.hank)  # a handler without the right to see the requester: 403
    response = client.post(f"/requests/{r.pk}/reveal/")
    assert response.status_code == 403 and "13812345678" not in response.content.decode()
    row = AuditLog.objects.get(verb=REQUESTER_PII_REFUSED, actor=hotline.hank)
    assert row.target_type == "requests.request" and row.target_id == str(r.pk)
    assert row.node_path == r.node_path and row.after["status"] == 403  # type: ignore[index]
    assert not AuditLog.objects.filter(verb=REQUESTER_PII_VIEWED).exists()

    client.force_login(hotline.city.carol)  # another community: the request is not hers, 404
    assert client.post(f"/requests/{r.pk}/reveal/").status_code == 404
    row = AuditLog.objects.get(verb=REQUESTER_PII_REFUSED, actor=hotline.city.carol)
    assert row.target_id == str(r.pk) and row.node_path == "" and row.after["status"] == 404  # type: ignore[index]
    assert client.post("/requests/999999/reveal/").status_code == 404
    assert AuditLog.objects.filter(verb=REQUESTER_PII_REFUSED, target_id="999999").count() == 1


def test_an_anonymous_requester_refusal_is_audited(client: Client, hotline: Any) -> None:
    r = services.request_create(actor=hotline.city.olivia, data=hotline.new(anonymous=True))
    client.force_login(hotline.city.bob)
    assert client.post(f"/requests/{r.pk}/reveal/").status_code == 403
    assert AuditLog.objects.filter(verb=REQUESTER_PII_REFUSED, actor=hotline.city.bob).count() == 1
    assert str(VERB_LABELS[REQUESTER_PII_REFUSED]) == "查看诉求人信息被拒绝"
