"""The organisations page offers the audited phone reveal where the role may reveal."""

from django.test import Client

from civicgrid.core.models import AuditLog
from civicgrid.registry.constants import Verb
from civicgrid.registry.tests.factories import World


def test_a_community_worker_gets_a_reveal_button_on_the_organisations_page(
    world: World, client: Client
) -> None:
    client.force_login(world.city.bob)
    html = client.get("/registry/organisations/").content.decode()
    url = f"/registry/organisations/{world.organisation_a.pk}/reveal/"
    assert f'hx-post="{url}"' in html and f'hx-target="#org-{world.organisation_a.pk}"' in html
    shown = client.post(url).content.decode()
    assert "13700000001" in shown
    assert AuditLog.objects.filter(verb=Verb.ORGANISATION_PII_VIEWED, actor=world.city.bob).count() == 1


def test_a_leader_sees_no_reveal_button(world: World, client: Client) -> None:
    client.force_login(world.city.dave)
    html = client.get("/registry/organisations/").content.decode()
    assert world.organisation_a.contact_phone_masked in html
    assert "/reveal/" not in html
