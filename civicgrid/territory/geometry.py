"""GeoJSON checks and coordinate conversion (WGS-84 ↔ GCJ-02) without GDAL."""

import math
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from civicgrid.core.errors import ValidationError

# GCJ-02 ("Mars coordinates") offset, the published algorithm (Krasovsky 1940 ellipsoid).
_A = 6378245.0
_EE = 0.00669342162296594323


def _out_of_china(lon: float, lat: float) -> bool:
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    if _out_of_china(lon, lat):
        return lon, lat
    dlat = _transform_lat(lon - 105.0, lat - 35.0)
    dlon = _transform_lon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
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


def to_wgs84(lon: float, lat: float, crs: str) -> tuple[float, float]:
    if crs == "wgs84":
        return lon, lat
    if crs == "gcj02":
        return gcj02_to_wgs84(lon, lat)
    raise ValidationError("坐标系只能是 wgs84 或 gcj02", field="crs")


def check_lon_lat(lon: float | None, lat: float | None) -> None:
    errors: dict[str, list[str]] = {}
    if lon is not None and not -180 <= lon <= 180:
        errors["lon"] = ["经度应在 -180 到 180 之间"]
    if lat is not None and not -90 <= lat <= 90:
        errors["lat"] = ["纬度应在 -90 到 90 之间"]
    if (lon is None) != (lat is None):
        errors["lon" if lon is None else "lat"] = ["经度和纬度需同时填写"]
    if errors:
        raise ValidationError(errors=errors)


def parse_polygon(geojson: Any, field: str = "geometry") -> BaseGeometry:
    """A valid Polygon or MultiPolygon from a GeoJSON geometry (or Feature), else ValidationError."""
    if isinstance(geojson, dict) and geojson.get("type") == "Feature":
        geojson = geojson.get("geometry")
    if not isinstance(geojson, dict) or geojson.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValidationError("范围必须是 GeoJSON 的 Polygon 或 MultiPolygon", field=field)
    try:
        geom = shape(geojson)
    except (KeyError, ValueError, TypeError, IndexError, AttributeError) as exc:
        raise ValidationError(f"范围坐标无法解析：{exc}", field=field) from exc
    if geom.is_empty:
        raise ValidationError("范围不能为空", field=field)
    minx, miny, maxx, maxy = geom.bounds
    if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        raise ValidationError("范围坐标超出经纬度范围（应为经度、纬度顺序）", field=field)
    if not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        raise ValidationError(f"范围多边形无效（{reason}），请检查是否自相交", field=field)
    return geom


def geometry_to_geojson(geom: BaseGeometry, precision: int = 7) -> dict[str, Any]:
    rounded = shapely.set_precision(geom, 10**-precision) if precision else geom
    return shapely.geometry.mapping(rounded)


def metres_between(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Haversine distance on a 6,371 km sphere."""
    r = 6371008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(h))
