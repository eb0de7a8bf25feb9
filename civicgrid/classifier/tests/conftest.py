"""Fixtures of the classifier's tests: a small slice of the contest's messages, a model
trained on it once per module, a private model directory, and the requests hotline."""

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from civicgrid.classifier import engine
from civicgrid.classifier.selectors import active_model
from civicgrid.classifier.text import words
from civicgrid.requests.tests.conftest import Hotline, hotline  # noqa: F401 (fixture)

MESSAGES = Path(__file__).resolve().parents[4] / "shared" / "data" / "messages"
PER_CLASS = 25


def _slice(name: str, text_column: str, per_class: int, skip: int = 0) -> list[dict[str, str]]:
    taken: dict[str, int] = {}
    rows = []
    with (MESSAGES / name).open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            n = taken.get(row["level1"], 0)
            taken[row["level1"]] = n + 1
            if skip <= n < skip + per_class:
                rows.append({"text": row[text_column], "label": row["level1"]})
    return rows


@pytest.fixture(scope="session")
def raw_rows() -> list[dict[str, str]]:
    if not MESSAGES.is_dir():
        pytest.skip("shared/data/messages is not beside the checkout")
    return _slice("train_raw.csv", "text", PER_CLASS)


@pytest.fixture(scope="session")
def token_rows() -> list[dict[str, str]]:
    if not MESSAGES.is_dir():
        pytest.skip("shared/data/messages is not beside the checkout")
    return _slice("train_tokens.csv", "tokens", PER_CLASS)


@pytest.fixture(scope="session")
def held_out_rows() -> list[dict[str, str]]:
    """Raw messages not in ``raw_rows`` (the next few of each class)."""
    if not MESSAGES.is_dir():
        pytest.skip("shared/data/messages is not beside the checkout")
    return _slice("train_raw.csv", "text", 5, skip=PER_CLASS)


@pytest.fixture(scope="session")
def small_bundle(raw_rows: list[dict[str, str]], token_rows: list[dict[str, str]]) -> engine.Bundle:
    rows = raw_rows + token_rows
    docs = [words(r["text"]) for r in rows]
    return engine.train_bundle(
        docs, {"label": [r["label"] for r in rows]}, [str(i) for i in range(len(rows))]
    )


def write_csv(path: Path, rows: list[dict[str, str]], columns: tuple[str, ...] = ("text", "label")) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def model_dir(settings: Any, tmp_path: Path) -> Iterator[Path]:
    """Models go to a private DATA_DIR; the process's cached model is forgotten around the test."""
    settings.DATA_DIR = tmp_path
    active_model.forget()
    yield tmp_path / "classifier"
    active_model.forget()
