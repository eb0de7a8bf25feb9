"""A grid worker's round on the phone pages at 390 px with a poor signal (gridm): what the
server renders for the script (the attributes it relies on), what it refuses, and the
script's own checks run under Node where it is installed."""

import json
import re
import shutil
import subprocess
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.core import crypto
from civicgrid.core.tests.browser import PASSWORD
from civicgrid.core.validators import id_number_problem
from civicgrid.gridwork import services
from civicgrid.gridwork.jstext import js_text
from civicgrid.gridwork.models import Finding
from civicgrid.gridwork.services.findings import follow_token
from civicgrid.gridwork.tests.conftest import Field, png
from civicgrid.gridwork.tests.test_gridfix_phone import SCRIPT, browser
from civicgrid.gridwork.tests.test_gridfx_phone import replied
from civicgrid.requests.models import Request, RequestEvent

pytestmark = pytest.mark.django_db

JS = SCRIPT.read_text(encoding="utf-8")


def _function(name: str) -> str:
    """One top-level function of the script, by its name (to run it under Node)."""
    start = JS.index(f"  function {name}(")
    end = JS.index("\n  }\n", start) + len("\n  }\n")
    return JS[start:end]


def _node(source: str) -> Any:
    node = shutil.which("node")
    if node is None:
        pytest.skip("没有 node，无法在 Node 中运行脚本的函数")
    # the script's own source, run by the node found on PATH
    out = subprocess.run(  # noqa: S603
        [node, "-e", source], capture_output=True, text=True, check=True, timeout=30
    )
    return json.loads(out.stdout)


# --- 1. 现场核查 offline keeps the form --------------------------------------------------------


def test_the_check_form_has_an_alert_box_and_the_offline_words(field: Field, hotline: Any) -> None:
    request = replied(hotline)
    html = browser(field.alice).get(f"/gridwork/m/verify/{request.pk}/").content.decode()
    form = html[html.index('<form method="post" enctype') :]
    assert "data-gw-shrink" in form and "data-gw-offline-message=" in form and "核查需要联网提交" in form
    assert re.search(r'class="alert err gw-form-error" role="alert"[^>]*hidden', form)


def test_the_script_checks_the_network_before_posting_the_check() -> None:
    shrink = _function("onShrinkSubmit")
    offline = shrink.index("navigator.onLine === false")
    assert offline < shrink.index("ev.preventDefault(); needsNetwork(form)") < shrink.index("form.submit()")
    # before the files are even looked at: a check without photos is kept too
    assert offline < shrink.index("var inputs")
    assert "needs_network" in js_text()


# --- 2. a report near an open one offers to follow it ----------------------------------------


def _report(field: Field, key: str, **kw: Any) -> Finding:
    data: dict[str, Any] = {
        "category": "fire",
        "description": "5号楼楼道堆放纸箱，堵塞消防通道",
        "lon": 120.305,
        "lat": 31.575,
        "outcome": "reported",
        "request_type": "help",
    } | kw
    return services.finding_record(actor=field.alice, client_key=key, data=services.FindingIn(**data)).entry


def test_similar_open_requests_near_the_point_are_offered(field: Field) -> None:
    first = _report(field, "gridm-first")
    assert first.request is not None
    phone = browser(field.alice)
    query = {"description": "5号楼楼道堆放纸箱，堵塞消防通道", "lon": "120.305", "lat": "31.575"}
    rows = phone.get("/gridwork/m/finding/similar/", query).json()["rows"]
    assert [r["number"] for r in rows] == [first.request.number]
    assert rows[0]["follow"] and rows[0]["metres"] == 0
    other = {"description": "路灯不亮", "lon": "120.305", "lat": "31.575"}
    assert phone.get("/gridwork/m/finding/similar/", other).json()["rows"] == []


def test_following_adds_to_the_open_request_instead_of_filing_another(field: Field) -> None:
    first = _report(field, "gridm-first")
    assert first.request is not None
    before = Request.objects.count()
    phone = browser(field.alice)
    data = {
        "client_key": "gridm-follow",
        "category": "fire",
        "description": "5号楼楼道纸箱仍未清理",
        "outcome": "reported",
        "request_type": "help",
        "lon": "120.305",
        "lat": "31.575",
        "follow": follow_token(first.request.pk),
    }
    response = phone.post("/api/v1/gridwork/findings", data)
    assert response.status_code == 201, response.content
    assert response.json()["request_number"] == first.request.number
    assert Request.objects.count() == before
    assert Finding.objects.get(client_key="gridm-follow").request_id == first.request.pk
    note = RequestEvent.objects.filter(request=first.request, action="note").last()
    assert note is not None and "纸箱仍未清理" in note.note and note.data["follow_up"] is True


