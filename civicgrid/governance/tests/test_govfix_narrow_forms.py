"""The topic forms fit a 390 px phone: no fixed widths (size="60", cols="70"/"80")."""

import re

import pytest
from django.test import Client

from civicgrid.governance.models import Topic
from civicgrid.governance.tests.test_topics import topic  # noqa: F401  (the fixture)
from civicgrid.requests.tests.conftest import Hotline

pytestmark = pytest.mark.django_db
FLUID = "width:100%;max-width:48em;box-sizing:border-box"


def _fields(html: str, tag: str, name: str) -> str:
    found = re.search(rf"<{tag} name=\"{name}\"[^>]*>", html)
    assert found, (tag, name)
    return found.group(0)


def test_topic_forms_have_no_fixed_widths(hotline: Hotline, topic: Topic) -> None:  # noqa: F811
    web = Client()
    web.force_login(hotline.city.dave)
    new = web.get(f"/governance/topics/new/?hot={topic.hot_issue_id}")
    assert new.status_code == 200
    html = new.content.decode()
    assert FLUID in _fields(html, "input", "title")
    for name in ("description", "plan"):
        field = _fields(html, "textarea", name)
        assert "cols=" not in field and FLUID in field
    assert 'size="60"' not in html
    page = web.get(f"/governance/topics/{topic.pk}/").content.decode()
    plan = _fields(page, "textarea", "plan")
    assert "cols=" not in plan and FLUID in plan
