"""The periodic tick drops used one-time form tokens once they are old enough."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from civicgrid.core import once
from civicgrid.core.models import FormToken


@pytest.mark.django_db
def test_requests_tick_purges_old_form_tokens() -> None:
    FormToken.objects.create(token="a" * 32)
    FormToken.objects.create(token="b" * 32)
    FormToken.objects.filter(token="a" * 32).update(used_at=timezone.now() - once.KEEP - timedelta(minutes=1))
    call_command("requests_tick", "--no-send", stdout=StringIO())
    assert list(FormToken.objects.values_list("token", flat=True)) == ["b" * 32]
