"""``requests_import_history`` prints the service's timings as measured, under their keys.

Before, the command read ``seconds["validate"]`` while the service stored ``"check"``: it
printed 读取并校验 0.00 秒 and a 合计 of the writing alone (930 件/秒 for 265 real).
"""

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from civicgrid.requests.history_import.service import HistoryImportResult
from civicgrid.requests.management.commands import requests_import_history

pytestmark = pytest.mark.django_db


def test_the_printed_figures_are_the_measured_ones(
    city: Any, tmp_path: Path, monkeypatch: Any, capsys: Any
) -> None:
    measured = HistoryImportResult(
        file_name="h.csv",
        rows=1000,
        imported=1000,
        counts={"requests": 1000, "work_orders": 1000, "events": 3000, "ratings": 500},
        key="k1",
        # Reading and checking overlap the writing on PostgreSQL: the whole call took 4 s.
        seconds={"check": 2.5, "write:copy": 1.0, "write": 1.0, "import": 4.0},
    )
    monkeypatch.setattr(requests_import_history, "requests_history_import", lambda **kw: measured)
    path = tmp_path / "h.csv"
    path.write_bytes(b"x")

    call_command("requests_import_history", str(path), "--user", "sysadmin")

    out = capsys.readouterr().out
    assert "读取并校验 1,000 行：2.50 秒（400 行/秒）" in out
    assert "1.00 秒（1,000 件/秒）" in out
    assert "合计 4.00 秒，250 件/秒；导入批次 k1" in out


def test_the_total_takes_in_the_rollups_rebuilt(
    city: Any, tmp_path: Path, monkeypatch: Any, capsys: Any
) -> None:
    measured = HistoryImportResult(
        file_name="h.csv",
        rows=100,
        imported=100,
        counts={"requests": 100},
        key="k2",
        seconds={"check": 0.5, "write": 0.5, "import": 1.5, "rollup": 0.5},
    )
    monkeypatch.setattr(requests_import_history, "requests_history_import", lambda **kw: measured)
    path = tmp_path / "h.csv"
    path.write_bytes(b"x")

    call_command("requests_import_history", str(path), "--user", "sysadmin")

    assert "合计 2.00 秒，50 件/秒" in capsys.readouterr().out
