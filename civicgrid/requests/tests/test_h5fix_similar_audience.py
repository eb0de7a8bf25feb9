"""The H5 and doorplate similar list (跟进这件) offers only what Open311's public view may
show a stranger, and a follow token for anything else is refused (outside tester: a
stranger's emergency alarm and a grid worker's field report were offered, followed, and
then tracked)."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.requests import services
from civicgrid.requests.constants import Channel, RequestType
from civicgrid.requests.doorplate import doorplate_token
from civicgrid.requests.models import Request, RequestEvent
from civicgrid.requests.tests.test_follow_up import PHONE, offered_ids, report
from civicgrid.requests.views.resident import follow_token

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def _filed(hotline: Any, **kw: Any) -> Request:
    return services.request_create(actor=hotline.city.olivia, data=hotline.new(**kw))


def test_only_requests_about_a_place_are_offered(client: Client, hotline: Any) -> None:
    public = _filed(hotline)
    alarm = _filed(hotline, type=RequestType.EMERGENCY)
    field = _filed(hotline, channel=Channel.GRID_WORKER)
    helped = _filed(hotline, type=RequestType.HELP)
    personal = _filed(hotline, category=hotline.noise)  # not checked on site: about a person
    shown = client.get(reverse("requests:h5_similar"), report()).content.decode()
    assert offered_ids(shown) == {public.pk}
    for hidden in (alarm, field, helped, personal):
        assert hidden.pk not in offered_ids(shown)


def test_the_doorplate_list_leaves_out_an_alarm_at_the_building(client: Client, hotline: Any) -> None:
    building = hotline.city.building_a1
    alarm = _filed(hotline, type=RequestType.EMERGENCY, lon=None, lat=None, building=building)
    token = doorplate_token(building)
    shown = client.get(reverse("requests:h5_similar"), {"title": "电梯停运", "plate": token}).content.decode()
    assert alarm.pk not in offered_ids(shown)


def test_a_follow_token_for_an_alarm_is_refused_and_changes_nothing(client: Client, hotline: Any) -> None:
    alarm = _filed(hotline, type=RequestType.EMERGENCY)
    response = client.post(reverse("requests:h5_submit"), report(follow=follow_token(alarm.pk)))
    assert response.status_code == 422
    assert "请提交新的诉求" in response.content.decode()
    assert not RequestEvent.objects.filter(request=alarm, data__follow_up=True).exists()
    assert Request.objects.count() == 1


def test_a_follower_of_an_alarm_tracks_nothing(client: Client, hotline: Any) -> None:
    """Followers attached before the fix: their phone no longer opens someone's alarm."""
    alarm = _filed(hotline, type=RequestType.EMERGENCY)
    services.request_follow_up(request=alarm, text="我也看到了", phone=PHONE, channel=Channel.WEB)
    response = client.post(reverse("requests:h5_track"), {"number": alarm.number, "phone": PHONE})
    assert response.status_code == 404
    public = _filed(hotline)
    services.request_follow_up(request=public, text="我也看到了", phone=PHONE, channel=Channel.WEB)
    response = client.post(reverse("requests:h5_track"), {"number": public.number, "phone": PHONE})
    assert response.status_code == 200
