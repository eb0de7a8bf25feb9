"""The lists mask a hidden requester's numbers in a request's title and address as its page
does (session 26 masked the page, the API and the ledger's Excel, but an anonymous request
titled "13612342222举报隔壁违建" still showed the number in the handler's inbox). Where the
reader is not shown who filed a request (``permissions.requester_shown``: anonymous, or
confidential outside ``sees_requester``), every list masks the ID numbers and phones typed
into its title, address and content excerpt (``{% shown r "title" %}``,
``permissions.shown_text``); where the reader is shown the requester, the text is as typed.
The common row (neither anonymous nor confidential) costs no query."""

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.template import Context, Template
from django.template.defaultfilters import truncatechars
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from civicgrid.governance.models import HotIssue, HotIssueMember, HotIssueRun
from civicgrid.requests import services
from civicgrid.requests.constants import Status
from civicgrid.requests.models import Rating, Request
from civicgrid.requests.permissions import shown_text
from civicgrid.territory.locator import locator

pytestmark = pytest.mark.django_db

PHONE = "13612342222"
PHONE_MASKED = "136****2222"
ID_NUMBER = "320211199001011234"
ID_MASKED = "320***********1234"


@pytest.fixture(autouse=True)
def _fresh_locator() -> None:
    locator.invalidate()


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


TITLE = f"{PHONE}举报隔壁违建"
CONTENT = f"隔壁加盖违建，请回电{PHONE}"


def _filed(hotline: Any, title: str = TITLE, content: str = CONTENT, **kw: Any) -> Request:
    data = hotline.new(
        title=title,
        content=content,
        address=f"胜利门3号楼 身份证{ID_NUMBER}",
        requester_phone="13900001111",
        **{"category": hotline.noise, **kw},
    )
    return services.request_create(actor=hotline.city.olivia, data=data)


def _masked(page: str) -> bool:
    return PHONE not in page and PHONE_MASKED in page


def test_the_shared_helper_masks_for_the_reader_it_hides_the_requester_from(hotline: Any) -> None:
    anonymous = _filed(hotline, anonymous=True)
    confidential = _filed(hotline, confidential=True)
    open_one = _filed(hotline)
    hank, olivia = hotline.hank, hotline.city.olivia
    assert shown_text(hank, anonymous, "title") == f"{PHONE_MASKED}举报隔壁违建"
    assert shown_text(hank, confidential, "address") == f"胜利门3号楼 身份证{ID_MASKED}"
    assert shown_text(hank, open_one, "title") == f"{PHONE}举报隔壁违建"
    # The operator dispatches, so sees a confidential requester (REQUESTER_READERS); an
    # anonymous one is hidden from everyone.
    assert shown_text(olivia, confidential, "title") == f"{PHONE}举报隔壁违建"
    assert shown_text(olivia, anonymous, "title") == f"{PHONE_MASKED}举报隔壁违建"
    with pytest.raises(ValueError):
        shown_text(hank, open_one, "requester_phone")
    # The tag reads the page's user and cuts to the length asked, as the filter did.
    http = RequestFactory().get("/")
    http.user = hank
    tag = Template('{% load request_text %}{% shown r "title" 8 %}|{% shown r "content" as c %}{{ c }}')
    out = tag.render(Context({"request": http, "r": confidential}))
    assert out == f"{truncatechars(PHONE_MASKED + '举报隔壁违建', 8)}|隔壁加盖违建，请回电{PHONE_MASKED}"
    assert PHONE[:5] not in out
    # Nothing stored changed.
    assert Request.objects.get(pk=confidential.pk).title == f"{PHONE}举报隔壁违建"


