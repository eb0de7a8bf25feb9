"""A stale page whose request the same person changed in another tab or window (督办 sent
from two tabs) says so; "已被他人处理" (an outside tester, the district leader) misstated it.
Someone else's change still says 已被他人处理."""

from typing import Any

import pytest

from civicgrid.core.errors import Conflict
from civicgrid.requests import services
from civicgrid.requests.constants import Action
from civicgrid.requests.models import RequestEvent

pytestmark = pytest.mark.django_db


def test_the_second_tab_of_the_same_leader_is_told_it_was_them(hotline: Any) -> None:
    c = hotline.city
    found = services.request_create(actor=c.olivia, data=hotline.new())
    seen = found.version
    services.request_supervise(actor=c.dave, request=found, note="请三日内解决", expected_version=seen)
    with pytest.raises(Conflict) as refused:
        services.request_supervise(actor=c.dave, request=found, note="请三日内解决", expected_version=seen)
    assert "您的另一个页面或窗口" in refused.value.message and "他人" not in refused.value.message
    assert RequestEvent.objects.filter(request=found, action=Action.SUPERVISE).count() == 1


def test_a_change_by_someone_else_still_says_so(hotline: Any) -> None:
    c = hotline.city
    found = services.request_create(actor=c.olivia, data=hotline.new())
    seen = found.version
    services.request_supervise(actor=c.dave, request=found, note="请三日内解决", expected_version=seen)
    with pytest.raises(Conflict) as refused:
        services.request_sign(actor=hotline.hank, request=found, expected_version=seen)
    # a 督办 leaves the status as it was: the message names it (test_concurrencyfix_stale_message)
    assert refused.value.message == "该诉求刚刚已由陈刚督办，请刷新页面查看后再操作"
