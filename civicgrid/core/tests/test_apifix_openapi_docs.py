"""The OpenAPI document speaks the product's language and says how each call can fail.

An outside integrator found, in territory, registry and points, operations titled with Ninja's
English names made from the function ("Node List", "Resident Reveal", "Goods Restock"),
English docstrings as their descriptions, and only 200/201 documented while the calls answer
401/403/404/422 with ``ErrorOut``; and ``/api/v1/openapi.json`` (where the calls live) was a
404. The guard below walks the whole document, so that a new operation without a Chinese
summary, or without its error answers, fails here whichever app it is in.
"""

import re
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u3400-\u9fff]")
METHODS = ("get", "post", "put", "patch", "delete")

# Operations any caller may make without signing in (``auth=None``: no ``security`` in the
# document): they answer no 401 or 403, so neither is required of them. Kept here by name, so
# that a call made public by mistake fails below.
PUBLIC = {
    ("get", "/api/v1/requests/track"),  # a resident follows their request by number and phone
    ("post", "/api/v1/requests/rate"),  # and rates the answer
    ("get", "/api/v1/volunteers/board/{community_id}"),  # a community's public service board
}

# Fixed catalogues any signed-in caller may read (no capability is checked): 401 only. They
# must not claim a 403 they never give.
ANY_SIGNED_IN = {
    ("get", "/api/v1/volunteers/skills"),  # a resident registering as a volunteer picks from it
    ("get", "/api/v1/property/checklist"),
    ("get", "/api/v1/property/negative-list"),
}

# The apps of the integrator's finding, and those done after it.
FIXED = ("territory", "registry", "points", "classifier", "governance", "party")


@pytest.fixture
def document(client: Client) -> dict[str, Any]:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def operation_problems(path: str, method: str, operation: dict[str, Any]) -> list[str]:
    """What one operation's documentation lacks: a Chinese summary, a Chinese description
    (when it has one: Ninja takes the docstring), the error answers in ``ErrorOut``: 401 and
    403 always (a public call neither, and claims neither; a catalogue open to every signed-in
    caller no 403), 404
    for a path naming a record, 422 for a call taking parameters or a body."""
    where = f"{method.upper()} {path}"
    found = []
    if not CJK.search(operation.get("summary", "")):
        found.append(f"{where}: summary not in Chinese: {operation.get('summary')!r}")
    description = operation.get("description", "")
    if description and not CJK.search(description):
        found.append(f"{where}: description not in Chinese: {description[:60]!r}")
    expected = (
        set() if (method, path) in PUBLIC else {"401"} if (method, path) in ANY_SIGNED_IN else {"401", "403"}
    )
    if (method, path) in ANY_SIGNED_IN and "403" in {str(code) for code in operation.get("responses", {})}:
        found.append(f"{where}: 403 documented, but any signed-in caller may call it")
    if (method, path) in PUBLIC and {"401", "403"} & {str(code) for code in operation.get("responses", {})}:
        found.append(f"{where}: 401/403 documented, but it needs no account")
    if "{" in path:
        expected.add("404")
    if operation.get("parameters") or operation.get("requestBody"):
        expected.add("422")
    responses = {str(code): answer for code, answer in operation.get("responses", {}).items()}
    for code in sorted(expected):
        if code not in responses:
            found.append(f"{where}: {code} not documented")
            continue
        schema = responses[code].get("content", {}).get("application/json", {}).get("schema", {})
        if not schema.get("$ref", "").endswith("/ErrorOut"):
            found.append(f"{where}: {code} is not documented as ErrorOut")
    return found


def test_every_operation_has_a_chinese_summary_and_documents_its_errors(document: dict[str, Any]) -> None:
    operations = _operations(document)
    assert len(operations) > 200, len(operations)  # the walk found the API
    problems = [
        problem
        for path, method, operation in operations
        for problem in operation_problems(path, method, operation)
    ]
    assert not problems, "\n".join(problems)


def test_the_apps_of_the_finding_are_covered(document: dict[str, Any]) -> None:
    for app in FIXED:
        assert [p for p in document["paths"] if p.startswith(f"/api/v1/{app}/")], app
    reveal = document["paths"]["/api/v1/registry/residents/{resident_id}/reveal"]["post"]
    assert reveal["summary"] == "查看居民敏感信息（明文身份证号、电话、出生日期）"
    assert "审计" in reveal["description"]
    assert {"401", "403", "404", "422"} <= {str(code) for code in reveal["responses"]}


def test_the_public_calls_are_the_ones_named_and_the_catalogues_exist(document: dict[str, Any]) -> None:
    operations = _operations(document)
    public = {(method, path) for path, method, operation in operations if not operation.get("security")}
    assert public == PUBLIC
    assert {(method, path) for path, method, _ in operations} >= ANY_SIGNED_IN
    coverage = document["paths"]["/api/v1/gridwork/coverage"]["get"]
    assert "X-Total-Count" in coverage["description"]
    assert "409" not in coverage["responses"]  # a read that changes nothing has no conflict
    committees = document["paths"]["/api/v1/party/committees"]["get"]
    assert committees["summary"] == "大党委列表"
    assert {str(code) for code in committees["responses"]} == {"200", "401", "403"}


def test_the_guard_sees_an_english_summary_and_a_missing_error() -> None:
    operation = {
        "summary": "Goods Restock",
        "description": "Restock the goods.",
        "parameters": [{"name": "goods_id", "in": "path"}],
        "responses": {
            "200": {},
            "401": {"content": {"application/json": {"schema": {"$ref": "#/x/ErrorOut"}}}},
        },
    }
    problems = operation_problems("/api/v1/points/goods/{goods_id}/restock", "post", operation)
    assert len(problems) == 5, problems  # summary, description, 403, 404, 422
    catalogue = {
        "summary": "技能列表",
        "responses": {
            code: {"content": {"application/json": {"schema": {"$ref": "#/x/ErrorOut"}}}}
            for code in ("401", "403")
        },
    }
    assert operation_problems("/api/v1/volunteers/skills", "get", catalogue) == [
        "GET /api/v1/volunteers/skills: 403 documented, but any signed-in caller may call it"
    ]
    assert not operation_problems("/api/v1/requests/track", "get", {"summary": "查询", "responses": {}})
    assert operation_problems("/api/v1/requests/track", "get", catalogue | {"summary": "查询"}) == [
        "GET /api/v1/requests/track: 401/403 documented, but it needs no account"
    ]
    assert not operation_problems(
        "/api/v1/x",
        "get",
        {
            "summary": "列表",
            "responses": {
                code: {"content": {"application/json": {"schema": {"$ref": "#/x/ErrorOut"}}}}
                for code in ("401", "403")
            },
        },
    )


def test_the_document_is_also_served_under_v1(client: Client, document: dict[str, Any]) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == document
    assert client.get("/api/docs").status_code == 200  # the docs page still loads its own
