"""A form refused by ``views_forms.act`` opens again filled as it was posted (``core.kept_form``)."""

import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.party import services
from civicgrid.party.models import AllianceMember
from civicgrid.party.tests.conftest import PartyWorld

KEPT = re.compile(r'<script id="kept-form" type="application/json">(.*?)</script>', re.S)


def kept(html: str) -> Any:
    found = KEPT.search(html)
    return json.loads(found.group(1)) if found else None


def _join(client: Client, alliance_pk: int, **fields: str) -> Any:
    return client.post(reverse("party:alliance_act", args=[alliance_pk]), {"action": "join", **fields})


@pytest.mark.django_db
def test_a_refused_form_is_kept_for_the_next_page_once(pw: PartyWorld) -> None:
    c = pw.city
    alliance = services.alliance_create(actor=c.bob, node=c.comm_a1, name="胜利门红色联盟")
    client = Client()
    client.force_login(c.bob)
    posted = _join(client, alliance.pk, unit=str(pw.tax.pk), role="member", joined_on="2026-02-30")
    assert posted.status_code == 302
    page = client.get(posted["Location"]).content.decode()
    assert "加入日期" in page and "2026-02-30" in page
    assert kept(page) == {
        "path": reverse("party:alliance_act", args=[alliance.pk]),
        "action": "join",
        "fields": {
            "action": ["join"],
            "unit": [str(pw.tax.pk)],
            "role": ["member"],
            "joined_on": ["2026-02-30"],
        },
        "refused": ["joined_on"],
    }
    assert 'src="/static/civicgrid/kept-form.js"' in page
    # kept once: a reload shows the page as it is
    assert kept(client.get(posted["Location"]).content.decode()) is None
    assert not AllianceMember.objects.filter(alliance=alliance).exists()


@pytest.mark.django_db
def test_what_is_never_kept(pw: PartyWorld) -> None:
    """The CSRF token, a one-time token and anything named password stay out; a form that
    went through keeps nothing."""
    c = pw.city
    alliance = services.alliance_create(actor=c.bob, node=c.comm_a1, name="胜利门红色联盟")
    client = Client(enforce_csrf_checks=False)
    client.force_login(c.bob)
    posted = _join(
        client,
        alliance.pk,
        joined_on="",
        csrfmiddlewaretoken="x" * 32,
        once_token="abc",
        new_password="秘密",
    )
    fields = kept(client.get(posted["Location"]).content.decode())["fields"]
    assert set(fields) == {"action", "joined_on"}
    ok = _join(client, alliance.pk, unit=str(pw.tax.pk), joined_on="2026-01-05")
    assert kept(client.get(ok["Location"]).content.decode()) is None
    assert AllianceMember.objects.filter(alliance=alliance, unit=pw.tax).exists()


@pytest.mark.django_db
def test_a_very_large_post_is_not_kept(pw: PartyWorld) -> None:
    c = pw.city
    alliance = services.alliance_create(actor=c.bob, node=c.comm_a1, name="胜利门红色联盟")
    client = Client()
    client.force_login(c.bob)
    posted = _join(client, alliance.pk, joined_on="2026-02-30", unit_code="码" * 60_000)
    assert kept(client.get(posted["Location"]).content.decode()) is None
