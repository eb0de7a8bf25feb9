"""An outside tester installing for real: the development key written in settings.py (and
any short or repetitive key) started production, accepted even by ``check --deploy``; a
missing PII key stopped the start without saying which one, nor that ``*_FILE`` works."""

import os
import subprocess
import sys

import pytest

PII = "YmVuY2gtaW50YWtlLXBpaS1rZXktMzItYnl0ZXMhISE="
PREFIXES = ("CIVICGRID_SECRET_KEY", "CIVICGRID_PII_", "CIVICGRID_DEBUG", "CIVICGRID_TESTING")
GOOD = "q7Vd2-hZx9LmPw4RtK0sYbN8cFjE1uGaT6oXiW3nQyM5vUeBrS_pJkHlDgCfAz"


def production(**env: str) -> subprocess.CompletedProcess[str]:
    """The settings read in a new interpreter as production reads them (no DEBUG, no tests)."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith(PREFIXES)}
    return subprocess.run(
        [sys.executable, "-c", "import civicgrid.settings"],
        env={**kept, "CIVICGRID_TESTING": "0", "CIVICGRID_DEBUG": "0", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def refusal(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    return result.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("civicgrid-development-only-secret-key-do-not-use-in-production", "the development key"),
        ("django-insecure-" + GOOD, "the development key"),
        ("short-but-varied-key-0123456789", "31 characters"),
        ("ab" * 40, "2 of them different"),
    ],
)
def test_a_weak_or_public_secret_key_stops_production(key: str, reason: str) -> None:
    line = refusal(production(CIVICGRID_SECRET_KEY=key, CIVICGRID_PII_KEY=PII, CIVICGRID_PII_HASH_KEY=PII))
    assert line.startswith("RuntimeError: CIVICGRID_SECRET_KEY cannot be used: ")
    assert reason in line and "secrets.token_urlsafe(50)" in line
    assert key not in line  # the key itself is never printed


def test_a_strong_key_starts_and_development_keeps_its_own() -> None:
    keys = {"CIVICGRID_PII_KEY": PII, "CIVICGRID_PII_HASH_KEY": PII}
    assert production(CIVICGRID_SECRET_KEY=GOOD, **keys).returncode == 0
    assert production(CIVICGRID_DEBUG="1").returncode == 0


@pytest.mark.parametrize("missing", ["CIVICGRID_PII_KEY", "CIVICGRID_PII_HASH_KEY"])
def test_a_missing_pii_key_is_named_with_its_file_form(missing: str) -> None:
    keys = {"CIVICGRID_PII_KEY": PII, "CIVICGRID_PII_HASH_KEY": PII}
    del keys[missing]
    line = refusal(production(CIVICGRID_SECRET_KEY=GOOD, **keys))
    assert line.startswith(f"RuntimeError: {missing} is not set: ")
    assert f"{missing}_FILE" in line
