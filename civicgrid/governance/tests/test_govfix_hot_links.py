"""Hot-issue links: the system's own wording links nothing; a community's words weigh the
same whichever area is asked; requests of one building and one leaf category link."""

from collections.abc import Callable

import numpy as np
import pytest

from civicgrid.governance import engine, hot, text
from civicgrid.governance.tests.test_hot_issues import month_at
from civicgrid.requests.models import CatalogueVersion, Request
from civicgrid.requests.rates.cells import current_month
from civicgrid.requests.rates.figures import Period, add_months
from civicgrid.requests.tests.conftest import Hotline, leaf

pytestmark = pytest.mark.django_db


def _report(label: str, words: str) -> tuple[str, str]:
    """A request as gridwork.services.findings._report files it."""
    title = f"【网格员上报】{label}：{words[:40]}"  # i18n: data (the system's wording)
    return title, f"{words}\n（网格员巡查发现，发现时间：2026-11-25 09:30）"  # i18n: data (as filed)


def test_grid_worker_boilerplate_and_civic_words_link_nothing() -> None:
    leak = text.request_words(*_report("民生诉求", "独居老人家里水管老化漏水"), "胜利门社区")  # i18n: data
    parking = text.request_words(*_report("民生诉求", "居民反映小区停车难，晚上没有车位"))  # i18n: data
    assert {"水管", "漏水"} <= set(leak) and "停车难" in parking
    assert not set(leak) & set(parking), set(leak) & set(parking)
    for word in ("网格员", "上报", "民生", "诉求", "巡查", "发现", "居民", "时间"):
        assert word not in leak + parking, word


def test_a_communitys_weights_do_not_depend_on_the_area_asked() -> None:
    """IDF per community: the rows of area 0 are the same alone and beside a larger area 1."""
    rng = np.random.default_rng(1)

    def corpus(areas: np.ndarray) -> engine.Corpus:
        n = len(areas)
        ids = rng.integers(1, 40, size=n * 6).astype(np.uint32)
        ids[: 6 * int((areas == 0).sum())] = base_ids
        nan = np.full(n, np.nan)
        return engine.Corpus(
            block=areas.astype(np.int64),
            group=np.zeros(n, np.int64),
            at=np.zeros(n),
            lon=nan,
            lat=nan,
            term_ptr=np.arange(0, 6 * n + 1, 6, dtype=np.int64),
            term_ids=ids,
            idf_area=areas.astype(np.int64),
        )

    base_ids = rng.integers(1, 40, size=6 * 30).astype(np.uint32)
    alone = corpus(np.zeros(30, np.int64))
    both = corpus(np.concatenate([np.zeros(30, np.int64), np.ones(500, np.int64)]))
    m_alone, v_alone = engine.tfidf(alone)
    m_both, v_both = engine.tfidf(both)
    for row in range(30):
        a, b = m_alone[row], m_both[row]
        wa = dict(zip(v_alone[a.indices].tolist(), a.data.tolist(), strict=True))
        wb = dict(zip(v_both[b.indices].tolist(), b.data.tolist(), strict=True))
        assert wa.keys() == wb.keys() and all(abs(wa[k] - wb[k]) < 1e-6 for k in wa)
    # Without areas the larger corpus changes the weights (what made results flip by level).
    both.idf_area = None
    m_global, _ = engine.tfidf(both)
    assert (
        not np.allclose(m_global[:30].toarray().sum(axis=1), 0) and abs(m_global[0] - m_both[0]).sum() > 1e-3
    )


LIFT_WORDS = [  # one lift of one building, said four ways with no word in common
    ("电梯又坏了", "今天早上又停了"),  # i18n: data
    ("有人被困在轿厢里", "困了半个多小时才出来"),  # i18n: data
    ("升降机频繁停运", "一周停三回"),  # i18n: data
    ("按钮失灵无法上楼", "老人只能爬楼梯"),  # i18n: data
]


def test_one_building_and_one_leaf_category_link_whatever_the_words(
    hotline: Hotline, make: Callable[..., Request]
) -> None:
    city = hotline.city
    version = CatalogueVersion.objects.get(is_current=True)
    lift_noise = leaf(version, "010102", ("城乡建设", "物业管理", "电梯噪音"))  # i18n: data
    at_building = [
        make(t, c, at=month_at(-1, 3 + i), building=city.building_a1) for i, (t, c) in enumerate(LIFT_WORDS)
    ]
    # Not linked: the same building with another leaf category of the group, and the same
    # category and words in another grid without a building.
    other_leaf = make("夜里嗡嗡响吵得睡不着", "声音很大", at=month_at(-1, 9), building=city.building_a1)
    other_leaf.category = lift_noise
    other_leaf.save(update_fields=["category"])
    elsewhere = [make(t, c, at=month_at(-1, 12 + i), grid="a1_2") for i, (t, c) in enumerate(LIFT_WORDS)]
    _loaded, drafts, _stats = hot.compute(city.district, Period.month(add_months(current_month(), -1)))
    assert [sorted(d.request_ids) for d in drafts] == [sorted(r.pk for r in at_building)]
    found = {r for d in drafts for r in d.request_ids}
    assert other_leaf.pk not in found and not found & {r.pk for r in elsewhere}
