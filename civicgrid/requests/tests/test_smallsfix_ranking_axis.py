"""The ranking chart's score axis takes fewer ticks on a narrow screen: at 390 px the labels
85 and 87 ran together as "8587". Its step comes from the chart's width (``tickInterval``),
run here under Node where it is installed."""

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

TEMPLATE = Path(settings.BASE_DIR) / "requests" / "templates" / "requests" / "rates" / "ranking.html"
SOURCE = TEMPLATE.read_text(encoding="utf-8")
LABEL_PX = 36  # room one label takes ("100" and a gap)
LEFT_RIGHT = 160 + 30  # the chart's grid margins


def _ticks(axis_min: int, width: int) -> Any:
    node = shutil.which("node")
    if node is None:
        pytest.skip("没有 node，无法在 Node 中运行图表的函数")
    start = SOURCE.index("  function tickInterval(")
    body = SOURCE[start : SOURCE.index("\n  }\n", start) + 4]
    cases = json.dumps([axis_min, width])
    source = body + f"var c = {cases}; console.log(JSON.stringify(tickInterval(c[0], c[1])));"
    # the template's own function, run by the node found on PATH
    out = subprocess.run(  # noqa: S603
        [node, "-e", source], capture_output=True, text=True, check=True, timeout=30
    )
    step = json.loads(out.stdout)
    return list(range(axis_min, 101, step))


def test_the_axis_takes_its_step_from_the_charts_width() -> None:
    assert re.search(r"xAxis: \{[^}]*interval: tickInterval\(data\.axis_min, el\.clientWidth\)", SOURCE)


@pytest.mark.parametrize("axis_min", [0, 50, 80, 85, 90, 95])
@pytest.mark.parametrize("width", [320, 358, 390, 600, 1000])
def test_the_labels_never_run_together(axis_min: int, width: int) -> None:
    ticks = _ticks(axis_min, width)
    assert ticks[0] == axis_min and ticks[-1] == 100  # both ends, on round numbers
    if len(ticks) > 2:
        assert len(ticks) * LABEL_PX <= width - LEFT_RIGHT
    assert len(ticks) <= 6


def test_a_phone_gets_fewer_ticks_than_a_desk() -> None:
    phone, desk = _ticks(80, 358), _ticks(80, 1000)
    assert phone == [80, 90, 100] and desk == [80, 85, 90, 95, 100]
