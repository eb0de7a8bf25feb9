"""A finished campaign item is not undone, and a campaign takes no result before it starts."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.core.errors import Conflict, ValidationError
from civicgrid.gridwork import services
from civicgrid.gridwork.models import Campaign, CampaignCheck, CampaignItem
from civicgrid.gridwork.services import campaigns as campaigns_module
from civicgrid.gridwork.tests.conftest import Field, earlier_today
from civicgrid.gridwork.tests.test_api import Phone
from civicgrid.territory.tests.threads import postgres_only, run_at_once, slow_audit

pytestmark = pytest.mark.django_db

ANSWERS = {"q1": True, "q2": True, "q3": True}


def launch(field: Field, starts_on: date | None = None) -> Campaign:
    today = timezone.localdate()
    return services.campaign_launch(
        actor=field.city.bob,
        area=field.city.comm_a1,
        name="国家反诈中心APP入户核查",
        kind="anti_fraud",
        starts_on=starts_on or today,
        ends_on=(starts_on or today) + timedelta(days=10),
    )


def first_item(campaign: Campaign) -> CampaignItem:
    return CampaignItem.objects.filter(campaign=campaign).order_by("label").first()  # type: ignore[return-value]


def check(user: Any, item: CampaignItem, key: str, state: str, **kw: Any) -> Any:
    return services.campaign_check(actor=user, client_key=key, item=item, state=state, **kw)


def test_a_refusal_after_done_is_refused_naming_who_and_when(field: Field) -> None:
    item = first_item(launch(field))
    check(field.alice, item, "done-1-aaaa", "done", answers=ANSWERS)
    with pytest.raises(Conflict) as exc:
        check(field.alice, item, "refused-1-aaaa", "refused", note="不开门")
    assert "该户已由" in exc.value.message and "完成" in exc.value.message
    assert field.alice.display_name in exc.value.message
    item.refresh_from_db()
    assert item.state == "done" and item.answers == ANSWERS
    assert not CampaignCheck.objects.filter(client_key="refused-1-aaaa").exists()


def test_another_worker_and_an_old_offline_result_cannot_undo_it(field: Field) -> None:
    item = first_item(launch(field))
    check(field.alice, item, "done-2-aaaa", "done", answers=ANSWERS)
    with pytest.raises(Conflict):  # ivan, the other worker of the grid, also says done
        check(field.ivan, item, "done-2-ivan", "done", answers={**ANSWERS, "q1": False})
    later = timezone.now() + timedelta(minutes=1)  # taken after alice's, sent from ivan's queue
    with pytest.raises(Conflict):
        check(field.ivan, item, "away-2-ivan", "unreachable", checked_at=later)
    earlier = earlier_today(timedelta(hours=3))  # taken before it was done: history, no change
    assert check(field.ivan, item, "away-2-old", "unreachable", checked_at=earlier).created
    item.refresh_from_db()
    assert item.state == "done" and item.answers == ANSWERS and item.checked_by == field.alice
    # The worker who completed it may correct the answers.
    check(field.alice, item, "done-2-bbbb", "done", answers={**ANSWERS, "q1": False})
    item.refresh_from_db()
    assert item.state == "done" and item.answers["q1"] is False


def test_a_done_sent_late_still_completes_an_item_left_unreachable(field: Field) -> None:
    item = first_item(launch(field))
    check(field.ivan, item, "away-4-ivan", "unreachable")
    earlier = earlier_today(timedelta(hours=1))
    check(field.alice, item, "done-4-aaaa", "done", answers=ANSWERS, checked_at=earlier)
    item.refresh_from_db()
    assert item.state == "done" and item.checked_by == field.alice


def test_the_phone_api_answers_409_and_the_form_says_so(field: Field) -> None:
    campaign = launch(field)
    item = first_item(campaign)
    phone = Phone(field.alice)
    url = f"/campaign-items/{item.pk}/checks"
    assert (
        phone.post(url, {"client_key": "api-done-aaaa", "state": "done", "answers": ANSWERS}).status_code
        == 201
    )
    res = phone.post(url, {"client_key": "api-refused-a", "state": "refused", "note": "不开门"})
    assert res.status_code == 409 and "该户已由" in res.json()["message"]
    client = Client()
    client.force_login(field.ivan)
    page = client.post(
        f"/gridwork/m/campaign/{campaign.pk}/item/{item.pk}/",
        {"client_key": "form-away-ivan", "state": "unreachable"},
        follow=True,
    )
    assert "该户已由" in page.content.decode()
    item.refresh_from_db()
    assert item.state == "done"


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_done_and_refused_at_once_leave_it_done(field: Field, monkeypatch: Any) -> None:
    item = first_item(launch(field))
    reached = slow_audit(monkeypatch, campaigns_module)
    results = run_at_once(
        lambda: check(field.alice, item, "race-done-aa", "done", answers=ANSWERS),
        lambda: check(field.ivan, item, "race-refused", "refused"),
        after=reached,
    )
    assert isinstance(results[0], services.Saved) and isinstance(results[1], Conflict), results
    item.refresh_from_db()
    assert item.state == "done"


def test_a_campaign_not_yet_started_takes_no_result_and_shows_as_not_started(field: Field) -> None:
    starts = timezone.localdate() + timedelta(days=5)
    campaign = launch(field, starts_on=starts)
    item = first_item(campaign)
    with pytest.raises(ValidationError) as exc:
        check(field.alice, item, "early-aaaaaa", "done", answers=ANSWERS)
    assert "开始前不能填报" in exc.value.message and starts.isoformat() in exc.value.message
    item.refresh_from_db()
    assert item.state == "pending" and not CampaignCheck.objects.exists()
    client = Client()
    client.force_login(field.alice)
    home = client.get("/gridwork/m/").content.decode()
    assert "未开始" in home and f"/gridwork/m/campaign/{campaign.pk}/" not in home
    page = client.get(f"/gridwork/m/campaign/{campaign.pk}/").content.decode()
    assert "开始前不能填报" in page and 'data-gw-entry="campaign_check"' not in page
    res = Phone(field.alice).post(
        f"/campaign-items/{item.pk}/checks", {"client_key": "early-api-aa", "state": "unreachable"}
    )
    assert res.status_code == 422 and "开始前不能填报" in res.json()["message"]