def test_a_forged_follow_is_refused_and_files_nothing(field: Field) -> None:
    first = _report(field, "gridm-first")
    assert first.request is not None
    before = (Request.objects.count(), Finding.objects.count())
    data = {"client_key": "gridm-forged", "category": "fire", "description": "纸箱", "outcome": "reported"}
    data |= {"request_type": "help", "lon": "120.305", "lat": "31.575", "follow": str(first.request.pk)}
    response = browser(field.alice).post("/api/v1/gridwork/findings", data)
    assert response.status_code == 422 and "跟进" in response.json()["message"]
    assert (Request.objects.count(), Finding.objects.count()) == before


def test_the_finding_form_carries_what_the_similar_check_needs(field: Field) -> None:
    html = browser(field.alice).get("/gridwork/m/finding/").content.decode()
    assert 'data-gw-similar="/gridwork/m/finding/similar/"' in html
    assert '<input type="hidden" name="follow" value="">' in html and 'class="alert info gw-similar"' in html
    similar = _function("similarFirst")
    # offline, the entry is kept as ever: the check never holds it back
    assert "navigator.onLine === false" in similar and "SIMILAR_WAIT_MS" in similar


# --- 3. 退出 -----------------------------------------------------------------------------------


def test_every_phone_page_has_a_sign_out_that_posts(field: Field) -> None:
    phone = browser(field.alice)
    for path in ("/gridwork/m/", "/gridwork/m/finding/", "/gridwork/m/queue/", "/gridwork/m/log/"):
        html = phone.get(path).content.decode()
        form = re.search(r'<form method="post" action="/logout/"[^>]*data-gw-signout>(.*?)</form>', html)
        assert form and "csrfmiddlewaretoken" in form.group(1) and "退出" in form.group(1), path
    sign_out = _function("forgetPages") + _function("onSignOut")
    assert "caches.keys()" in sign_out and "cache.delete(k)" in sign_out and "LAST_FIX" in sign_out


# --- 4. 走访 ?plan= offline ---------------------------------------------------------------------


def test_the_visit_form_names_its_presets_for_the_script(field: Field) -> None:
    html = browser(field.alice).get("/gridwork/m/visit/").content.decode()
    assert 'data-gw-preset="plan:care_plan_id,resident:resident_id"' in html
    assert "presetFromQuery();" in JS
    assert "URLSearchParams(window.location.search)" in _function("presetFromQuery")


# --- 5. the ID number's check digit on the phone --------------------------------------------


def test_the_script_refuses_a_wrong_check_digit_with_the_servers_words(field: Field) -> None:
    html = browser(field.alice).get("/gridwork/m/proposal/").content.decode()
    assert re.search(r'<input id="p-id" name="id_number"[^>]*data-gw-id-number', html)
    good, bad = "11010519491231002X", "110105194912310021"
    texts = js_text()
    source = (
        f"var TEXT = {json.dumps(texts)}; function i18n(k) {{ return TEXT[k] || k; }}\n"
        + JS[JS.index("  var ID_WEIGHTS") : JS.index("  function badIdNumber(")]
        + f"console.log(JSON.stringify([{json.dumps(good)}, {json.dumps(bad)}, 'abc'].map(idNumberProblem)));"
    )
    assert _node(source) == ["", id_number_problem(bad), id_number_problem("abc")]
    assert id_number_problem(good) is None


# --- 6. the queue page masks ID numbers and phones ------------------------------------------


def test_the_queue_shows_id_numbers_and_phones_masked_as_the_server_does() -> None:
    fields = {"name": "周晓燕", "id_number": "320102199001011237", "phone": "13912345678", "client_key": "k"}
    source = (
        "var NOT_TYPED = /^(client_key)$/;\n"
        + _function("maskIdNumber")
        + _function("maskPhone")
        + JS[JS.index("  var MASKED") : JS.index("\n", JS.index("  var MASKED"))]
        + "\n"
        + _function("typedText")
        + f"console.log(JSON.stringify(typedText({json.dumps(fields)})));"
    )
    shown = _node(source)
    assert shown == ["周晓燕", crypto.mask_id_number("320102199001011237"), crypto.mask_phone("13912345678")]
    assert shown[1:] == ["320***********1237", "139****5678"]


# --- 7. a check done in another tab ----------------------------------------------------------


def test_a_stale_check_page_is_refused_on_the_form_keeping_the_note(field: Field, hotline: Any) -> None:
    request = replied(hotline)
    first, second = browser(field.alice), browser(field.alice)
    page = f"/gridwork/m/verify/{request.pk}/"
    second.get(page)
    done = {"version": request.version, "confirmed": "yes", "note": "电梯已正常运行", "attachments": png()}
    assert first.post(page, done).status_code == 302
    late = {"version": request.version, "confirmed": "yes", "note": "第二个标签页写的核查情况"}
    response = second.post(page, late)
    html = response.content.decode()
    assert response.status_code == 409
    assert "第二个标签页写的核查情况</textarea>" in html
    name = field.alice.display_name
    assert f"该诉求已由{name}于" in html and "核查（属实）" in html
    assert 'role="alert"' in html and "提交核查</button>" not in html


