"""An outside tester's round on the grid worker's phone (gridfx): 现场核查 on the phone, the
phone's error pages, the diary of a day never kept offline, one patrol at a time."""

import re
from typing import Any

import pytest

from civicgrid.gridwork.tests.conftest import Field, png
from civicgrid.gridwork.tests.test_gridfix_phone import GRIDWORK, SCRIPT, browser
from civicgrid.requests import services as rs
from civicgrid.requests.constants import Status
from civicgrid.requests.models import Attachment, Request

pytestmark = pytest.mark.django_db


def replied(hotline: Any) -> Request:
    request = rs.request_create(actor=hotline.city.olivia, data=hotline.new())
    rs.request_sign(actor=hotline.hank, request=request)
    rs.request_reply(actor=hotline.hank, request=request, reply="已联系物业修复电梯")
    request.refresh_from_db()
    return request


# --- 1. 现场核查 on the phone -------------------------------------------------------------------


def test_today_links_the_check_to_the_phone_page(field: Field, hotline: Any) -> None:
    request = replied(hotline)
    html = browser(field.alice).get("/gridwork/m/").content.decode()
    assert f'href="/gridwork/m/verify/{request.pk}/"' in html
    assert f'href="/requests/{request.pk}/"' not in html


def test_the_phone_check_page_shows_the_request_and_the_desktop_choices(field: Field, hotline: Any) -> None:
    request = replied(hotline)
    response = browser(field.alice).get(f"/gridwork/m/verify/{request.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<nav class="gw-tabbar">' in html and "gridwork/m/base.html" not in html
    assert request.number in html and request.title in html and "已联系物业修复电梯" in html
    assert 'value="yes"' in html and 'value="no"' in html and "属实，办理到位" in html
    assert f'name="version" value="{request.version}"' in html
    assert 'name="attachments"' in html and "data-gw-shrink" in html and 'data-max="9"' in html
    if request.requester_name_masked:
        assert request.requester_name_masked in html


def test_a_confirmed_check_goes_back_to_today_with_a_message(field: Field, hotline: Any) -> None:
    request = replied(hotline)
    phone = browser(field.alice)
    data = {"version": request.version, "confirmed": "yes", "note": "现场电梯已正常运行"}
    data["attachments"] = png()
    response = phone.post(f"/gridwork/m/verify/{request.pk}/", data)
    assert response.status_code == 302 and response["Location"] == "/gridwork/m/"
    request.refresh_from_db()
    assert request.status != Status.REPLIED
    assert Attachment.objects.filter(request=request, event__isnull=False).count() == 1
    page = phone.get("/gridwork/m/").content.decode()
    assert f"{request.number}：核查已记录" in page


def test_a_refuted_check_sends_it_back_to_the_unit(field: Field, hotline: Any) -> None:
    request = replied(hotline)
    data = {"version": request.version, "confirmed": "no", "note": "电梯仍然故障"}
    response = browser(field.alice).post(f"/gridwork/m/verify/{request.pk}/", data)
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS


def test_a_check_without_note_or_on_a_stale_page_changes_nothing(field: Field, hotline: Any) -> None:
    request = replied(hotline)
    phone = browser(field.alice)
    no_note = {"version": request.version, "confirmed": "yes"}
    response = phone.post(f"/gridwork/m/verify/{request.pk}/", no_note)
    assert response.status_code == 422 and "请填写核查情况" in response.content.decode()
    stale = {"version": request.version - 1, "confirmed": "yes", "note": "已修复"}
    response = phone.post(f"/gridwork/m/verify/{request.pk}/", stale)
    assert response.status_code == 422 and '<nav class="gw-tabbar">' in response.content.decode()
    request.refresh_from_db()
    assert request.status == Status.REPLIED


def test_another_grids_worker_cannot_open_the_check(field: Field, hotline: Any) -> None:
    request = replied(hotline)
    response = browser(field.pete).get(f"/gridwork/m/verify/{request.pk}/")
    assert response.status_code == 404
    data = {"version": request.version, "confirmed": "yes", "note": "x"}
    assert browser(field.pete).post(f"/gridwork/m/verify/{request.pk}/", data).status_code == 404
    request.refresh_from_db()
    assert request.status == Status.REPLIED


# --- 3. error pages under /gridwork/m/ ------------------------------------------------------------


def test_a_missing_page_under_the_phone_section_keeps_the_phone_layout(field: Field) -> None:
    response = browser(field.alice).get("/gridwork/m/verify/999999/")
    html = response.content.decode()
    assert response.status_code == 404
    assert '<nav class="gw-tabbar">' in html and "gridwork/gridwork.css" in html
    assert 'href="/gridwork/m/"' in html and "回到首页" in html
    # An address no page answers, under the phone's section: the phone layout too.
    response = browser(field.alice).get("/gridwork/m/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404 and '<nav class="gw-tabbar">' in html and "页面不存在" in html
    # Refused (403): someone who is no grid worker opening the phone's 今日.
    response = browser(field.city.olivia).get("/gridwork/m/")
    assert response.status_code == 403 and '<nav class="gw-tabbar">' in response.content.decode()


# --- 4. a diary day never kept offline -----------------------------------------------------------


def test_offline_only_the_entry_forms_answer_a_query_with_their_bare_page(field: Field) -> None:
    worker = browser(field.alice).get("/gridwork/m/sw.js").content.decode()
    forms = re.search(r"var FORMS = \[(.*?)\];", worker)
    assert forms is not None
    assert '"/gridwork/m/visit/"' in forms.group(1)
    assert '"/gridwork/m/log/"' not in forms.group(1) and '"/gridwork/m/"' not in forms.group(1)
    fetch = worker[worker.index('addEventListener("fetch"') :]
    assert "FORMS.indexOf(url.pathname) >= 0" in fetch and "PAGES.indexOf(url.pathname)" not in fetch


# --- 5, 6. one patrol at a time; a seventh photo ----------------------------------------------------


def test_the_script_starts_no_second_patrol_and_keeps_six_photos() -> None:
    script = SCRIPT.read_text(encoding="utf-8")
    start = script[script.index("function startPatrol()") :]
    start = start[: start.index("\n  }\n")]
    assert start.index("if (currentPatrol())") < start.index("newKey()")
    assert 'i18n("patrol_already")' in start
    photos = script[script.index('$all("input[type=file][data-max]")') :]
    assert "new DataTransfer()" in photos and 'i18n("photos_kept"' in photos


# --- 2. a refused entry shows what was typed and reopens in its form ------------------------------


def test_the_queue_shows_a_refused_entry_and_reopens_it_in_its_form() -> None:
    script = SCRIPT.read_text(encoding="utf-8")
    queue = script[script.index("function renderQueue(rows)") :]
    queue = queue[: queue.index("\n  }\n")]
    assert "typedText(r.fields)" in queue and '"#gw-edit="' in queue and 'i18n("edit_entry")' in queue
    assert "e.page = window.location.pathname" in script
    reopen = script[script.index("function reopenEntry()") :]
    assert "form.dataset.gwReplaces = e.key" in reopen and "new DataTransfer()" in reopen
    assert "reopenEntry();" in script and "store.remove(replaced)" in script


# --- 7. a new resident's household and dwelling agree -------------------------------------------


def test_a_new_resident_in_a_household_of_another_dwelling_is_refused(field: Field) -> None:
    from civicgrid.core.errors import ValidationError
    from civicgrid.gridwork import services
    from civicgrid.gridwork.models import Proposal

    data = services.ProposalIn(
        kind="new_resident",
        household=field.household_2,  # lives in 102
        dwelling=field.dwelling_1,  # 101
        name="周晓燕",
        gender="female",
    )
    with pytest.raises(ValidationError) as exc:
        services.proposal_submit(actor=field.alice, client_key="gridfx-two-places", data=data)
    assert "不住在房屋" in exc.value.errors["dwelling"][0]
    assert not Proposal.objects.exists()
    # The same household with its own dwelling is one place: accepted.
    data.dwelling = field.dwelling_2
    services.proposal_submit(actor=field.alice, client_key="gridfx-one-place", data=data)
    assert Proposal.objects.count() == 1


def test_the_phone_form_shows_the_disagreement_on_the_dwelling(field: Field) -> None:
    from civicgrid.gridwork.models import Proposal

    form = {
        "kind": "new_resident",
        "household_id": field.household_2.pk,
        "dwelling_id": [field.dwelling_1.pk, ""],
        "name": "周晓燕",
        "gender": "female",
        "client_key": "gridfx-form-two-places",
    }
    response = browser(field.alice).post("/gridwork/m/proposal/", form)
    assert response.status_code == 422 and "不住在房屋" in response.content.decode()
    assert not Proposal.objects.exists()


def test_the_diarys_day_links_are_a_fingers_target(field: Field) -> None:
    from datetime import timedelta

    from django.utils import timezone

    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    html = browser(field.alice).get(f"/gridwork/m/log/?day={yesterday}").content.decode()
    assert re.search(r'<a class="gw-day" href="\?day=', html)
    css = (GRIDWORK / "static" / "gridwork" / "gridwork.css").read_text(encoding="utf-8")
    rule = re.search(r"a\.gw-day \{([^}]*)\}", css)
    assert rule is not None and "min-height: 44px" in rule.group(1)
