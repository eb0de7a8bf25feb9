"""The phone's 核查 page shows what the worker judges by: the report's and the reply's photos
(opening full size), the handling unit, the earlier failed checks, a link to the request page,
and their grid on the map."""

import json
from typing import Any

import pytest

from civicgrid.gridwork.tests.conftest import Field, png
from civicgrid.gridwork.tests.test_gridfix_phone import browser
from civicgrid.requests import services as rs
from civicgrid.requests.models import Attachment

pytestmark = pytest.mark.django_db


def test_the_check_page_shows_photos_unit_earlier_checks_link_and_grid(field: Field, hotline: Any) -> None:
    alice = field.alice
    r = rs.request_create(actor=hotline.city.olivia, data=hotline.new(), attachments=[png("报.png")])
    rs.request_sign(actor=hotline.hank, request=r)
    r = rs.request_reply(actor=hotline.hank, request=r, reply="已修", attachments=[png("修.png")])
    r.refresh_from_db()
    r = rs.request_verify(actor=alice, request=r, confirmed=False, note="电梯仍停运")
    r.refresh_from_db()
    r = rs.request_reply(actor=hotline.hank, request=r, reply="已更换控制板", attachments=[png("再修.png")])
    r.refresh_from_db()
    phone = browser(alice)
    html = phone.get(f"/gridwork/m/verify/{r.pk}/").content.decode()
    report = Attachment.objects.get(request=r, name="报.png")
    reply = Attachment.objects.get(request=r, name="再修.png")
    for a in (report, reply):
        url = f"/requests/{r.pk}/attachments/{a.pk}/"
        assert f'<a href="{url}" target="_blank"' in html and f'<img src="{url}"' in html
        assert phone.get(url).status_code == 200  # the worker may open it full size
    assert "修.png" not in html.replace("再修.png", "")  # the rejected reply's photo is not this reply's
    assert "崇安寺街道办事处" in html
    assert "此前核查未通过" in html and "电梯仍停运" in html
    assert f'href="/requests/{r.pk}/"' in html
    data = json.loads(html.split('id="gw-map-data" type="application/json">')[1].split("</script>")[0])
    assert [g["name"] for g in data["grids"]] == ["胜利门一网格"] and data["grids"][0]["geometry"]
