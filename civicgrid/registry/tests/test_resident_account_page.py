"""开通居民账号 on the resident's page: the H5 pages say "居民账号由所在社区开通", and now the
community worker can. The first password meets the password rules and is changed at the
first sign-in; nothing is created on a refusal; another community's worker finds no resident."""

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.accounts.models import User
from civicgrid.core.models import AuditLog
from civicgrid.registry.constants import Verb
from civicgrid.registry.models import ResidentAccount
from civicgrid.registry.tests.factories import World

pytestmark = pytest.mark.django_db


def test_the_community_worker_opens_an_account_and_the_resident_changes_the_password(world: World) -> None:
    bob = Client()
    bob.force_login(world.city.bob)
    page = reverse("registry:resident", args=[world.resident_a.pk])
    assert reverse("registry:resident_account", args=[world.resident_a.pk]) in bob.get(page).content.decode()
    url = reverse("registry:resident_account", args=[world.resident_a.pk])

    weak = bob.post(url, {"username": "liushengli", "password": "abcdefgh"}, follow=True)
    assert "初始密码" in weak.content.decode() and "3 类" in weak.content.decode()
    assert not User.objects.filter(username="liushengli").exists()

    done = bob.post(url, {"username": "liushengli", "password": "Sheng-li2026"}, follow=True)
    assert "已开通居民账号 liushengli" in done.content.decode()
    account = ResidentAccount.objects.get(resident=world.resident_a)
    assert account.user.username == "liushengli" and account.user.must_change_password
    assert AuditLog.objects.filter(verb=Verb.RESIDENT_ACCOUNT_OPENED, actor=world.city.bob).count() == 1
    assert "liushengli" in bob.get(page).content.decode()
    again = bob.post(url, {"username": "liu2", "password": "Sheng-li2026"}, follow=True)
    assert "该居民已有账号" in again.content.decode() and not User.objects.filter(username="liu2").exists()

    resident = Client()
    assert resident.login(username="liushengli", password="Sheng-li2026")
    first = resident.get("/volunteers/h5/")
    assert first.status_code == 302 and reverse("web:password_change") in first["Location"]


def test_another_communitys_worker_cannot_open_one(world: World) -> None:
    carol = Client()
    carol.force_login(world.city.carol)
    url = reverse("registry:resident_account", args=[world.resident_a.pk])
    response = carol.post(url, {"username": "x-liu", "password": "Sheng-li2026"})
    assert response.status_code == 404
    assert not User.objects.filter(username="x-liu").exists()
