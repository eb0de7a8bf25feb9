from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civicgrid.conftest import City
from civicgrid.exchange import services as exchange
from civicgrid.exchange.models import ImportJob
from civicgrid.registry.tests.factories import World, build_world

RunImport = Callable[[Any, str, str, bytes], ImportJob]


@pytest.fixture
def world(city: City) -> World:
    """The city with one of each scoped row in A1 and in B1 (see factories.py)."""
    return build_world(city)


@pytest.fixture
def run_import(settings: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any) -> RunImport:
    """Upload a file as ``actor`` (into a private media folder); the task runs on commit."""
    settings.MEDIA_ROOT = tmp_path / "media"

    def run(actor: Any, kind: str, name: str, data: bytes) -> ImportJob:
        with django_capture_on_commit_callbacks(execute=True):
            job = exchange.import_job_create(actor=actor, kind=kind, upload=SimpleUploadedFile(name, data))
        job.refresh_from_db()
        return job

    return run
