"""The operator console's map (and the request page's, built by the same ``baseMap`` of
``requests.js``) shows the data's attribution without Leaflet's "Leaflet |" prefix, as the
phone pages do."""

from pathlib import Path

from django.conf import settings

SCRIPT = Path(settings.BASE_DIR) / "static" / "civicgrid" / "requests.js"


def _base_map() -> str:
    js = SCRIPT.read_text(encoding="utf-8")
    start = js.index("  function baseMap(")
    return js[start : js.index("\n  }\n", start)]


def test_the_console_map_drops_the_leaflet_prefix_and_keeps_the_data_attribution() -> None:
    body = _base_map()
    assert "attributionControl.setPrefix(false)" in body
    assert body.index("L.map(") < body.index("setPrefix(false)")
    # the tiles' own attribution (the map data's owner) stays
    assert "attribution: tiles.attribution" in body
