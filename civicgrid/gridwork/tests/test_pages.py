from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.gridwork import services
from civicgrid.gridwork.models import CarePlan, Finding, Patrol, Photo, Proposal
from civicgrid.gridwork.tests.conftest import Field, audit_count, earlier_today, png

pytestmark = pytest.mark.django_db


def browser(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def busy(field: Field) -> Field:
    """A morning's work of alice: a patrol with two findings (one fixed with a photo) and a visit."""
    start = earlier_today(timedelta(hours=2))
    services.patrol_start(
        actor=field.alice, client_key="page-patrol", started_at=start, grid=field.city.grid_a1_1
    )
    services.patrol_points_add(
        actor=field.alice,
        patrol_key="page-patrol",
        points=[
            services.PointIn(start + timedelta(minutes=i), 120.301 + i * 0.001, 31.571) for i in range(3)
        ],
    )
    services.finding_record(
        actor=field.alice,
        client_key="page-find-1",
        data=services.FindingIn(
            category="fire",
            description="楼道堆放纸箱",
            outcome="fixed",
            handled_note="已清理",
            lon=120.305,
            lat=31.575,
            patrol_key="page-patrol",
            photos=[png()],
        ),
    )
    services.finding_record(
        actor=field.alice,
        client_key="page-find-2",
        data=services.FindingIn(category="environment", description="垃圾桶满溢", patrol_key="page-patrol"),
    )
    services.patrol_end(actor=field.alice, patrol_key="page-patrol", places="1号楼、菜市场", people_met=8)
    services.care_plans_generate(actor=field.city.bob, node=field.city.comm_a1)
    plan = CarePlan.objects.get()
    services.visit_record(
        actor=field.alice, client_key="page-visit", data=services.VisitIn(found="良好", care_plan=plan)
    )
    services.campaign_launch(
        actor=field.city.bob,
        area=field.city.comm_a1,
        name="反诈入户",
        kind="anti_fraud",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + timedelta(days=5),
    )
    services.proposal_submit(
        actor=field.alice,
        client_key="page-prop-1",
        data=services.ProposalIn(kind="moved_out", resident=field.xiao_li),
    )
    return field


def test_the_worker_h5_pages(busy: Field) -> None:
    alice = browser(busy.alice)
    CarePlan.objects.update(next_due_on=timezone.localdate())
    today = alice.get("/gridwork/m/")
    assert today.status_code == 200
    text = today.content.decode()
    assert "开始巡查" in text and "张*国" in text and "反诈入户" in text and "gridwork.js" in text
    for url in ("/gridwork/m/finding/", "/gridwork/m/visit/", "/gridwork/m/proposal/", "/gridwork/m/queue/"):
        assert alice.get(url).status_code == 200, url
    campaign = alice.get(f"/gridwork/m/campaign/{busy_campaign_id()}/")
    assert campaign.status_code == 200 and "1单元101" in campaign.content.decode()
    log = alice.get("/gridwork/m/log/").content.decode()
    assert "楼道堆放纸箱" in log and "1号楼、菜市场" in log
    grid_map = alice.get("/gridwork/m/map/").content.decode()
    assert "gw-map-data" in grid_map and "LineString" in grid_map
    sw = alice.get("/gridwork/m/sw.js")
    assert (
        sw["Content-Type"].startswith("application/javascript")
        and sw["Service-Worker-Allowed"] == "/gridwork/m/"
    )


def busy_campaign_id() -> int:
    from civicgrid.gridwork.models import Campaign

    return Campaign.objects.get().pk


def test_the_h5_is_for_grid_workers_only(busy: Field) -> None:
    carol = browser(busy.city.carol)
    assert carol.get("/gridwork/m/").status_code == 403
    assert carol.get(f"/gridwork/m/campaign/{busy_campaign_id()}/").status_code == 403
    assert (
        browser(busy.pete)
        .get(f"/gridwork/m/campaign/{busy_campaign_id()}/")
        .content.decode()
        .count("gw-item")
        == 0
    )


def test_a_finding_posted_without_javascript(field: Field) -> None:
    alice = browser(field.alice)
    form = {
        "client_key": "nojs-find-1",
        "category": "order",
        "description": "路口有人聚集",
        "outcome": "recorded",
    }
    answer = alice.post("/gridwork/m/finding/", form)
    assert answer.status_code == 302 and Finding.objects.get().description == "路口有人聚集"
    # Pressed twice: still one.
    alice.post("/gridwork/m/finding/", form)
    assert Finding.objects.count() == 1
    before = audit_count()
    bad = alice.post("/gridwork/m/finding/", {"client_key": "nojs-find-2", "outcome": "fixed", "lon": "东经"})
    assert bad.status_code == 422 and "应为数字" in bad.content.decode()
    bad = alice.post("/gridwork/m/finding/", {"client_key": "nojs-find-3", "outcome": "fixed"})
    text = bad.content.decode()
    assert bad.status_code == 422 and "请选择问题类别" in text and "现场解决须上传至少一张照片" in text
    assert Finding.objects.count() == 1 and audit_count() == before


def test_a_patrol_started_and_ended_without_javascript(field: Field) -> None:
    alice = browser(field.alice)
    alice.post("/gridwork/m/patrol/start/", {"client_key": "nojs-patrol"})
    assert Patrol.objects.get().ended_at is None
    alice.post("/gridwork/m/patrol/end/", {"places": "3号楼", "people_met": "4"})
    assert Patrol.objects.get().ended_at is not None


def test_the_community_pages(busy: Field) -> None:
    bob = browser(busy.city.bob)
    coverage = bob.get("/gridwork/").content.decode()
    assert "胜利门一网格" in coverage and "胜利门二网格" in coverage and "王丽" in coverage
    assert "通江一网格" not in coverage
    team = bob.get("/gridwork/team/").content.decode()
    assert "王丽" in team and "伊万" in team and "彭涛" in team
    month = bob.get(f"/gridwork/workers/{busy.alice.pk}/")
    assert month.status_code == 200 and "巡查1次" in month.content.decode()
    day = bob.get(f"/gridwork/workers/{busy.alice.pk}/{timezone.localdate().isoformat()}/").content.decode()
    assert "楼道堆放纸箱" in day and "LineString" in day
    for url in ("/gridwork/findings/", "/gridwork/care/", "/gridwork/campaigns/", "/gridwork/proposals/"):
        assert bob.get(url).status_code == 200, url
    assert "张建国" in bob.get(f"/gridwork/care/{CarePlan.objects.get().pk}/").content.decode()
    assert "人员迁出" in bob.get("/gridwork/proposals/").content.decode()
    assert bob.get(f"/gridwork/campaigns/{busy_campaign_id()}/").status_code == 200


def test_the_grid_leader_sees_the_grids_workers_a_worker_only_themselves(busy: Field) -> None:
    gina = browser(busy.gina).get("/gridwork/team/").content.decode()
    assert "王丽" in gina and "伊万" in gina and "彭涛" not in gina
    ivan = browser(busy.ivan)
    assert "王丽" not in ivan.get("/gridwork/team/").content.decode()
    assert ivan.get(f"/gridwork/workers/{busy.alice.pk}/").status_code == 404
    assert "楼道堆放纸箱" not in ivan.get("/gridwork/findings/").content.decode()
    assert "楼道堆放纸箱" in browser(busy.gina).get("/gridwork/findings/").content.decode()


def test_an_outsider_sees_nothing_of_the_community(busy: Field) -> None:
    carol = browser(busy.city.carol)
    assert "胜利门" not in carol.get("/gridwork/").content.decode()
    assert "楼道堆放纸箱" not in carol.get("/gridwork/findings/").content.decode()
    assert carol.get(f"/gridwork/workers/{busy.alice.pk}/").status_code == 404
    assert carol.get(f"/gridwork/care/{CarePlan.objects.get().pk}/").status_code == 404
    assert carol.get(f"/gridwork/campaigns/{busy_campaign_id()}/").status_code == 404
    assert carol.get(f"/gridwork/campaigns/{busy_campaign_id()}/export/").status_code == 404
    assert carol.get(f"/gridwork/photos/{Photo.objects.get().pk}/").status_code == 404
    before = audit_count()
    p = Proposal.objects.get()
    carol.post(f"/gridwork/proposals/{p.pk}/approve/", {"note": "同意"})
    carol.post("/gridwork/care/generate/", {"node": busy.city.comm_a1.pk})
    assert Proposal.objects.get().state == "pending" and audit_count() == before


def test_the_photo_is_served_to_those_who_see_the_finding(busy: Field) -> None:
    photo = Photo.objects.get()
    answer = browser(busy.city.bob).get(f"/gridwork/photos/{photo.pk}/")
    assert answer.status_code == 200 and answer["Content-Type"] == "image/png"


def test_approving_from_the_page(busy: Field) -> None:
    p = Proposal.objects.get()
    bob = browser(busy.city.bob)
    answer = bob.post(f"/gridwork/proposals/{p.pk}/approve/", {"note": "同意"}, follow=True)
    assert "已同意并更新" in answer.content.decode()
    busy.xiao_li.refresh_from_db()
    assert not busy.xiao_li.is_active


def test_the_findings_list_reads_a_fixed_number_of_queries(
    busy: Field, django_assert_max_num_queries: Any
) -> None:
    bob = browser(busy.city.bob)
    bob.get("/gridwork/findings/")
    with django_assert_max_num_queries(14):
        assert bob.get("/gridwork/findings/").status_code == 200


def test_home_figures(busy: Field) -> None:
    from civicgrid.gridwork.logbook import home_figures

    figures = {f.label: f.value for f in home_figures(busy.city.bob)}
    assert figures["今日巡查覆盖"] == "1/2" and figures["本周巡查覆盖"] == "50.0%"
    assert figures["本月发现问题"] == 2 and figures["现场解决"] == 1 and figures["本月走访"] == 1
    assert figures["走访超期"] == 0 and figures["专项任务进度"] == "0.0%"
    assert home_figures(busy.city.olivia) == []
    assert browser(busy.city.bob).get("/").status_code == 200
