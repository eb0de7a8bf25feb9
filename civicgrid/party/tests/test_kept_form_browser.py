"""In Chromium: a form refused by ``views_forms.act`` opens again filled, its refused field
marked and focused (``core.kept_form``, ``static/civicgrid/kept-form.js``)."""

from typing import Any

from django.urls import reverse

from civicgrid.core.tests.browser import MARKS, signed_in_page
from civicgrid.party import services
from civicgrid.party.tests.conftest import PartyWorld

pytestmark = MARKS


def test_the_form_is_filled_again_and_the_refused_field_marked(
    pw: PartyWorld, browser: Any, live_server: Any
) -> None:
    c = pw.city
    alliance = services.alliance_create(actor=c.bob, node=c.comm_a1, name="胜利门红色联盟")
    page = signed_in_page(browser, live_server.url, "bob", sign_in_timeout=60_000, timeout=15_000)
    page.goto(f"{live_server.url}{reverse('party:alliance', args=[alliance.pk])}")
    page.select_option("#id_unit", str(pw.tax.pk))
    page.select_option("#id_role", "lead")
    # a day no date box can hold, as a phone's text box or another browser would send it
    page.eval_on_selector("#id_joined_on", "el => { el.type = 'text'; el.value = '2026-02-30'; }")
    page.click("button[name=action][value=join]")
    page.wait_for_selector(".messages .error")
    assert page.input_value("#id_unit") == str(pw.tax.pk)
    assert page.input_value("#id_role") == "lead"
    # (a date box cannot hold 2026-02-30 again: the field is marked and focused instead)
    assert page.get_attribute("#id_joined_on", "aria-invalid") == "true"
    assert page.evaluate("document.activeElement.id") == "id_joined_on"
    # kept once: a reload shows the page as it is
    page.reload()
    assert page.get_attribute("#id_joined_on", "aria-invalid") is None
    assert page.input_value("#id_role") == "member"
    page.context.close()
