"""Every request body of the API tells an integrator what to send (OpenAPI titles and descriptions).

Each property of every body an operation under /api/v1/ takes (the JSON schemas, the objects
nested in them, the inline multipart forms) has a Chinese title (the name a 422 gives the field)
and a one-line Chinese description that says more than the title. The apps' own
``test_*fix_openapi_fields`` tests pin their bodies and the values their choices list.
"""

import pytest
from django.test import Client

from civicgrid.core.tests.openapi_bodies import body_problems, body_schemas, document

pytestmark = pytest.mark.django_db


def test_every_body_field_of_the_api_has_a_chinese_title_and_a_description(client: Client) -> None:
    schemas = body_schemas(document(client), "/api/v1/")
    assert {"RequestIn", "TopicIn", "NodeIn", "ResidentIn", "GoodsIn", "RegisterIn"} <= set(schemas)
    assert "POST /api/v1/gridwork/findings" in schemas  # an inline multipart form
    problems = body_problems(schemas)
    assert not problems, "\n".join(problems)


def test_the_guard_sees_an_english_title_and_a_missing_description() -> None:
    schemas = {
        "X": {
            "properties": {
                "source": {"title": "Source"},
                "ok": {"title": "来源", "description": "来源"},
                "note": {"title": "备注", "description": "Free text"},
                "lines": {"title": "说明", "description": "第一行\n第二行"},
                "fine": {"title": "数量", "description": "1到99的整数"},
            }
        }
    }
    assert body_problems(schemas) == [
        "X.source: title 'Source'",
        "X.source: description ''",
        "X.ok: description '来源'",  # only the title again: says nothing more
        "X.note: description 'Free text'",
        "X.lines: description '第一行\\n第二行'",
    ]
