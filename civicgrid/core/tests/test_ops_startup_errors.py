"""Start-up errors in the environment name the variable and what is wrong with it, as a
missing PII key does: a secret file that cannot be read (every ``*_FILE`` read by
``envsecret``), and a ``DATABASE_URL`` dj-database-url cannot read — never a bare
``FileNotFoundError`` naming only the path, nor a traceback of dj-database-url, nor the
database password."""

import os
import subprocess
import sys
from pathlib import Path

import pytest


def start(code: str = "import civicgrid.settings", **env: str) -> subprocess.CompletedProcess[str]:
    """The settings read in a new interpreter, with the secrets of this one left out."""
    secrets = ("CIVICGRID_SECRET_KEY", "CIVICGRID_PII_KEY", "CIVICGRID_PII_HASH_KEY", "DATABASE_URL")
    kept = {k: v for k, v in os.environ.items() if k.removesuffix("_FILE") not in secrets}
    return subprocess.run(  # noqa: S603 (this interpreter, the tests' own code)
        [sys.executable, "-c", code],
        env={**kept, "CIVICGRID_TESTING": "1", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def last_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    return result.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize(
    "name", ["CIVICGRID_SECRET_KEY", "CIVICGRID_PII_KEY", "CIVICGRID_PII_HASH_KEY", "DATABASE_URL"]
)
def test_a_secret_file_that_is_not_there_names_its_variable(name: str) -> None:
    result = start(**{f"{name}_FILE": "/nonexist/x"})
    assert (
        last_line(result)
        == f"RuntimeError: {name}_FILE names /nonexist/x, which cannot be read: No such file or directory"
    )
    assert "FileNotFoundError" not in result.stderr


def test_a_secret_file_that_is_a_directory_empty_or_not_text_names_its_variable(tmp_path: Path) -> None:
    empty, binary = tmp_path / "empty", tmp_path / "binary"
    empty.write_text("\n")
    binary.write_bytes(b"\xff\xfe\x00key")
    assert "which cannot be read: Is a directory" in last_line(start(CIVICGRID_SECRET_KEY_FILE=str(tmp_path)))
    assert last_line(start(DATABASE_URL_FILE=str(empty))).endswith(
        f"DATABASE_URL_FILE names {empty}, which is empty"
    )
    assert last_line(start(CIVICGRID_EMAIL_PASSWORD_FILE=str(binary))) == (
        f"RuntimeError: CIVICGRID_EMAIL_PASSWORD_FILE names {binary}, which is not UTF-8 text"
    )


def test_a_readable_secret_file_is_used(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("a-secret-key-from-a-file\n")
    result = start(
        "import civicgrid.settings as s; print(s.SECRET_KEY)", CIVICGRID_SECRET_KEY_FILE=str(secret)
    )
    assert result.returncode == 0, result.stderr[-1000:]
    assert result.stdout.strip() == "a-secret-key-from-a-file"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("postgress://civicgrid:pa55word@db/civicgrid", "its scheme postgress:// is unknown"),
        ("postgres://civicgrid:pa55word@db:port/civicgrid", "it is not a valid URL"),
    ],
)
def test_a_database_url_that_cannot_be_read_names_the_variable(url: str, reason: str) -> None:
    result = start(DATABASE_URL=url)
    assert last_line(result).startswith(
        f"RuntimeError: DATABASE_URL (or DATABASE_URL_FILE) cannot be used: {reason}"
    )
    assert "UnknownSchemeError" not in result.stderr and "ParseError" not in result.stderr
    assert "pa55word" not in result.stderr
