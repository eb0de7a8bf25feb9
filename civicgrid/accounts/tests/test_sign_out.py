"""The security administrator sees who is signed in and can sign an account out (强制下线)."""

import re
import time

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from civicgrid.accounts.constants import Verb
from civicgrid.conftest import City
from civicgrid.core.models import AuditLog
from civicgrid.web.idle import LAST_SEEN

pytestmark = pytest.mark.django_db

LIST = "/admin/accounts/user/"


def signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    assert client.get("/").status_code == 200
    return client


def column(html: str, username: str) -> str:
    row = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*?>{re.escape(username)}</a>(?:(?!</tr>).)*</tr>", html, re.S)
    assert row, username
    cell = re.search(r'<td class="field-signed_in">(\d+)</td>', row.group(0))
    assert cell, row.group(0)
    return cell.group(1)


def test_the_list_counts_live_sessions_and_the_action_ends_them(city: City) -> None:
    phone, desk = signed_in(city.bob), signed_in(city.bob)
    away = signed_in(city.carol)
    # carol's session has been idle past the limit: not counted as signed in
    for session in Session.objects.all():
        data = session.get_decoded()
        if str(data.get("_auth_user_id")) == str(city.carol.pk):
            data[LAST_SEEN] = int(time.time()) - 24 * 3600
            session.session_data = Session.objects.encode(data)
            session.save()
    admin = signed_in(city.secadmin)
    html = admin.get(LIST).content.decode()
    assert "在线会话" in html and "强制下线所选账号" in html
    assert column(html, "bob") == "2"
    assert column(html, "carol") == "0"
    assert column(html, "secadmin") == "1"

    answer = admin.post(
        LIST,
        {"action": "sign_out_selected", "_selected_action": [city.bob.pk, city.carol.pk, city.secadmin.pk]},
        follow=True,
    )
    assert "已强制下线 2 个账号；管理员账号和本人账号不在此下线，已跳过 1 个" in answer.content.decode()
    for client in (phone, desk, away):
        assert client.get("/").status_code == 302  # to the sign-in page
    assert admin.get(LIST).status_code == 200  # the administrator stays signed in
    rows = AuditLog.objects.filter(verb=Verb.SIGNED_OUT).order_by("target_id")
    assert [(r.target_id, r.after, r.actor_id) for r in rows] == [
        (str(city.bob.pk), {"sessions": 2}, city.secadmin.pk),
        (str(city.carol.pk), {"sessions": 1}, city.secadmin.pk),
    ]
    # nobody left to sign out: nothing more is written
    admin.post(LIST, {"action": "sign_out_selected", "_selected_action": [city.bob.pk]})
    assert AuditLog.objects.filter(verb=Verb.SIGNED_OUT).count() == 2


@pytest.mark.parametrize("who", ["bob", "sysadmin", "auditor"])
def test_nobody_else_signs_anyone_out(city: City, who: str) -> None:
    """The action is the security administrator's: a staff member or another administrator
    posting it ends no session and writes nothing."""
    victim = signed_in(city.carol)
    outsider = signed_in(getattr(city, who))
    answer = outsider.post(LIST, {"action": "sign_out_selected", "_selected_action": [city.carol.pk]})
    assert answer.status_code in (302, 403)
    assert victim.get("/").status_code == 200
    assert not AuditLog.objects.filter(verb=Verb.SIGNED_OUT).exists()
