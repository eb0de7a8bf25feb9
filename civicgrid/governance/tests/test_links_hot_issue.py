"""A hot issue's page links a request only for those who may open it: a handler of a
district department sees the district's hot issues, but only the requests of their own unit
(the number without a link, where it answered 404)."""

from collections.abc import Callable

import pytest

from civicgrid.governance.models import HotIssue
from civicgrid.governance.tests.test_hot_issues import LIFT, month_at
from civicgrid.requests.models import Request
from civicgrid.requests.rates.cells import current_month
from civicgrid.requests.rates.figures import Period, add_months
from civicgrid.requests.tests.conftest import Hotline
from civicgrid.web.tests.test_links_roles import refused_links, signed_in

pytestmark = pytest.mark.django_db


def test_a_hot_issue_links_only_the_requests_the_user_may_open(
    hotline: Hotline, make: Callable[..., Request]
) -> None:
    city = hotline.city
    requests = [make(title, content, at=month_at(-1, 3 + i)) for i, (title, content) in enumerate(LIFT)]
    leader = signed_in(city.dave)
    period = Period.month(add_months(current_month(), -1))
    saved = leader.post(
        "/governance/hot/recompute/", {"node": city.district.pk, "start": period.start, "end": period.end}
    )
    assert saved.status_code == 302
    path = f"/governance/hot/{HotIssue.objects.get(rank=1).pk}/"

    handler = signed_in(hotline.dora)  # 区城管局: none of these lift requests is hers
    assert refused_links(handler, path) == {}
    page = handler.get(path).content.decode()
    assert requests[0].number in page and f"/requests/{requests[0].pk}/" not in page

    assert refused_links(leader, path) == {}
    assert f"/requests/{requests[0].pk}/" in leader.get(path).content.decode()