def test_a_request_outside_the_workers_grids_is_still_not_found(field: Field, hotline: Any) -> None:
    request = replied(hotline)
    data = {"version": request.version, "confirmed": "yes", "note": "x"}
    assert browser(field.pete).post(f"/gridwork/m/verify/{request.pk}/", data).status_code == 404


# --- 8. the report's number, its type, the worker's landing page ----------------------------


def test_a_report_names_no_type_until_one_is_chosen(field: Field) -> None:
    phone = browser(field.alice)
    html = phone.get("/gridwork/m/finding/").content.decode()
    radios = re.findall(r'<input type="radio" name="request_type"[^>]*>', html)
    assert radios and all("required" in r and "checked" not in r for r in radios)
    data = {"client_key": "gridm-notype", "category": "fire", "description": "纸箱", "outcome": "reported"}
    data |= {"lon": "120.305", "lat": "31.575"}
    response = phone.post("/gridwork/m/finding/", data)
    assert response.status_code == 422 and "请选择诉求类型" in response.content.decode()
    assert not Finding.objects.filter(client_key="gridm-notype").exists()


def test_the_script_says_the_request_number_after_a_report() -> None:
    save = _function("saveEntry")
    assert "res.data.request_number" in save and "flash(done)" in save
    assert "showFlash();" in JS
    assert "%(number)s" in js_text()["reported"]


def test_a_grid_worker_lands_on_the_phone_desk_and_others_on_the_home_page(field: Field) -> None:
    for user, landing in ((field.alice, "/gridwork/m/"), (field.city.bob, "/")):
        client = Client()
        response = client.post("/login/", {"username": user.username, "password": PASSWORD})
        assert response.status_code == 302 and response["Location"] == landing, user.username
    asked = Client().post("/login/?next=/requests/", {"username": "alice", "password": PASSWORD})
    assert asked["Location"] == "/requests/"


# --- 9. Chinese on the phone -----------------------------------------------------------------


def test_photo_inputs_have_a_chinese_button_and_count(field: Field, hotline: Any) -> None:
    request = replied(hotline)
    phone = browser(field.alice)
    for path, input_id in (
        ("/gridwork/m/finding/", "f-photos"),
        ("/gridwork/m/visit/", "v-photos"),
        (f"/gridwork/m/verify/{request.pk}/", "vf_photos"),
    ):
        html = phone.get(path).content.decode()
        assert re.search(rf'<input id="{input_id}" type="file" class="gw-file"', html), path
        assert f'<label for="{input_id}" class="btn ghost gw-file-btn">拍照或选择照片</label>' in html
        assert f'class="hint gw-file-count" data-for="{input_id}"' in html and "未选择照片" in html
    assert ".gw-file {" in (SCRIPT.parent / "gridwork.css").read_text(encoding="utf-8")


def test_the_map_has_chinese_zoom_titles_and_no_leaflet_prefix() -> None:
    init = _function("initMap")
    assert "zoomControl: false" in init and 'zoomInTitle: i18n("zoom_in")' in init
    assert "setPrefix(false)" in init
    assert js_text()["zoom_in"] == "放大" and js_text()["zoom_out"] == "缩小"


# --- 10. the diary's month newest first; a household by building and room ---------------------


def test_the_month_runs_newest_first(field: Field) -> None:
    today = timezone.localdate()
    if today.day == 1:
        pytest.skip("本月只有一天")
    noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    for key, when in (("gridm-old", noon - timedelta(days=1)), ("gridm-new", min(noon, timezone.now()))):
        data = services.FindingIn(
            category="fire", description="纸箱", lon=120.305, lat=31.575, observed_at=when
        )
        services.finding_record(actor=field.alice, client_key=key, data=data)
    html = browser(field.alice).get("/gridwork/m/log/").content.decode()
    month = html[html.index("一览") :]
    days = re.findall(r'class="gw-day" href="\?day=(\d{4}-\d{2}-\d{2})"', month)
    assert days == sorted(days, reverse=True) and len(days) == 2


def test_my_recent_proposals_name_the_building_and_room(field: Field) -> None:
    data = services.ProposalIn(kind="new_resident", household=field.household_1, name="周晓燕")
    services.proposal_submit(actor=field.alice, client_key="gridm-proposal", data=data)
    html = browser(field.alice).get("/gridwork/m/proposal/").content.decode()
    mine = html[html.index("我最近提交的") :]
    assert f"入住 {field.city.building_a1.name} 1单元101" in mine
    assert field.household_1.code not in mine
