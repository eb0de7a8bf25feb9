"""Colours and tap targets of the request pages (a11y round): small text reaches 4.5:1
(WCAG 2.1 AA 1.4.3) against its background, and the resident's tap targets are 44px."""

import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "static" / "civicgrid"


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _rule(css: str, selector: str) -> str:
    # The rule of exactly this selector (not ``h2.section a.hint`` for ``.hint``).
    found = re.search(r"(?:^|[}\n])\s*" + re.escape(selector) + r" \{([^}]*)\}", css)
    assert found, selector
    return found.group(1)


def _prop(rule: str, name: str, variables: dict[str, str]) -> str:
    found = re.search(rf"(?:^|;)\s*{name}:\s*([^;]+)", rule)
    assert found, name
    value = found.group(1).strip()
    var = re.fullmatch(r"var\((--[\w-]+)\)", value)
    return variables[var.group(1)] if var else value


def test_staff_badges_reach_4_5_to_1() -> None:
    css = (STATIC / "requests.css").read_text()
    assert _contrast("#ffffff", _prop(_rule(css, ".light-green"), "background", {})) >= 4.5
    closed = _rule(css, ".status-closed, .status-merged")
    assert _contrast(_prop(closed, "color", {}), _prop(closed, "background", {})) >= 4.5


def test_resident_hints_and_footer_reach_4_5_to_1_on_the_page_background() -> None:
    css = (STATIC / "h5.css").read_text()
    variables = dict(re.findall(r"(--[\w-]+):\s*(#[0-9a-fA-F]{6})", _rule(css, ":root")))
    background = variables["--bg"]
    for selector in (".hint", ".h5-foot"):
        colour = _prop(_rule(css, selector), "color", variables)
        assert _contrast(colour, background) >= 4.5, selector


def test_resident_tap_targets_are_44px() -> None:
    css = (STATIC / "h5.css").read_text()
    assert "min-height: 44px" in _rule(css, ".h5-foot a")
    assert "min-width: 44px" in _rule(css, ".h5-foot a")
    assert "min-height: 44px" in _rule(css, ".fld input[type=file]")
    pill = [r for r in re.findall(r"\.fld\.radio > div label \{([^}]*)\}", css) if "min-height" in r]
    assert pill and "min-height: 44px" in pill[0]
