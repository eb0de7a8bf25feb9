"""Units made from the territory take official (NBS) names as they are: a name that already
ends with the name of a body keeps it, and a development zone gets a 管委会."""

from typing import Any

import pytest

from civicgrid.requests import units
from civicgrid.requests.models import HandlingUnit
from civicgrid.territory import services as territory
from civicgrid.territory.models import NodeKind

pytestmark = pytest.mark.django_db


def test_official_names_are_not_given_a_second_suffix(city: Any) -> None:
    def node(kind: str, name: str, parent: Any, code: str) -> Any:
        return territory.node_create(actor=city.sysadmin, kind=kind, name=name, parent=parent, code=code)

    dongchang = node(NodeKind.SUBDISTRICT, "东昌街道办事处", city.district, "320213003000")
    zone = node(NodeKind.SUBDISTRICT, "通化经济开发区（特殊乡镇）", city.district, "320213004000")
    town = node(NodeKind.SUBDISTRICT, "金厂镇", city.district, "320213005000")
    jinchang = node(NodeKind.COMMUNITY, "金厂村委会", town, "320213005001")
    xinzhan = node(NodeKind.COMMUNITY, "新站社区居民委员会", dongchang, "320213003001")
    village = node(NodeKind.COMMUNITY, "江沿村", town, "320213005002")
    units.units_from_territory(actor=city.sysadmin)
    names = dict(HandlingUnit.objects.values_list("node_id", "name"))
    assert names[dongchang.pk] == "东昌街道办事处"
    assert names[zone.pk] == "通化经济开发区管委会"
    assert names[town.pk] == "金厂镇人民政府"
    assert names[jinchang.pk] == "金厂村委会"
    assert names[xinzhan.pk] == "新站社区居民委员会"
    assert names[village.pk] == "江沿村村民委员会"
    # The plain names of the fixture as before.
    assert names[city.sub_a.pk] == "崇安寺街道办事处"
    assert names[city.comm_a1.pk] == "胜利门社区居委会"
    assert names[city.district.pk] == "梁溪区人民政府"
