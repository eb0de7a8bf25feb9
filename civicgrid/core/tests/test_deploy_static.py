"""Production static files: collectstatic with the manifest storage production uses.

bin/run and the tests serve static files without the manifest (DEBUG or TESTING), so a
vendored file that names a missing source map (leaflet.js → leaflet.js.map) only broke
``collectstatic`` on a real installation, and every page then answered 500.
"""

import json
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

MANIFEST_STORAGES = {
    **settings.STORAGES,
    # What production uses, less the compression (slow on ECharts, and not what fails).
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}


def test_collectstatic_with_the_manifest_storage_succeeds(tmp_path: Path) -> None:
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=MANIFEST_STORAGES):
        # (override_settings resets the storages and the finders on the way in and out.)
        call_command("collectstatic", interactive=False, verbosity=0, stdout=StringIO())
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    for name in ("vendor/leaflet/leaflet.js", "vendor/htmx.min.js", "vendor/echarts.min.js"):
        assert name in manifest, name
