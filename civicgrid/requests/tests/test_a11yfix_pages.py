"""Keyboard and screen-reader use of the console, the request page's action forms, every
page's skip link and the import progress (an outside keyboard tester's report).

What the server renders: after a refused submit the first invalid field takes the focus
(``autofocus``), is marked ``aria-invalid`` and described by its reason, and the summary
names the fields; the pickers' search boxes are labelled comboboxes; 清除 says what it
clears and the hint says Enter on a button only presses it."""

from html.parser import HTMLParser
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from civicgrid.exchange import services as exchange_services
from civicgrid.exchange.models import ImportJob, ImportStatus
from civicgrid.exchange.tests.files import RESIDENT_HEADER, csv_bytes
from civicgrid.requests import services
from civicgrid.requests.models import Request
from civicgrid.requests.tests.test_pages import CONSOLE, console_post, login, page

pytestmark = pytest.mark.django_db


class Tags(HTMLParser):
    """Every start tag with its attributes, in document order, and the text of each label."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.labels: list[tuple[dict[str, str], str]] = []
        self._open_labels: list[tuple[dict[str, str], list[str]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        self.tags.append((tag, found))
        if tag == "label":
            self._open_labels.append((found, []))
        elif self._open_labels and tag in ("input", "select", "textarea"):
            self._open_labels[-1][1].append(f"<{found.get('id', '')}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "label" and self._open_labels:
            attrs, parts = self._open_labels.pop()
            self.labels.append((attrs, "".join(parts)))

    def handle_data(self, data: str) -> None:
        for _attrs, parts in self._open_labels:
            parts.append(data)

    def by_id(self, element_id: str) -> dict[str, str]:
        matches = [attrs for _tag, attrs in self.tags if attrs.get("id") == element_id]
        assert len(matches) == 1, f"{len(matches)} elements with id {element_id}"
        return matches[0]

    def autofocused(self) -> list[dict[str, str]]:
        return [attrs for _tag, attrs in self.tags if "autofocus" in attrs]

    def label_for(self, element_id: str) -> str:
        """The text of the label tied to the element (for=, or around it)."""
        for attrs, text in self.labels:
            if attrs.get("for") == element_id or f"<{element_id}>" in text:
                return text.replace(f"<{element_id}>", "").strip()
        raise AssertionError(f"no label for {element_id}")

    def described(self, attrs: dict[str, str]) -> list[str]:
        """The ids aria-describedby names; each must exist."""
        ids = attrs.get("aria-describedby", "").split()
        for element_id in ids:
            self.by_id(element_id)
        return ids


# --- the console ------------------------------------------------------------------------


def test_a_fresh_console_starts_at_the_phone(client: Client, hotline: Any) -> None:
    html = Tags(page(login(client, hotline.city.olivia).get(CONSOLE)))
    assert [a.get("id") for a in html.autofocused()] == ["id_requester_phone"]
    assert not [a for _t, a in html.tags if a.get("aria-invalid")]


def test_a_refused_call_focuses_the_first_invalid_field_and_names_the_fields(
    client: Client, hotline: Any
) -> None:
    """Before: 来电号码 had autofocus whatever was wrong, and the summary said only
    "请按提示修改标红的内容后再提交"."""
    login(client, hotline.city.olivia)
    response = client.post(CONSOLE, console_post(hotline, title="", lon="东经"))
    assert response.status_code == 422 and not Request.objects.exists()
    text = page(response)
    html = Tags(text)
    assert [a.get("id") for a in html.autofocused()] == ["id_title"]
    for field in ("title", "lon"):
        attrs = html.by_id(f"id_{field}")
        assert attrs.get("aria-invalid") == "true"
        assert html.described(attrs) == [f"id_{field}_error"]
    assert "请填写标题" in text[text.index('id="id_title_error"') :].split("</p>")[0]
    assert "经度应为数字" in text[text.index('id="id_lon_error"') :].split("</p>")[0]
    for field in ("requester_phone", "content", "lat", "address"):
        assert "aria-invalid" not in html.by_id(f"id_{field}")
    summary = text[text.index('class="form-errors"') :].split("</div>")[0]
    assert 'role="alert"' in summary
    assert '<span class="error-field">标题</span><span class="error-field">经度</span>' in summary


def test_a_wrong_phone_takes_the_focus_from_the_fields_after_it(client: Client, hotline: Any) -> None:
    login(client, hotline.city.olivia)
    html = Tags(page(client.post(CONSOLE, console_post(hotline, requester_phone="12345", content=""))))
    assert [a.get("id") for a in html.autofocused()] == ["id_requester_phone"]
    assert html.by_id("id_requester_phone").get("aria-invalid") == "true"
    assert html.described(html.by_id("id_requester_phone")) == ["id_requester_phone_error"]


def test_a_wrong_category_marks_its_search_box(client: Client, hotline: Any) -> None:
    login(client, hotline.city.olivia)
    html = Tags(page(client.post(CONSOLE, console_post(hotline, category="999999"))))
    box = html.by_id("category-q")
    assert [a.get("id") for a in html.autofocused()] == ["category-q"]
    assert box.get("aria-invalid") == "true"
    assert html.described(box) == ["category-chosen", "id_category_error"]


def test_the_console_pickers_are_labelled_comboboxes(client: Client, hotline: Any) -> None:
    html = Tags(page(login(client, hotline.city.olivia).get(CONSOLE)))
    assert html.label_for("category-q") == "分类"
    assert html.label_for("building-q").startswith("楼栋")
    assert html.label_for("id_attachments") == "选择文件（可多选）"
    for box, listbox, chosen in (
        ("category-q", "category-list", "category-chosen"),
        ("building-q", "building-list", "building-chosen"),
    ):
        attrs = html.by_id(box)
        assert attrs.get("role") == "combobox" and attrs.get("aria-expanded") == "false"
        assert attrs.get("aria-controls") == listbox and html.by_id(listbox).get("role") == "listbox"
        assert chosen in html.described(attrs)
    said = [a for _t, a in html.tags if "picker-said" in a.get("class", "")]
    assert len(said) == 2 and all(a.get("aria-live") == "polite" for a in said)
    assert said[0].get("data-chosen") == "已选分类：" and said[0].get("data-cleared") == "已清除分类"


def test_clear_is_a_button_that_says_what_it_clears_and_the_hint_agrees(client: Client, hotline: Any) -> None:
    """Before: the hint said Enter submits, and Enter on 清除 silently cleared the category."""
    text = page(login(client, hotline.city.olivia).get(CONSOLE))
    html = Tags(text)
    clears = [a for t, a in html.tags if t == "button" and "picker-clear" in a.get("class", "")]
    assert [a.get("aria-label") for a in clears] == ["清除已选分类", "清除已选楼栋"]
    assert all(a.get("type") == "button" for a in clears)
    hint = text[text.index('id="console-keys"') :].split("</p>")[0]
    assert "<kbd>Enter</kbd> 只按下该按钮" in hint and "不提交" in hint


# --- action forms on the request page ----------------------------------------------------


def test_a_refused_reply_form_comes_back_with_its_field_marked(client: Client, hotline: Any) -> None:
    r = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    r = services.request_sign(actor=hotline.hank, request=r)
    login(client, hotline.hank)
    response = client.post(
        f"/requests/{r.pk}/act/reply/", {"version": r.version, "reply": " "}, headers={"HX-Request": "true"}
    )
    text = page(response)
    html = Tags(text)
    reply = html.by_id(f"a{r.pk}_reply")
    assert reply.get("aria-invalid") == "true" and html.described(reply) == [f"a{r.pk}_reply_error"]
    assert "请填写办理情况" in text[text.index(f'id="a{r.pk}_reply_error"') :].split("</p>")[0]
    summary = text[text.index('class="form-errors"') :].split("</div>")[0]
    assert 'role="alert"' in summary and '<span class="error-field">办理情况（答复内容）</span>' in summary
    assert html.label_for(f"a{r.pk}_attachments") == "附件"


def test_the_action_forms_focus_the_swapped_in_form() -> None:
    """The htmx:afterSwap handler took e.detail.target, the form an outerHTML swap had just
    removed, so a refused 确认答复 left the focus on <body>; it takes e.target, the new form."""
    from pathlib import Path

    js = (Path(__file__).resolve().parents[2] / "static" / "civicgrid" / "requests.js").read_text()
    handler = js[js.index('addEventListener("htmx:afterSwap"') :].split("});")[0]
    assert "e.detail.target" not in handler and "e.target" in handler and "isConnected" in handler
    assert "[aria-invalid=true]" in handler


# --- every page: the skip link; the import progress -------------------------------------


def test_the_first_thing_tab_reaches_is_the_skip_link(client: Client, hotline: Any) -> None:
    html = Tags(page(login(client, hotline.city.olivia).get(CONSOLE)))
    focusable = [
        (t, a)
        for t, a in html.tags
        if t in ("a", "button", "input", "select", "textarea") and a.get("tabindex") != "-1"
    ]
    tag, attrs = focusable[0]
    assert tag == "a" and attrs.get("href") == "#main" and attrs.get("class") == "skip-link"
    assert [t for t, a in html.tags if a.get("id") == "main"] == ["main"]
    text = page(client.get(CONSOLE))
    assert ">跳到主要内容</a>" in text


def test_the_import_progress_is_a_live_region_that_stays(client: Client, city: Any) -> None:
    """Before: the card polled and replaced itself whole, with no role or aria-live, so
    已完成 / 未导入 was never said."""
    client.force_login(city.bob)
    upload = SimpleUploadedFile(
        "r.csv", csv_bytes([RESIDENT_HEADER, ["X", "张伟", "", "", "", "", "", "", "", ""]])
    )
    job = exchange_services.import_job_create(actor=city.bob, kind="residents", upload=upload)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.VALIDATING, total_rows=10, processed_rows=4
    )
    for url in (f"/exchange/imports/{job.pk}/", f"/exchange/imports/{job.pk}/progress/"):
        html = Tags(page(client.get(url)))
        card = html.by_id("import-progress")
        assert card.get("role") == "status" and card.get("aria-live") == "polite"
        assert "hx-get" not in card  # the region is never swapped out; only its body is
        body = html.by_id("import-progress-body")
        assert body.get("hx-trigger") == "every 1s" and body.get("hx-select") == "#import-progress-body"
        assert body.get("hx-target") == "#import-progress" and body.get("hx-swap") == "innerHTML"
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.DONE)
    text = page(client.get(f"/exchange/imports/{job.pk}/progress/"))
    html = Tags(text)
    assert html.by_id("import-progress").get("role") == "status"
    assert "hx-get" not in html.by_id("import-progress-body") and "已完成" in text
