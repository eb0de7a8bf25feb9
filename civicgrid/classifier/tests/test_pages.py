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


def test_suggest_api(active: ClassifierVersion, hotline: Hotline) -> None:
    response = client_for(hotline.city.olivia).get("/api/v1/classifier/suggest", {"text": "电梯困人"})
    assert response.status_code == 200
    body = response.json()
    assert len(body) == 3 and body[0]["category_id"] == hotline.lift.pk and body[0]["path"][2] == "电梯故障"
    assert client_for(hotline.city.carol).get("/api/v1/classifier/versions").status_code == 403
