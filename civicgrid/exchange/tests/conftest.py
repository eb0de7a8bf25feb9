"""Fixtures of the exchange tests: a private media folder, and uploads run through the task."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civicgrid.exchange import services
from civicgrid.exchange.models import ImportJob

RunImport = Callable[[Any, str, str, bytes], ImportJob]


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def run_import(django_capture_on_commit_callbacks: Any) -> RunImport:
    """Upload a file as ``actor``; the (immediate) task runs once the upload commits."""

    def run(actor: Any, kind: str, name: str, data: bytes) -> ImportJob:
        with django_capture_on_commit_callbacks(execute=True):
            job = services.import_job_create(actor=actor, kind=kind, upload=SimpleUploadedFile(name, data))
        job.refresh_from_db()
        return job

    return run
