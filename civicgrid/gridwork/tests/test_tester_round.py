"""An outside tester's round on grid work: two tabs starting a patrol at once, a GPS glitch
adding thousands of kilometres, campaign dates in year 1 or 9999, errors said twice on the
H5 forms, a misleading empty option, home cards that open unfiltered lists."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.core.errors import Conflict, ValidationError
from civicgrid.gridwork import services
from civicgrid.gridwork.logbook import home_figures
from civicgrid.gridwork.models import Campaign, Finding, Patrol, PatrolPoint
from civicgrid.gridwork.services import patrols as patrols_module
from civicgrid.gridwork.tests.conftest import Field, audit_count
from civicgrid.territory.tests.threads import postgres_only, run_at_once, slow_audit

pytestmark = pytest.mark.django_db

BASE = "/api/v1/gridwork"


def browser(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


class Phone:
    """A signed-in session that sends the CSRF token like gridwork.js does."""

    def __init__(self, user: Any) -> None:
        self.client = Client(enforce_csrf_checks=True)
        self.client.force_login(user)
        self.client.get("/gridwork/m/")
        self.token = self.client.cookies["csrftoken"].value

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(
            f"{BASE}{path}", body, "application/json", headers={"X-CSRFToken": self.token}
        )


# --- 1. two starts at once ----------------------------------------------------------------------


def _blind_to_open_patrols(monkeypatch: Any) -> None:
    """The start does not see the patrol another tab has just inserted (not yet committed),
    as happens when both press 开始巡查 together: its insert meets the one-open-patrol rule."""
    real = Patrol.objects.select_for_update

    def blind(*args: Any, **kwargs: Any) -> Any:
        return real(*args, **kwargs).none()

    monkeypatch.setattr(Patrol.objects, "select_for_update", blind)


def test_a_second_start_racing_the_first_is_a_409_not_a_500(field: Field, monkeypatch: Any) -> None:
    services.patrol_start(actor=field.alice, client_key="tab-one-start")
    before = audit_count()
    _blind_to_open_patrols(monkeypatch)
    with pytest.raises(Conflict) as exc:
        services.patrol_start(actor=field.alice, client_key="tab-two-start")
    assert exc.value.code == "patrol_open" and "进行中的巡查" in exc.value.message
    assert exc.value.detail == {"client_key": "tab-one-start"}
    assert list(Patrol.objects.values_list("client_key", flat=True)) == ["tab-one-start"]
    assert audit_count() == before


def test_the_h5_start_racing_another_tab_says_so(field: Field, monkeypatch: Any) -> None:
    alice = browser(field.alice)
    alice.post("/gridwork/m/patrol/start/", {"client_key": "h5-tab-one"})
    _blind_to_open_patrols(monkeypatch)
    answer = alice.post("/gridwork/m/patrol/start/", {"client_key": "h5-tab-two"}, follow=True)
    assert answer.status_code == 200 and "进行中的巡查" in answer.content.decode()
    assert Patrol.objects.get().client_key == "h5-tab-one"


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_three_starts_with_different_keys_at_once_start_one_patrol(field: Field, monkeypatch: Any) -> None:
    slow_audit(monkeypatch, patrols_module)
    keys = ["at-once-a1", "at-once-b2", "at-once-c3"]
    results = run_at_once(*[lambda k=k: services.patrol_start(actor=field.alice, client_key=k) for k in keys])
    started = [r for r in results if isinstance(r, services.Saved)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(started) == 1 and len(refused) == 2, results
    assert Patrol.objects.filter(worker=field.alice, ended_at__isnull=True).count() == 1
    assert Patrol.objects.count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_four_api_starts_at_once_answer_201_and_409s(field: Field, monkeypatch: Any) -> None:
    slow_audit(monkeypatch, patrols_module)
    phones = [Phone(field.alice) for _ in range(4)]
    jobs = [
        lambda p=p, n=n: p.post("/patrols", {"client_key": f"api-at-once-{n}"}) for n, p in enumerate(phones)
    ]
    answers = run_at_once(*jobs)
    assert sorted(a.status_code for a in answers) == [201, 409, 409, 409], answers
    refused = [a.json() for a in answers if a.status_code == 409]
    assert all(r["code"] == "patrol_open" and "进行中的巡查" in r["message"] for r in refused)
    assert Patrol.objects.count() == 1


# --- 2. impossible fixes ------------------------------------------------------------------------


def test_a_gps_glitch_to_the_other_side_of_the_world_is_skipped(field: Field) -> None:
    started = timezone.now() - timedelta(minutes=30)
    services.patrol_start(actor=field.alice, client_key="glitch-patrol", started_at=started)
    at = started + timedelta(minutes=5)
    answer = Phone(field.alice).post(
        "/patrols/glitch-patrol/points",
        {
            "points": [
                {"at": at.isoformat(), "lon": 120.3, "lat": 31.57},
                {"at": (at + timedelta(minutes=1)).isoformat(), "lon": -179.0, "lat": 89.0},
            ]
        },
    )
    body = answer.json()
    assert answer.status_code == 200 and body["added"] == 1 and body["skipped"] == 1, body
    assert body["distance_m"] == 0 and "1个定位点明显有误" in body["skipped_note"]
    assert PatrolPoint.objects.count() == 1
    # The walk goes on from the last good point: the next batch counts from there.
    saved = services.patrol_points_add(
        actor=field.alice,
        patrol_key="glitch-patrol",
        points=[
            services.PointIn(at + timedelta(minutes=2), 120.301, 31.57),
            services.PointIn(at + timedelta(minutes=3), 0.0, 0.0),  # no fix at all
            services.PointIn(at + timedelta(minutes=4), 120.302, 31.57),
        ],
    )
    assert (saved.added, saved.skipped) == (2, 1)
    patrol = Patrol.objects.get()
    assert patrol.point_count == 3 and 180 < patrol.distance_m < 200


def test_a_glitch_stored_before_the_rule_is_not_counted(field: Field) -> None:
    started = timezone.now() - timedelta(minutes=30)
    services.patrol_start(actor=field.alice, client_key="old-glitch", started_at=started)
    patrol = Patrol.objects.get()
    for minute, (lon, lat) in enumerate([(120.3, 31.57), (-179.0, 89.0), (120.301, 31.57)]):
        PatrolPoint.objects.create(
            patrol=patrol, recorded_at=started + timedelta(minutes=minute + 1), lon=lon, lat=lat
        )
    ended = services.patrol_end(actor=field.alice, patrol_key="old-glitch").entry
    assert ended.point_count == 3 and 90 < ended.distance_m < 100


def test_a_fast_but_possible_ride_is_kept() -> None:
    at = timezone.now()
    # 2 km in a minute is 120 km/h: a car on the ring road, not a glitch.
    points = [services.PointIn(at, 120.3, 31.57), services.PointIn(at + timedelta(minutes=1), 120.321, 31.57)]
    assert len(patrols_module.plausible(points)) == 2


# --- 3. campaign dates --------------------------------------------------------------------------


def _launch(field: Field, **kw: Any) -> Campaign:
    data: dict[str, Any] = {
        "actor": field.city.bob,
        "area": field.city.comm_a1,
        "name": "国家反诈中心APP入户核查",
        "kind": "anti_fraud",
        "starts_on": timezone.localdate(),
        "ends_on": timezone.localdate() + timedelta(days=14),
    }
    data.update(kw)
    return services.campaign_launch(**data)


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "fields", "words"),
    [
        (date(1, 1, 1), date(1, 1, 2), {"starts_on", "ends_on"}, "开始日期应在"),
        (date(1900, 1, 1), date(9999, 12, 31), {"starts_on", "ends_on"}, "开始日期应在"),
        (None, date(9999, 12, 31), {"ends_on"}, "专项任务最长366天"),
        (date(9999, 12, 31), date(9999, 12, 31), {"starts_on"}, "开始日期应在"),
        (-40, -10, {"ends_on"}, "截止日期不能早于今天"),
    ],
)
def test_campaign_dates_out_of_any_sane_window_are_refused(
    field: Field, starts_on: Any, ends_on: date | int, fields: set[str], words: str
) -> None:
    today = timezone.localdate()
    start = (
        today
        if starts_on is None
        else today + timedelta(days=starts_on)
        if isinstance(starts_on, int)
        else starts_on
    )
    end = today + timedelta(days=ends_on) if isinstance(ends_on, int) else ends_on
    before = audit_count()
    with pytest.raises(ValidationError) as exc:
        _launch(field, starts_on=start, ends_on=end)
    assert set(exc.value.errors) == fields and words in exc.value.message
    assert not Campaign.objects.exists() and audit_count() == before


def test_a_campaign_begun_last_week_is_still_launched(field: Field) -> None:
    today = timezone.localdate()
    assert _launch(field, starts_on=today - timedelta(days=7), ends_on=today).pk


def test_the_deadline_on_today_shows_its_year_and_overdue(field: Field) -> None:
    today = timezone.localdate()
    campaign = _launch(field, ends_on=today + timedelta(days=300))
    ends = campaign.ends_on
    text = browser(field.alice).get("/gridwork/m/").content.decode()
    shown = ends.strftime("%m-%d") if ends.year == today.year else ends.isoformat()
    assert f"截止 {shown}" in text and "已逾期" not in text
    Campaign.objects.update(ends_on=date(today.year - 1, 12, 30))
    text = browser(field.alice).get("/gridwork/m/").content.decode()
    assert f"截止 {today.year - 1}-12-30" in text and "已逾期" in text


# --- 4. each error once, naming the field -------------------------------------------------------


def test_the_h5_forms_say_each_error_once_and_name_latitude(field: Field) -> None:
    alice = browser(field.alice)
    answer = alice.post(
        "/gridwork/m/finding/",
        {
            "client_key": "twice-find-1",
            "category": "fire",
            "description": "x",
            "lat": "北纬",
            "grid_id": "999999",
        },
    )
    text = answer.content.decode()
    assert answer.status_code == 422
    assert "网格不存在或您无权查看" in text and "网格不存在或您无权查看，网格不存在或您无权查看" not in text
    assert "纬度应为数字" in text and "应为数字，应为数字" not in text
    answer = alice.post("/gridwork/m/visit/", {"client_key": "twice-visit-1", "found": "好", "lon": "东经"})
    text = answer.content.decode()
    assert answer.status_code == 422 and "经度应为数字" in text and "应为数字，应为数字" not in text
    assert not Finding.objects.exists()


def test_merged_keeps_each_reason_once() -> None:
    from civicgrid.gridwork.views.common import merged

    errors = {"grid_id": ["网格不存在或您无权查看"]}
    assert merged(ValidationError(errors=errors), errors, {}) == errors


# --- 5. the empty option of 其他居民 ---------------------------------------------------------------


def test_the_other_resident_empty_option_does_not_claim_a_choice_above(field: Field) -> None:
    text = browser(field.alice).get("/gridwork/m/visit/").content.decode()
    assert "已在上方选择关爱对象" not in text and "上方已选关爱对象时不必再选" in text


# --- 6. home cards open the list that shows their number ----------------------------------------


def test_home_cards_link_to_this_months_lists(field: Field) -> None:
    month = timezone.localdate().replace(day=1)
    for key in ("card-find-1", "card-find-2"):
        services.finding_record(
            actor=field.alice, client_key=key, data=services.FindingIn(category="fire", description=key)
        )
    Finding.objects.filter(client_key="card-find-1").update(day=month - timedelta(days=1))
    cards = {f.label: f for f in home_figures(field.city.bob)}
    assert cards["本月发现问题"].value == 1
    ends = f"date_from={month.isoformat()}&date_to={timezone.localdate().isoformat()}"
    assert cards["本月发现问题"].url == f"/gridwork/findings/?{ends}"
    assert cards["现场解决"].url.endswith(f"outcome=fixed&{ends}")
    assert cards["上报诉求"].url.endswith(f"outcome=reported&{ends}")
    assert cards["本月走访"].url == ""
    listed = browser(field.city.bob).get(cards["本月发现问题"].url).content.decode()
    assert "card-find-2" in listed and "card-find-1" not in listed