def test_the_inbox_masks_for_the_handling_unit(hotline: Any) -> None:
    anonymous = _filed(hotline, anonymous=True, title=f"匿名 {PHONE}举报隔壁违建")
    confidential = _filed(hotline, confidential=True, title=f"保密 {PHONE}举报隔壁违建")
    assert anonymous.lead_unit_id == confidential.lead_unit_id == hotline.sub_a_unit.pk
    page = logged_in(hotline.hank).get("/requests/inbox/").content.decode()
    assert anonymous.number in page and confidential.number in page
    assert f"匿名 {PHONE_MASKED}" in page and f"保密 {PHONE_MASKED}" in page
    assert PHONE not in page


def test_the_ledger_page_masks_for_the_unit_and_not_a_confidential_one_for_the_operator(hotline: Any) -> None:
    anonymous = _filed(hotline, anonymous=True, title=f"匿名 {PHONE}举报隔壁违建")
    confidential = _filed(hotline, confidential=True, title=f"保密 {PHONE}举报隔壁违建")
    unit_page = logged_in(hotline.hank).get("/requests/ledger/").content.decode()
    assert anonymous.number in unit_page and confidential.number in unit_page
    assert _masked(unit_page)
    operator_page = logged_in(hotline.city.olivia).get("/requests/ledger/").content.decode()
    assert f"保密 {PHONE}举报" in operator_page
    assert f"匿名 {PHONE_MASKED}举报" in operator_page and f"匿名 {PHONE}" not in operator_page


def test_the_triage_page_masks_title_and_address_of_an_anonymous_request(hotline: Any) -> None:
    # Nothing to dispatch to: the request waits in 待派单 (triage) for the operator.
    r = _filed(hotline, anonymous=True, lon=None, lat=None)
    Request.objects.filter(pk=r.pk).update(lead_unit=None, status="received")
    page = logged_in(hotline.city.olivia).get("/requests/triage/").content.decode()
    assert r.number in page
    assert _masked(page)
    assert ID_NUMBER not in page and "身份证320" in page


def test_the_consoles_similar_requests_mask_an_anonymous_one(hotline: Any) -> None:
    anonymous = _filed(hotline, anonymous=True)
    open_one = _filed(hotline, title="隔壁违建没人管", content="隔壁加盖违建，请回电13688889999")
    client = logged_in(hotline.city.olivia)
    page = client.get(
        "/requests/console/similar/",
        {"title": "举报隔壁违建", "content": "隔壁加盖违建", "lon": "120.305", "lat": "31.575"},
    ).content.decode()
    assert anonymous.number in page and open_one.number in page
    assert _masked(page)  # title, content excerpt and the button's label
    assert "13688889999" in page  # an open request's text is as typed


def test_the_ratings_list_and_its_excel_mask_an_anonymous_title(hotline: Any) -> None:
    anonymous = _filed(hotline, anonymous=True, title=f"匿名 {PHONE}举报隔壁违建")
    confidential = _filed(hotline, confidential=True, title=f"保密 {PHONE}举报隔壁违建")
    for r in (anonymous, confidential):
        Rating.objects.create(
            request=r,
            round=1,
            unit=hotline.sub_a_unit,
            node_path=r.node_path,
            month=timezone.localdate().replace(day=1),
            contacted=True,
            resolution="solved",
            satisfaction="satisfied",
            via=Rating.Via.CALLBACK,
            created_at=timezone.now(),
        )
    client = logged_in(hotline.city.dave)  # the leader supervises: sees a confidential requester
    page = client.get("/requests/rates/ratings/").content.decode()
    assert anonymous.number in page and confidential.number in page
    assert f"匿名 {PHONE_MASKED}" in page and f"保密 {PHONE}" in page
    response = client.get("/requests/rates/ratings/", {"format": "xlsx"})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    titles = {row[1]: row[2] for row in rows[1:]}
    assert titles[anonymous.number] == f"匿名 {PHONE_MASKED}举报隔壁违建"
    assert titles[confidential.number] == f"保密 {PHONE}举报隔壁违建"


