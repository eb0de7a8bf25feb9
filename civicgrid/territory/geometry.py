"""GeoJSON checks and coordinate conversion (WGS-84 ↔ GCJ-02) without GDAL."""

import math
import re
from typing import Any

import numpy as np
import shapely
from django.utils.translation import gettext
from shapely.errors import GEOSException
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points

from civicgrid.core.errors import ValidationError

# GCJ-02 ("Mars coordinates") offset, the published algorithm (Krasovsky 1940 ellipsoid).
_A = 6378245.0
_EE = 0.00669342162296594323

# Stored polygons: coordinates rounded to 7 decimals (about 1 cm); smaller is no boundary.
STORED_DECIMALS = 7
MIN_AREA_M2 = 1.0


def _out_of_china(lon: float, lat: float) -> bool:
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


# The formulas take ``m``, the module whose sin/sqrt/cos they use: ``math`` for one point,
# ``numpy`` for every vertex of a polygon at once (the same arithmetic, one definition).
def _transform_lat(x: Any, y: Any, m: Any = math) -> Any:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * m.sqrt(abs(x))
    ret += (20.0 * m.sin(6.0 * x * math.pi) + 20.0 * m.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * m.sin(y * math.pi) + 40.0 * m.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * m.sin(y / 12.0 * math.pi) + 320 * m.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x: Any, y: Any, m: Any = math) -> Any:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * m.sqrt(abs(x))
    ret += (20.0 * m.sin(6.0 * x * math.pi) + 20.0 * m.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * m.sin(x * math.pi) + 40.0 * m.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * m.sin(x / 12.0 * math.pi) + 300.0 * m.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def _gcj02_offset(lon: Any, lat: Any, m: Any = math) -> tuple[Any, Any]:
    """(dlon, dlat) that GCJ-02 adds to a WGS-84 point inside China."""
    dlat = _transform_lat(lon - 105.0, lat - 35.0, m)
    dlon = _transform_lon(lon - 105.0, lat - 35.0, m)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * m.sin(radlat) ** 2
    sqrtmagic = m.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * m.cos(radlat) * math.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    if _out_of_china(lon, lat):
        return lon, lat
    dlon, dlat = _gcj02_offset(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """Inverse by fixed-point iteration; error well under a centimetre after a few rounds."""
    if _out_of_china(lon, lat):
        return lon, lat
    wlon, wlat = lon, lat
    for _ in range(6):
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        wlon, wlat = wlon - (glon - lon), wlat - (glat - lat)
    return wlon, wlat


def _in_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return (lon >= 72.004) & (lon <= 137.8347) & (lat >= 0.8293) & (lat <= 55.8271)


def gcj02_to_wgs84_xy(coords: np.ndarray) -> np.ndarray:
    """``gcj02_to_wgs84`` for an (n, 2) array of lon/lat at once (the same steps, numpy)."""
    lon, lat = coords[:, 0].astype(float), coords[:, 1].astype(float)
    inside = _in_china(lon, lat)
    wlon, wlat = lon.copy(), lat.copy()
    for _ in range(6):
        dlon, dlat = _gcj02_offset(wlon, wlat, np)
        moved = _in_china(wlon, wlat)
        glon, glat = np.where(moved, wlon + dlon, wlon), np.where(moved, wlat + dlat, wlat)
        wlon, wlat = wlon - (glon - lon), wlat - (glat - lat)
    return np.column_stack((np.where(inside, wlon, lon), np.where(inside, wlat, lat)))


def gcj02_to_wgs84_geometry(geom: BaseGeometry) -> BaseGeometry:
    """The geometry with every vertex moved from GCJ-02 to WGS-84 (2D)."""
    return shapely.transform(geom, gcj02_to_wgs84_xy)


def to_wgs84(lon: float, lat: float, crs: str) -> tuple[float, float]:
    if crs == CRS_WGS84:
        return lon, lat
    if crs == CRS_GCJ02:
        return gcj02_to_wgs84(lon, lat)
    raise ValidationError(gettext("坐标系只能是 wgs84 或 gcj02"), field="crs")


# --- declared coordinate systems (GeoJSON files from map services) ---------------------

CRS_WGS84, CRS_GCJ02, CRS_BD09, CRS_PROJECTED = "wgs84", "gcj02", "bd09", "projected"
# Where files put it: the "crs" member (GeoJSON 2008, any object), or a property.
CRS_PROPERTY_KEYS = (
    "coordinate_system",
    "coordinateSystem",
    "coord_system",
    "coord_sys",
    "crs",
    "srs",
    "坐标系",  # i18n: data (a property name in map services' files)
)
# Earliest match wins: "GCJ-02 (not WGS84)" is GCJ-02.
_CRS_PATTERNS = (
    (CRS_GCJ02, re.compile(r"gcj|火星|mars|国测局")),
    (CRS_BD09, re.compile(r"bd[\s_-]*09|baidu|百度")),
    (CRS_WGS84, re.compile(r"wgs[\s_-]*84|crs:?84|4326|cgcs[\s_-]*2000|4490|国家2000")),
    (CRS_PROJECTED, re.compile(r"3857|900913|mercator|墨卡托")),
)


def _crs_text(value: Any) -> str:
    if isinstance(value, bool):
        return ""
    if isinstance(value, int):
        return f"EPSG:{value}"
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        props = value.get("properties")
        for source in (props if isinstance(props, dict) else {}, value):
            for key in ("name", "code", "href"):
                if text := _crs_text(source.get(key)):
                    return text
    return ""


def declared_crs(*objects: Any) -> str:
    """The coordinate system the first of ``objects`` that declares one declares, as written.

    Pass a feature before its collection. "" when none declares one.
    """
    for obj in objects:
        if not isinstance(obj, dict):
            continue
        if text := _crs_text(obj.get("crs")):
            return text
        props = obj.get("properties")
        if isinstance(props, dict):
            for key in CRS_PROPERTY_KEYS:
                if text := _crs_text(props.get(key)):
                    return text
    return ""


def crs_kind(text: str) -> str:
    """CRS_WGS84, CRS_GCJ02, CRS_BD09 or CRS_PROJECTED for a declaration; "" if unknown."""
    lowered = text.lower()
    found = [(match.start(), kind) for kind, pattern in _CRS_PATTERNS if (match := pattern.search(lowered))]
    return min(found)[1] if found else ""


def crs_problem(text: str) -> str:
    """Why a declared coordinate system cannot be imported ("" when it can: WGS-84 or GCJ-02)."""
    kind = crs_kind(text) if text else CRS_WGS84
    if kind in (CRS_WGS84, CRS_GCJ02):
        return ""
    if kind == CRS_BD09:
        return gettext("不支持百度坐标（{text}），请转换为 WGS-84 或 GCJ-02 后再导入").format(text=text)
    if kind == CRS_PROJECTED:
        return gettext("坐标系 {text} 是以米为单位的投影坐标，请使用 WGS-84 经纬度").format(text=text)
    return gettext("无法识别声明的坐标系“{text}”：请使用 WGS-84 经纬度，GCJ-02 坐标请声明为 GCJ-02").format(
        text=text
    )


def check_lon_lat(lon: float | None, lat: float | None) -> None:
    errors: dict[str, list[str]] = {}
    if lon is not None and not -180 <= lon <= 180:
        errors["lon"] = [gettext("经度应在 -180 到 180 之间")]
    if lat is not None and not -90 <= lat <= 90:
        errors["lat"] = [gettext("纬度应在 -90 到 90 之间")]
    if (lon is None) != (lat is None):
        errors["lon" if lon is None else "lat"] = [gettext("经度和纬度需同时填写")]
    if errors:
        raise ValidationError(errors=errors)


def _position_problem(position: Any) -> str:
    """Why one GeoJSON position is not [经度, 纬度] (or [经度, 纬度, 高程]) of finite numbers."""
    if not isinstance(position, (list, tuple)) or not 2 <= len(position) <= 3:
        return gettext("每个坐标应为 [经度, 纬度] 数组")
    if any(isinstance(v, (list, tuple, dict)) for v in position):
        return gettext("每个坐标应为 [经度, 纬度] 数组，不能再嵌套数组")
    if any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in position):
        return gettext("坐标应为数字（经度、纬度），不能是文字或其他值")
    if not all(math.isfinite(v) for v in position):
        return gettext("坐标应为有限的数字，不能是 NaN 或无穷大")
    return ""


def _coordinates_problem(kind: str, coordinates: Any) -> str:
    """Why the ``coordinates`` of a Polygon or MultiPolygon are not usable ("" when they are).

    Checked level by level (no recursion, whatever the nesting), so the message says in
    Chinese what is wrong instead of the parser's internals.
    """
    polygons = coordinates if kind == "MultiPolygon" else [coordinates]
    if not isinstance(polygons, (list, tuple)):
        return gettext("MultiPolygon 的坐标应为多边形的数组")
    for polygon in polygons:
        if not isinstance(polygon, (list, tuple)):
            return gettext("多边形的坐标应为环的数组，每个环是 [经度, 纬度] 坐标的数组")
        for ring in polygon:
            if not isinstance(ring, (list, tuple)) or not all(isinstance(p, (list, tuple)) for p in ring):
                return gettext("多边形的每个环应为 [经度, 纬度] 坐标的数组")
            for position in ring:
                if problem := _position_problem(position):
                    return problem
    return ""


def _polygon_shape(geojson: Any, field: str) -> BaseGeometry:
    """The shapely shape of a GeoJSON Polygon or MultiPolygon (may be empty), else ValidationError."""
    if not isinstance(geojson, dict) or geojson.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValidationError(gettext("范围必须是 GeoJSON 的 Polygon 或 MultiPolygon"), field=field)
    if "coordinates" not in geojson:
        raise ValidationError(gettext("范围缺少坐标（coordinates）"), field=field)
    if problem := _coordinates_problem(geojson["type"], geojson["coordinates"]):
        raise ValidationError(gettext("范围坐标有误：{problem}").format(problem=problem), field=field)
    try:
        return shape(geojson)
    except (KeyError, ValueError, TypeError, IndexError, AttributeError, GEOSException) as exc:
        # What is left: a ring of too few points, or one that does not close.
        raise ValidationError(
            gettext("范围坐标无法组成多边形：每个环至少4个坐标，且首尾坐标相同"), field=field
        ) from exc


# GEOS's reason for an invalid geometry: "Self-intersection[120.2956486 31.5835403]".
_GEOS_REASON = re.compile(r"^\s*(?P<text>[^\[]*?)\s*(?:\[(?P<point>[^\]]*)\])?\s*$")
# Decimals of the place in a message: 6 is about 10 cm, enough to find the vertex on a map.
REASON_DECIMALS = 6


def _reasons() -> dict[str, tuple[str, str]]:
    """GEOS's reason (lower case) → (what is wrong, what to do), in Chinese."""
    return {
        "self-intersection": (
            gettext("边界线自相交"),
            gettext("请调整该处附近的顶点，使边界线互不交叉"),
        ),
        "ring self-intersection": (
            gettext("边界环在一点与自身相接"),
            gettext("请调整该处的顶点，使边界环不与自身接触；两块只在一点相接的区域请分成两个多边形"),
        ),
        "hole lies outside shell": (
            gettext("内环（洞）位于外边界之外"),
            gettext("请把该内环移到外边界以内，或删除该内环"),
        ),
        "holes are nested": (
            gettext("一个内环（洞）位于另一个内环之内"),
            gettext("请删除被套住的内环，或把两个内环合并为一个"),
        ),
        "interior is disconnected": (
            gettext("内环（洞）把多边形内部分隔成互不相连的几块"),
            gettext("请调整内环，使其不把范围分隔开；确需分开的请改为多个多边形"),
        ),
        "nested shells": (
            gettext("多个多边形中有一个位于另一个之内"),
            gettext("请合并这两个多边形，或把里面的一个改为外面那个的内环（洞）"),
        ),
        "duplicate rings": (
            gettext("有重复的边界环"),
            gettext("请删除重复的多边形或环"),
        ),
        "too few points in geometry component": (
            gettext("有的环不同的坐标点少于3个"),
            gettext("每个环至少需要3个不同的点（首尾坐标相同，共至少4个坐标）"),
        ),
        "invalid coordinate": (
            gettext("坐标不是有效的数值"),
            gettext("请检查该处的经纬度"),
        ),
        "ring is not closed": (
            gettext("边界环首尾坐标不相同"),
            gettext("请让每个环的最后一个坐标与第一个坐标相同"),
        ),
        "repeated point": (
            gettext("有重复的坐标点"),
            gettext("请删除重复的顶点"),
        ),
    }


def _degrees(value: float) -> str:
    text = f"{round(value, REASON_DECIMALS):.{REASON_DECIMALS}f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def invalid_reason(reason: str | None) -> tuple[str, str, str]:
    """(what is wrong, where, what to do) in Chinese for GEOS's ``is_valid_reason``.

    ``where`` is "（经度 X，纬度 Y）" or "" when GEOS names no usable point; a reason this
    does not know reads 多边形无效, never GEOS's English."""
    match = _GEOS_REASON.match(reason or "")
    text = match["text"].lower() if match else ""
    aliases = {
        "ring not closed": "ring is not closed",
        "too few points": "too few points in geometry component",
    }
    known = _reasons().get(aliases.get(text, text))
    where = ""
    if match and match["point"]:
        try:
            lon, lat = (float(v) for v in match["point"].split()[:2])
        except ValueError:
            pass
        else:
            if math.isfinite(lon) and math.isfinite(lat):
                where = gettext("（经度 {lon}，纬度 {lat}）").format(lon=_degrees(lon), lat=_degrees(lat))
    if known is None:
        return (
            gettext("多边形无效"),
            where,
            gettext("请检查该处附近的坐标") if where else gettext("请检查坐标"),
        )
    return known[0], where, known[1]


def parse_polygon(geojson: Any, field: str = "geometry") -> BaseGeometry:
    """A valid Polygon or MultiPolygon from a GeoJSON geometry (or Feature), else ValidationError."""
    if isinstance(geojson, dict) and geojson.get("type") == "Feature":
        geojson = geojson.get("geometry")
    geom = _polygon_shape(geojson, field)
    if geom.is_empty:
        raise ValidationError(gettext("范围不能为空"), field=field)
    minx, miny, maxx, maxy = geom.bounds
    if not -180 <= minx <= maxx <= 180 or not -90 <= miny <= maxy <= 90:  # NaN fails too
        raise ValidationError(gettext("范围坐标超出经纬度范围（应为经度、纬度顺序）"), field=field)
    try:
        valid = geom.is_valid
        reason = "" if valid else shapely.is_valid_reason(geom)
    except GEOSException as exc:
        raise ValidationError(gettext("范围多边形无效，请检查坐标"), field=field) from exc
    if not valid:
        what, where, advice = invalid_reason(reason)
        raise ValidationError(
            gettext("范围无效：{what}{where}，{advice}").format(what=what, where=where, advice=advice),
            field=field,
        )
    return geom


def geometry_to_geojson(geom: BaseGeometry, precision: int = STORED_DECIMALS) -> dict[str, Any]:
    rounded = shapely.set_precision(geom, 10**-precision) if precision else geom
    return shapely.geometry.mapping(rounded)


def clean_polygon(
    geojson: Any, field: str = "geometry", crs: str = CRS_WGS84
) -> tuple[BaseGeometry, dict[str, Any]]:
    """The polygon as it will be stored (WGS-84, 7 decimals) and its GeoJSON, checked as stored.

    A GCJ-02 polygon (``crs``) is moved to WGS-84 first. Rounding can collapse a tiny or
    thin polygon to nothing, so the checks run on the rounded geometry (``stored_polygon``).
    """
    geom = parse_polygon(geojson, field=field)
    if crs == CRS_GCJ02:
        geom = gcj02_to_wgs84_geometry(geom)
    clean = geometry_to_geojson(geom)
    return stored_polygon(clean, field=field), clean


def stored_polygon(geojson: Any, field: str = "geometry") -> BaseGeometry:
    """The shape of a GeoJSON about to be stored, refused unless it is a usable boundary:
    a Polygon or MultiPolygon, not empty, valid, at least ``MIN_AREA_M2``."""
    geom = _polygon_shape(geojson, field)
    if geom.is_empty:
        raise ValidationError(
            gettext("范围过小或无效（按 {stored_decimals} 位小数取整后为空）").format(
                stored_decimals=STORED_DECIMALS
            ),
            field=field,
        )
    if not geom.is_valid:
        what, where, advice = invalid_reason(shapely.is_valid_reason(geom))
        raise ValidationError(
            gettext("范围按 {stored_decimals} 位小数取整后无效：{what}{where}，{advice}").format(
                stored_decimals=STORED_DECIMALS, what=what, where=where, advice=advice
            ),
            field=field,
        )
    area = area_m2(geom)
    if area < MIN_AREA_M2:
        raise ValidationError(
            gettext(
                "范围过小或无效（按 {stored_decimals} 位小数取整后面积约 {area:.2g} "
                "平方米，不足 {min_area_m2:g} 平方米）"
            ).format(stored_decimals=STORED_DECIMALS, area=area, min_area_m2=MIN_AREA_M2),
            field=field,
        )
    return geom


# --- metres ------------------------------------------------------------------------------

EARTH_RADIUS_M = 6371008.8
METRES_PER_DEGREE = EARTH_RADIUS_M * math.pi / 180.0


def _centre_lat(geom: BaseGeometry) -> float:
    _, miny, _, maxy = geom.bounds
    return (miny + maxy) / 2.0


def area_m2(geom: BaseGeometry) -> float:
    """Area in square metres (local equirectangular scale at the geometry's middle latitude)."""
    if geom.is_empty:
        return 0.0
    return float(geom.area) * METRES_PER_DEGREE**2 * math.cos(math.radians(_centre_lat(geom)))


def to_local_metres(geom: BaseGeometry, lon0: float, lat0: float) -> BaseGeometry:
    """The geometry in metres east and north of (lon0, lat0), equirectangular (fine over a city)."""
    scale = np.array([METRES_PER_DEGREE * math.cos(math.radians(lat0)), METRES_PER_DEGREE])
    origin = np.array([lon0, lat0])
    return shapely.transform(geom, lambda xy: (xy - origin) * scale)


def metres_apart(a: BaseGeometry, b: BaseGeometry) -> float:
    """Shortest distance in metres between two geometries (0 when they meet)."""
    if a.intersects(b):
        return 0.0
    pa, pb = nearest_points(a, b)
    return metres_between(pa.x, pa.y, pb.x, pb.y)


def metres_between(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Haversine distance on a 6,371 km sphere."""
    r = 6371008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(h))
