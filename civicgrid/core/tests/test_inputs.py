"""``core.inputs``: input no view should see, refused before any view runs."""

import pytest
from django.test import Client

from civicgrid.core import inputs

pytestmark = pytest.mark.django_db


def test_text_and_numbers() -> None:
    assert inputs.text_problem("路灯不亮😀") is None
    assert inputs.text_problem("a\x00b") == inputs.NUL
    assert inputs.text_problem("a\ud800b") == inputs.SURROGATE
    assert inputs.number_problem(str(inputs.INT_MAX)) is None
    assert inputs.number_problem(f" -{inputs.INT_MAX} ") is None
    assert inputs.number_problem(str(inputs.INT_MAX + 1)) == inputs.TOO_LARGE
    assert inputs.number_problem("-99999999999999999999") == inputs.TOO_LARGE
    assert inputs.number_problem("99999999999999999999元") is None  # text, not a number
    # More digits than int() reads (4,300): refused by their count, not read.
    assert inputs.number_problem("9" * 5000) == inputs.TOO_LARGE
    assert inputs.number_problem("0" * 5000 + "7") is None


def test_json_bodies_name_the_field() -> None:
    body = {"title": "ok", "lines": [{"note": "x"}, {"note": "a\ud800"}]}
    assert inputs.json_problem(body, b'"\\ud800"') == ("lines[1].note", inputs.SURROGATE)
    assert inputs.json_problem({"ids": [1, 10**20]}, b"100000000000000000000") == ("ids[1]", inputs.TOO_LARGE)
    assert inputs.json_problem({"k\x00": 1}, b"\\u0000") == ("k\x00", inputs.NUL)
    assert inputs.json_problem({"flag": True, "n": -(2**63) + 1}, b"9223372036854775807") is None
    # A valid pair of surrogates is one character (an emoji): nothing to refuse, no walk needed.
    assert inputs.json_problem({"t": "😀"}, b'{"t": "\\ud83d\\ude00"}') is None
    # The raw body decides whether to walk at all: nothing suspicious, nothing walked.
    assert inputs.json_problem({"t": "a\x00"}, b'{"t": "plain"}') is None


def test_paths() -> None:
    assert not inputs.path_problem("/requests/123/")
    assert not inputs.path_problem(f"/requests/{inputs.INT_MAX}/")
    assert inputs.path_problem(f"/requests/{inputs.INT_MAX + 1}/")
    assert inputs.path_problem("/requests/" + "9" * 4301 + "/")
    assert not inputs.path_problem("/requests/" + "0" * 30 + "12/")
    assert inputs.path_problem("/api/v1/requests/by-number/a\x00b")
    assert not inputs.path_problem("/requests/" + "²" * 19 + "/")  # a digit to isdigit(), not to int()


def test_json_nested_nearly_as_deep_as_the_parser_allows() -> None:
    import json
    import sys

    depth = sys.getrecursionlimit() - 100
    raw = "[" * depth + "1" * 20 + "]" * depth
    field, reason = inputs.json_problem(json.loads(raw), raw.encode()) or ("", "")
    assert reason == "嵌套层数过多" and field.startswith("[0][0]")


def test_client_ip_behind_a_trusted_proxy(settings: object, rf: object) -> None:
    from civicgrid.core.middleware import client_ip

    settings.TRUSTED_PROXIES = 1  # type: ignore[attr-defined]
    for forwarded, expected in [
        ("1.2.3.4, 5.6.7.8", "5.6.7.8"),
        ("5.6.7.8:443", "5.6.7.8"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("evil", "10.0.0.9"),  # not an address: the proxy's own
    ]:
        request = rf.get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="10.0.0.9")  # type: ignore[attr-defined]
        assert client_ip(request) == expected, forwarded


def test_pages_refuse_bad_paths_and_query_fields_before_any_view(city: object) -> None:
    client = Client()
    assert client.get("/requests/99999999999999999999/").status_code == 404
    assert client.get("/requests/a%00b/").status_code == 404
    assert client.get("/", {"q": "12345678901234567890"}).status_code != 422  # a page's search box
    client.force_login(city.olivia)  # type: ignore[attr-defined]  # an integer's range is its schema's check
    response = client.get("/api/v1/requests/", {"offset": "99999999999999999999"})
    assert response.status_code == 422
    assert response.json()["detail"] == {"offset": [f"偏移{inputs.TOO_LARGE}"]}
    huge = "9" * 4301  # beyond what int() reads: was a server error on every address
    assert client.get(f"/requests/{huge}/").status_code == 404
    assert client.get(f"/api/v1/requests/{huge}").status_code == 404
    # Open311's fields are text (opaque ids): a long run of digits is no number there
    assert client.get("/open311/v2/services.json", {"x": huge}).status_code == 200
    response = client.get("/open311/v2/requests.json", {"service_code": "1\x00"})
    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": f"service_code：{inputs.NUL}"}]