def test_a_long_inbox_asks_no_query_per_row_for_ordinary_requests(hotline: Any) -> None:
    def inbox_queries() -> int:
        client = logged_in(hotline.hank)
        client.get("/requests/inbox/")  # warm the session and caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/requests/inbox/").status_code == 200
        return len(queries)

    _filed(hotline, title="电梯停运")
    one = inbox_queries()
    for i in range(29):
        _filed(hotline, title=f"电梯停运 {i}")
    assert Request.objects.filter(lead_unit=hotline.sub_a_unit).count() == 30
    # An anonymous row asks nothing more either (hidden from everyone, no query to decide).
    _filed(hotline, anonymous=True)
    assert inbox_queries() <= one + 2


def test_the_grid_workers_checks_to_make_mask_a_confidential_request(hotline: Any) -> None:
    r = _filed(hotline, confidential=True, category=hotline.lift)  # 电梯 needs 现场核查
    Request.objects.filter(pk=r.pk).update(status=Status.REPLIED, replied_at=timezone.now())
    page = logged_in(hotline.city.alice).get("/gridwork/m/").content.decode()
    assert r.number in page
    assert _masked(page)
    assert ID_NUMBER not in page and ID_MASKED in page  # the address


def test_a_hot_issues_requests_and_map_mask_an_anonymous_one(hotline: Any) -> None:
    city = hotline.city
    anonymous = _filed(hotline, anonymous=True)
    confidential = _filed(hotline, confidential=True, title="保密 13700001111举报隔壁违建")
    today = timezone.localdate()
    run = HotIssueRun.objects.create(
        node=city.district, node_path=city.district.path, period_start=today, period_end=today
    )
    issue = HotIssue.objects.create(
        run=run,
        node=city.district,
        node_path=city.district.path,
        rank=1,
        title="隔壁违建",
        count=2,
        heat=1.0,
        first_at=timezone.now(),
        last_at=timezone.now(),
    )
    for position, r in enumerate((anonymous, confidential)):
        HotIssueMember.objects.create(issue=issue, request=r, position=position)
    page = logged_in(city.dave).get(f"/governance/hot/{issue.pk}/").content.decode()
    assert anonymous.number in page and confidential.number in page
    assert _masked(page)  # the table and the map's label
    assert "13700001111" in page  # the leader supervises: sees a confidential requester


# The lists' templates print a request's text through the tag: a raw ``{{ r.title }}`` of
# another request would show what the tag masks. The request page's own ``r`` and the
# 现场核查 page's are masked by their views (web_helpers.mask_text_for).
RAW = re.compile(
    r"\{\{ ?(r|w\.request|n\.request|r\.request|repeat_of|f\.request)\.(title|address|content)\b"
    r"|(with|[ ,])[a-z_]+=(r|w\.request|n\.request|r\.request|repeat_of)\.(title|address|content)\b"
)
LISTS = [
    "requests/templates/requests/inbox.html",
    "requests/templates/requests/callbacks.html",
    "requests/templates/requests/triage.html",
    "requests/templates/requests/_action_form.html",
    "requests/templates/requests/rates/ratings.html",
    "requests/templates/requests/ledger.html",
    "requests/templates/requests/whistles.html",
    "requests/templates/requests/_caller_history.html",
    "requests/templates/requests/_similar.html",
    "requests/templates/requests/console.html",
    "governance/templates/governance/hot_issue.html",
    "governance/templates/governance/alert.html",
    "property/templates/property/compound.html",
    "property/templates/property/company.html",
    "gridwork/templates/gridwork/m/today.html",
    "gridwork/templates/gridwork/m/reported.html",
]


def test_no_list_prints_a_requests_text_unmasked() -> None:
    root = Path(__file__).resolve().parents[2]
    for name in LISTS:
        text = (root / name).read_text()
        assert not RAW.search(text), name
    detail = (root / "requests/templates/requests/detail.html").read_text()
    assert "n.request.title" not in detail.replace('{% shown n.request "title" %}', "")
    assert RAW.search("<td>{{ r.title|truncatechars:30 }}</td>")  # the check itself bites
