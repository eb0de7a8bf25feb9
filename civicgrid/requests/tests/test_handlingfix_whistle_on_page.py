"""Found by an outside tester: a whistle's outcome (记录处置结果) could be recorded only from
/requests/whistles/. The request page's 吹哨报到 card now offers the same form to whoever may
record it (the request's current lead unit: ``may_close_whistle``), and comes back to the page."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.requests import services
from civicgrid.requests.models import Request, Whistle

pytestmark = pytest.mark.django_db


@pytest.fixture
def blown(hotline: Any) -> Whistle:
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    request = services.request_sign(actor=hotline.hank, request=request)
    return services.request_whistle(
        actor=hotline.hank,
        request=request,
        units=[hotline.chengguan],
        reason="违建拆除需联合处置",
        deadline=timezone.now() + timedelta(days=1),
    )


def close_url(whistle: Whistle) -> str:
    return f"/requests/whistles/{whistle.pk}/close/"


def test_the_lead_records_the_outcome_from_the_request_page(
    client: Client, hotline: Any, blown: Whistle
) -> None:
    request: Request = blown.request
    page = f"/requests/{request.pk}/"
    client.force_login(hotline.hank)
    html = client.get(page).content.decode()
    card = html[html.index("吹哨报到") :]
    assert f'action="{close_url(blown)}"' in card and "记录处置结果" in card
    assert f'name="next" value="{page}"' in card
    assert "尚未报到：区城管局" in card

    response = client.post(close_url(blown), {"outcome": "联合拆除完毕", "next": page})
    assert response.status_code == 302 and response["Location"] == page
    blown.refresh_from_db()
    assert blown.outcome == "联合拆除完毕" and blown.closed_at is not None
    html = client.get(page).content.decode()
    assert "处置结果：联合拆除完毕" in html and f'action="{close_url(blown)}"' not in html


def test_others_see_no_form(client: Client, hotline: Any, blown: Whistle) -> None:
    for user in (hotline.dora, hotline.city.olivia):  # the summoned department, the operator
        client.force_login(user)
        html = client.get(f"/requests/{blown.request_id}/").content.decode()
        assert "违建拆除需联合处置" in html
        assert close_url(blown) not in html


def test_the_whistles_page_keeps_its_form(client: Client, hotline: Any, blown: Whistle) -> None:
    client.force_login(hotline.hank)
    html = client.get("/requests/whistles/").content.decode()
    assert f'action="{close_url(blown)}"' in html and 'name="next"' not in html
    response = client.post(close_url(blown), {"outcome": "联合拆除完毕"})
    assert response.status_code == 302 and response["Location"] == "/requests/whistles/"
