"""A new process (a gunicorn worker, a command) does not load the heavy libraries that only
training, classifying or computing hot issues use: importing the URLconf leaves
scikit-learn, scipy, joblib, jieba and pypinyin unloaded (they took about 4 s of each start)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
LAZY = ("sklearn", "scipy", "joblib", "jieba", "pypinyin", "civicgrid.classifier.engine")

BOOT = """
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
import django
django.setup()
import civicgrid.urls
import civicgrid.classifier.selectors, civicgrid.classifier.services, civicgrid.governance.hot
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {roots} or m in {names})))
"""


def loaded_at_boot(tmp_path: Path) -> list[str]:
    roots = {name for name in LAZY if "." not in name}
    names = {name for name in LAZY if "." in name}
    result = subprocess.run(  # noqa: S603 (this interpreter, the tests' own code)
        [sys.executable, "-c", BOOT.format(roots=roots, names=names)],
        env={**os.environ, "CIVICGRID_TESTING": "1", "CIVICGRID_DATA_DIR": str(tmp_path)},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    loaded: list[str] = json.loads(result.stdout.strip().splitlines()[-1])
    return loaded


def test_importing_the_urls_loads_no_classifier_or_hot_issue_libraries(tmp_path: Path) -> None:
    assert loaded_at_boot(tmp_path) == []
