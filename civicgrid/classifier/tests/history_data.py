"""A small request history on the ``hotline`` fixture: five categories, their usual units."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from civicgrid.requests.models import Category, HandlingUnit, Request
from civicgrid.requests.tests.conftest import Hotline

PLACES = ["胜利门小区", "五爱新村", "通江花园", "崇安寺街", "解放北路", "人民中路"]
TEXTS = {
    "lift": ["{p}3号楼电梯停运好几天了", "{p}电梯困人，物业不管", "{p}电梯运行时异响很吓人"],
    "street_vending": ["{p}路口有人摆摊占道经营", "{p}门口流动摊贩堵住人行道", "{p}夜市占道摆摊影响通行"],
    "water_outage": ["{p}突然停水没有通知", "{p}自来水停水两天了", "{p}水压太低，家里停水"],
    "noise": ["{p}工地夜间施工噪音扰民", "{p}半夜还在施工打桩，噪声很大", "{p}晚上施工机器轰鸣睡不着"],
    "policy_question": ["咨询{p}医保报销比例", "想问医保异地报销政策", "{p}居民医保怎么缴费"],
}


def units(h: Hotline) -> dict[str, HandlingUnit]:
    return {
        "lift": h.sub_a_unit,
        "street_vending": h.chengguan,
        "water_outage": h.water,
        "noise": h.sub_a_unit,
        "policy_question": h.district_unit,
    }


def make_history(h: Hotline, *, per_category: int = 12) -> list[Request]:
    now = timezone.now()
    rows: list[Request] = []
    unit_of = units(h)
    for kind, templates in TEXTS.items():
        category: Category = getattr(h, kind)
        for n in range(per_category):
            text = templates[n % len(templates)].format(p=PLACES[n % len(PLACES)])
            number = f"CLS{len(rows):05d}"
            rows.append(
                new_request(h, number, text[:20], text, category, unit_of[kind], now - timedelta(hours=n))
            )
    return Request.objects.bulk_create(rows)


def new_request(
    h: Hotline, number: str, title: str, content: str, category: Any, unit: Any, at: Any
) -> Request:
    node = h.city.grid_a1_1
    return Request(
        number=number,
        channel="hotline",
        type="complaint",
        title=title,
        content=content,
        node=node,
        node_path=node.path,
        category=category,
        lead_unit=unit,
        received_at=at,
    )
