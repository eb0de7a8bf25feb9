"""The real places the demo city is built on: ten counties of the source texts.

Reads ``data/<code>_<pinyin>.csv`` and ``data/fences/<code>.geojson`` (Vonng/adcode,
CC BY 4.0; see ``data/SOURCES.md``) and converts their GCJ-02 coordinates to WGS-84.
"""

import csv
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from civicgrid.territory.geometry import gcj02_to_wgs84

DATA_DIR = Path(__file__).resolve().parent / "data"

# County code -> (file stem, prefecture name, telephone area code).
COUNTIES: dict[str, tuple[str, str, str]] = {
    "320213": ("320213_liangxi", "无锡市", "0510"),
    "220502": ("220502_dongchang", "通化市", "0435"),
    "440902": ("440902_maonan", "茂名市", "0668"),
    "440904": ("440904_dianbai", "茂名市", "0668"),
    "440983": ("440983_xinyi", "茂名市", "0668"),
    "440981": ("440981_gaozhou", "茂名市", "0668"),
    "440982": ("440982_huazhou", "茂名市", "0668"),
    "520328": ("520328_meitan", "遵义市", "0851"),
    "520329": ("520329_yuqing", "遵义市", "0851"),
    "520327": ("520327_fenggang", "遵义市", "0851"),
}
PREFECTURE_CODES = {"无锡市": "320200000000", "通化市": "220500000000", "茂名市": "440900000000"}

Point = tuple[float, float]


@dataclass
class Village:
    code: str
    name: str
    urban_rural: str
    point: Point | None

    @property
    def rural(self) -> bool:
        return self.urban_rural.startswith("2")


@dataclass
class Town:
    code: str
    name: str
    point: Point | None
    villages: list[Village] = field(default_factory=list)


@dataclass
class County:
    code: str  # 6 digits
    name: str
    prefecture: str
    phone_area: str
    point: Point | None
    fence: BaseGeometry  # WGS-84
    towns: list[Town] = field(default_factory=list)

    @property
    def full_code(self) -> str:
        return f"{self.code}000000"


TOWN_SUFFIXES = (("街道办事处", "街道"), ("街道办", "街道"), ("（特殊乡镇）", ""))
VILLAGE_SUFFIXES = (
    ("（特殊村委会）", ""),
    ("社区居民委员会", "社区"),
    ("社区居委会", "社区"),
    ("社区村委会", "社区"),
    ("居民委员会", "社区"),
    ("居委会", "社区"),
    ("村民委员会", "村"),
    ("村委会", "村"),
)


def short_name(name: str, suffixes: tuple[tuple[str, str], ...]) -> str:
    """The everyday form of an official name (东昌街道办事处 -> 东昌街道)."""
    for suffix, replacement in suffixes:
        if name.endswith(suffix):
            return name[: -len(suffix)] + replacement
    return name


def _wgs84(lon: str, lat: str) -> Point | None:
    if not lon or not lat:
        return None
    return gcj02_to_wgs84(float(lon), float(lat))


def _fence_wgs84(code: str) -> BaseGeometry:
    feature = json.loads((DATA_DIR / "fences" / f"{code}.geojson").read_text(encoding="utf-8"))
    gcj = shape(feature["geometry"])

    def convert(coords: np.ndarray) -> np.ndarray:
        return np.array([gcj02_to_wgs84(float(x), float(y)) for x, y in coords])

    fence = shapely.transform(gcj, convert)
    return fence if fence.is_valid else shapely.make_valid(fence)


def _read_rows(stem: str) -> list[dict[str, str]]:
    with (DATA_DIR / f"{stem}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@lru_cache(maxsize=16)
def load_county(code: str) -> County:
    """One county with its towns and villages in source order; virtual communities skipped."""
    stem, prefecture, phone_area = COUNTIES[code]
    rows = _read_rows(stem)
    head = rows[0]
    county = County(
        code=code,
        name=head["name"],
        prefecture=prefecture,
        phone_area=phone_area,
        point=_wgs84(head["longitude"], head["latitude"]),
        fence=_fence_wgs84(code),
    )
    towns: dict[str, Town] = {}
    for row in rows[1:]:
        point = _wgs84(row["longitude"], row["latitude"])
        if row["level"] == "town":
            towns[row["code"]] = Town(row["code"], short_name(row["name"], TOWN_SUFFIXES), point)
        elif row["level"] == "village" and "虚拟" not in row["name"]:
            name = short_name(row["name"], VILLAGE_SUFFIXES)
            towns[row["parent_code"]].villages.append(
                Village(row["code"], name, row["urban_rural_code"], point)
            )
    county.towns = [town for town in towns.values() if town.villages]
    return county
