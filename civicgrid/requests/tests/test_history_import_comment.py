"""A rating's 意见 in a historical import has the limit of one given live
(``RATING_COMMENT_MAX``): as long a comment imports, one longer is refused on 评价意见."""

from typing import Any

import pytest

from civicgrid.requests.constants import RATING_COMMENT_MAX
from civicgrid.requests.models import Rating, Request
from civicgrid.requests.tests.test_history_import import good_rows, run

pytestmark = pytest.mark.django_db


def test_a_comment_as_long_as_a_live_one_imports_and_a_longer_one_is_refused(hotline: Any) -> None:
    rows = good_rows(hotline)[:1]
    rows[0]["rating_comment"] = "好" * (RATING_COMMENT_MAX + 1)
    refused = run(hotline.city.sysadmin, rows)
    assert not refused.ok and Request.objects.count() == 0
    assert [(e.row, e.column) for e in refused.errors] == [(2, "评价意见")]
    assert str(RATING_COMMENT_MAX) in refused.errors[0].reason

    rows[0]["rating_comment"] = "好" * RATING_COMMENT_MAX
    done = run(hotline.city.sysadmin, rows)
    assert done.ok and done.imported == 1
    assert len(Rating.objects.get().comment) == RATING_COMMENT_MAX
