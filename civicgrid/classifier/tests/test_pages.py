"""The versions pages (system administrator), the console's suggestion fragment, the API."""

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.classifier import services
from civicgrid.classifier.models import ClassifierVersion
from civicgrid.classifier.tests.history_data import make_history
from civicgrid.core.models import AuditLog
from civicgrid.requests.tests.conftest import Hotline
from civicgrid.territory.models import Node


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def active(hotline: Hotline, model_dir: Path) -> ClassifierVersion:
    make_history(hotline, per_category=8)
    version = services.classifier_train_history(actor=hotline.city.sysadmin).version
    assert version is not None
    return services.version_activate(actor=hotline.city.sysadmin, version_id=version.pk)


def test_versions_page_and_detail_for_the_administrator(active: ClassifierVersion, hotline: Hotline) -> None:
    client = client_for(hotline.city.sysadmin)
    page = client.get(reverse("classifier:versions"))
    assert page.status_code == 200 and str(active) in page.content.decode()
    detail = client.get(reverse("classifier:version", args=[active.pk])).content.decode()
    assert "混淆矩阵" in detail and "精确率" in detail and "电梯故障" in detail
    # The matrix's tooltip is HTML made by our formatter: category and unit names (which an
    # imported catalogue or a unit's admin page set) must go through ECharts' encoder.
    formatter = detail.split("tooltip: {formatter:", 1)[1].split("}},", 1)[0]
    assert "esc(d.labels[p.value[1]])" in formatter and "esc(d.labels[p.value[0]])" in formatter
    assert "var esc = echarts.format.encodeHTML;" in formatter


@pytest.mark.parametrize("who", ["carol", "olivia"])
def test_others_are_refused_the_pages(active: ClassifierVersion, hotline: Hotline, who: str) -> None:
    client = client_for(getattr(hotline.city, who))
    assert client.get(reverse("classifier:versions")).status_code == 403
    assert client.get(reverse("classifier:version", args=[active.pk])).status_code == 403
    audits = AuditLog.objects.count()
    assert client.post(reverse("classifier:rollback")).status_code == 403
    assert client.post(reverse("classifier:train")).status_code == 403
    assert AuditLog.objects.count() == audits and ClassifierVersion.objects.count() == 1


def test_training_from_the_page_runs_the_background_task(active: ClassifierVersion, hotline: Hotline) -> None:
    response = client_for(hotline.city.sysadmin).post(reverse("classifier:train"))
    assert response.status_code == 302
    newest = ClassifierVersion.objects.order_by("-pk").first()
    assert newest is not None and newest.number == 2 and not newest.is_active


def test_console_shows_suggestions_as_the_operator_types(active: ClassifierVersion, hotline: Hotline) -> None:
    client = client_for(hotline.city.olivia)
    console = client.get(reverse("requests:console")).content.decode()
    assert 'id="classifier-suggest"' in console
    fragment = client.get(reverse("classifier:suggest"), {"title": "电梯困人", "content": "3号楼电梯坏了"})
    html = fragment.content.decode()
    assert html.count('class="link classifier-pick"') == 3
    assert f'data-id="{hotline.lift.pk}"' in html


def test_console_suggestions_show_where_the_rules_would_send_each_category(
    active: ClassifierVersion, hotline: Hotline
) -> None:
    """Found by an outside tester: the unit beside each suggested category was the model's one
    guess for the text, the same bureau for all three. It is now the dispatch rules' lead unit
    for that category at the place typed so far, and the place it was worked out for."""
    client, c = client_for(hotline.city.olivia), hotline.city
    text: dict[str, Any] = {"title": "电梯困人", "content": "3号楼电梯坏了"}

    def route(building: Node) -> str:
        html = client.get(reverse("classifier:suggest"), {**text, "building": building.pk}).content.decode()
        assert f"按“{building.name}”预览派单" in html
        items = html.split("<li>")[1:]
        lift = next(i for i in items if f'data-id="{hotline.lift.pk}"' in i)
        return lift.split('<span class="muted">', 1)[1].split("</span>", 1)[0]

    assert "派至崇安寺街道办事处（规则：属地街道）" in route(c.building_a1)
    assert "派至通江街道办事处（规则：属地街道）" in route(c.building_b1)
    # No place yet: the operator's own area (the district), where no subdistrict rule can fit.
    html = client.get(reverse("classifier:suggest"), text).content.decode()
    assert "无匹配的派单规则，提交后进入待分派" in html and "派至崇安寺" not in html
    # A building outside the reporter's reach is not used (nor named): a grid worker of A1-1
    # naming B's building gets the preview for her own area.
    response = client_for(c.alice).get(reverse("classifier:suggest"), {**text, "building": c.building_b1.pk})
    page = response.content.decode()
    assert "派至崇安寺街道办事处" in page and "通江" not in page and c.building_b1.name not in page


def test_suggest_api(active: ClassifierVersion, hotline: Hotline) -> None:
    response = client_for(hotline.city.olivia).get("/api/v1/classifier/suggest", {"text": "电梯困人"})
    assert response.status_code == 200
    body = response.json()
    assert len(body) == 3 and body[0]["category_id"] == hotline.lift.pk and body[0]["path"][2] == "电梯故障"
    assert client_for(hotline.city.carol).get("/api/v1/classifier/versions").status_code == 403
