"""Checking every row of a historical-requests file before anything is written.

Every problem is kept as (row, column header, Chinese reason) — the exchange module's
``RowError`` — and a row with any problem yields no ``Item``. References are loaded once
(handling units, catalogue leaves of every version, grid paths) or once per distinct
value (area codes), so a row costs dictionary lookups, a few comparisons and, when it
has a point, one locator lookup (in memory).
"""

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import itemgetter
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import scope_paths
from civicgrid.core.validators import fold, normalise_phone
from civicgrid.exchange.cells import masked_reason, phone_cell
from civicgrid.exchange.importers.base import RowError
from civicgrid.requests.constants import RATING_COMMENT_MAX, HandlingLevel, RequestType, Status, unit_level
from civicgrid.requests.history_import.cells import Choices, Clock, parse_float
from civicgrid.requests.history_import.columns import COLUMNS, HEADERS, Crs
from civicgrid.requests.history_import.reader import Sheet
from civicgrid.requests.models import CatalogueVersion, Category, HandlingUnit, Rating, Request
from civicgrid.requests.services.intake import CONTENT_MAX, TITLE_MAX
from civicgrid.territory.geometry import gcj02_to_wgs84
from civicgrid.territory.locator import locator
from civicgrid.territory.models import Node, NodeKind

MAX_ROWS = 500_000
NUMBER_MAX = 20
NUMBER_RE = re.compile(r"^[0-9A-Za-z_-]+$")
COMMENT_MAX = RATING_COMMENT_MAX  # the same 意见 as a rating given live
SQLITE_CHUNK = 500  # numbers per IN (...) query elsewhere than PostgreSQL
CHUNK_ROWS = 100_000  # valid rows checked against the database and written together


@dataclass(slots=True)
class RatingCells:
    contacted: bool
    resolution: str
    satisfaction: str
    rated: str  # database text of the rating time
    month: str  # YYYY-MM-01, the month the rating counts in
    comment: str
    via: str


@dataclass(slots=True)
class Item:
    """One valid row, ready to be written (times as database text, see ``cells.Clock``)."""

    row: int
    number: str
    external_id: str
    channel: str
    type: str
    urgency: str
    title: str
    content: str
    address: str
    lon: float | None
    lat: float | None
    node_id: int
    node_path: str
    name: str
    phone: str
    anonymous: bool
    confidential: bool
    category_id: int | None
    level: str
    unit_id: int | None
    received: str
    dispatched: str | None
    responded: str | None
    replied: str | None
    closed: str
    reply: str
    rating: RatingCells | None


@dataclass
class Chunk:
    """Up to ``CHUNK_ROWS`` valid rows in file order, the day counters they raise, and the
    well-formed numbers read since the chunk before (of rows with problems too: an existing
    number is reported on every row)."""

    items: list[Item]
    counters: dict[date, int]
    numbers: list[str]


@dataclass
class Batch:
    """What validation found: every problem, the rows skipped, and what the write must also touch."""

    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (row, number) already imported
    months: set[date] = field(default_factory=set)  # months whose rates the rows change
    paths: set[str] = field(default_factory=set)


class Scope:
    """Where the actor may import: REQUEST_CONFIGURE there, or both IMPORT and REQUEST_INTAKE."""

    def __init__(self, actor: Any) -> None:
        self.configure = scope_paths(actor, Capability.REQUEST_CONFIGURE)
        self.imports = scope_paths(actor, Capability.IMPORT)
        self.intake = scope_paths(actor, Capability.REQUEST_INTAKE)
        self._seen: dict[str, bool] = {}

    @property
    def anywhere(self) -> bool:
        return bool(self.configure) or (bool(self.imports) and bool(self.intake))

    def allows(self, path: str) -> bool:
        found = self._seen.get(path)
        if found is None:
            found = any(path.startswith(p) for p in self.configure) or (
                any(path.startswith(p) for p in self.imports) and any(path.startswith(p) for p in self.intake)
            )
            self._seen[path] = found
        return found


@dataclass(frozen=True, slots=True)
class UnitRef:
    id: int
    node_id: int
    node_path: str
    kind: str


class References:
    """Units, catalogue leaves per version, grid paths and area nodes, loaded once."""

    def __init__(self) -> None:
        self.units: dict[str, UnitRef] = {
            code: UnitRef(pk, node_id, path, kind)
            for pk, code, node_id, path, kind in HandlingUnit.objects.values_list(
                "id", "code", "node_id", "node_path", "kind"
            )
        }
        versions = list(
            CatalogueVersion.objects.order_by("created_at", "number").values_list(
                "id", "number", "created_at"
            )
        )
        zone = Clock().zone
        self.version_starts = [created.astimezone(zone).replace(tzinfo=None) for _, _, created in versions]
        self.version_ids = [pk for pk, _, _ in versions]
        self.version_numbers = {pk: number for pk, number, _ in versions}
        self.version_by_number = {number: pk for pk, number, _ in versions}
        self.leaves: dict[tuple[int, str], tuple[int, int]] = {
            (version_id, code): (pk, level)
            for pk, version_id, code, level in Category.objects.values_list(
                "id", "version_id", "code", "level"
            )
        }
        self.grid_paths: dict[int, str] = dict(
            Node.objects.filter(kind=NodeKind.GRID).values_list("id", "path")
        )
        self._areas: dict[str, tuple[int, str, bool] | None] = {}

    def version_at(self, moment: datetime) -> int | None:
        """The catalogue version in force at ``moment``: the last one published by then, else the first."""
        if not self.version_ids:
            return None
        index = bisect_right(self.version_starts, moment) - 1
        return self.version_ids[max(index, 0)]

    def area(self, code: str) -> tuple[int, str, bool] | None:
        if code not in self._areas:
            found = Node.objects.filter(code=code).values_list("id", "path", "is_active").first()
            self._areas[code] = found
        return self._areas[code]

    def grid_path(self, node_id: int) -> str:
        path = self.grid_paths.get(node_id)
        if path is None:  # a grid added since the references were loaded
            path = Node.objects.values_list("path", flat=True).get(pk=node_id)
            self.grid_paths[node_id] = path
        return path


class Validator:
    """``chunks(sheet)`` checks every row and yields the valid ones; ``finish()`` returns the
    ``Batch`` of what was found. Nothing is written."""

    def __init__(self, actor: Any, *, skip_existing: bool = False) -> None:
        self.scope = Scope(actor)
        self.skip_existing = skip_existing
        self.refs = References()
        self.clock = Clock()
        self.now = self.clock.now()
        self.batch = Batch()
        self.months: set[tuple[int, int]] = set()
        self.first_row: dict[str, int] = {}
        self.choices = {c.key: Choices(c) for c in COLUMNS if c.choices is not None}
        self.pick: Callable[[list[str]], tuple[str, ...]] = itemgetter(*range(len(COLUMNS)))
        self.days: dict[str, date | None] = {}  # "YYYYMMDD" of live-style numbers -> the day
        self.counters: dict[date, int] = {}  # the counters of the chunk being filled
        self.numbers: list[str] = []  # the numbers read since the last chunk

    # --- the whole file ---------------------------------------------------------------------

    def chunks(self, sheet: Sheet, size: int | None = None) -> Iterator[Chunk]:
        """The valid rows, ``size`` (``CHUNK_ROWS``) at a time, as they are read. Problems go
        to ``batch.errors`` as they are found; the numbers are not yet compared with the
        database (``check_taken``). A row the reader refused for a cell (a date outside the
        time columns: ``Sheet.refused``) is reported for those cells alone, as the exchange
        importers report it: what such a cell holds is no data to check."""
        batch = self.batch
        if sheet.problems:
            batch.errors.extend(
                RowError(sheet.header_row, column, reason) for column, reason in sheet.problems
            )
            return
        self.pick = itemgetter(*[sheet.positions.get(c.key, sheet.blank) for c in COLUMNS])
        size = size or CHUNK_ROWS
        items: list[Item] = []
        refused = sheet.refused  # filled as the rows are read; empty for a CSV
        for number, cells in sheet.rows:
            batch.rows += 1
            if batch.rows > MAX_ROWS:
                batch.errors.append(
                    RowError(
                        number, "", _("文件超过 {max_rows} 行，请拆分后分批导入").format(max_rows=MAX_ROWS)
                    )
                )
                break
            if refused and (cell_problems := refused.pop(number, None)):
                batch.errors.extend(RowError(number, HEADERS[key], reason) for key, reason in cell_problems)
                continue
            item = self.row(number, cells)
            if item is not None:
                items.append(item)
                if len(items) == size:
                    yield self._chunk(items)
                    items = []
        if not batch.rows and not batch.errors:
            batch.errors.append(RowError(sheet.header_row + 1, "", _("文件中没有数据行")))
        if items or self.numbers:
            yield self._chunk(items)

    def _chunk(self, items: list[Item]) -> Chunk:
        counters, self.counters = self.counters, {}
        numbers, self.numbers = self.numbers, []
        return Chunk(items, counters, numbers)

    def check_taken(self, chunk: Chunk) -> list[Item]:
        """The chunk's rows whose numbers are not in the database yet. Every number of the
        chunk found there is a problem, or a skipped row (``skip_existing``)."""
        items = chunk.items
        taken = set(existing_numbers(chunk.numbers))
        if not taken:
            return items
        batch = self.batch
        header = HEADERS["number"]
        if self.skip_existing:
            batch.skipped.extend((self.first_row[n], n) for n in taken)
        else:
            batch.errors.extend(
                RowError(
                    self.first_row[n], header, _("诉求编号 {number} 已存在（已导入过）").format(number=n)
                )
                for n in taken
            )
        return [item for item in items if item.number not in taken]

    def finish(self) -> Batch:
        """Once every chunk is through: the months the rows change, problems in file order."""
        batch = self.batch
        batch.months = {date(year, month, 1) for year, month in self.months}
        batch.skipped.sort()
        order = {c.header: i for i, c in enumerate(COLUMNS)}
        batch.errors.sort(key=lambda e: (e.row, order.get(e.column, -1)))
        return batch

    # --- one row ----------------------------------------------------------------------------

    def _time(
        self, problems: list[tuple[str, str]], key: str, raw: str, *, required: bool = False
    ) -> tuple[datetime, str] | None:
        if not raw:
            if required:
                problems.append((key, _("{column}不能为空").format(column=HEADERS[key])))
            return None
        parsed = self.clock.parse(raw)
        if parsed is None:
            problems.append((key, _("{column}格式不正确，应如 2025-03-01 08:15").format(column=HEADERS[key])))
        return parsed

    def _choice(self, problems: list[tuple[str, str]], key: str, raw: str, default: str = "") -> str:
        if not raw:
            return default
        choices = self.choices[key]
        value = choices.seen.get(raw) or choices(raw)
        if value is None:
            problems.append(
                (
                    key,
                    _("{column}取值无效，应为：{labels}").format(
                        column=HEADERS[key], labels=self.choices[key].labels
                    ),
                )
            )
            return default
        return value

    def row(self, n: int, cells: list[str]) -> Item | None:
        (number, external_id, received_raw, channel_raw, type_raw, urgency_raw, title, content, address,
         lon_raw, lat_raw, crs_raw, area_code, name, phone, anonymous_raw, confidential_raw, category_code,
         version_raw, unit_code, level_raw, status_raw, dispatched_raw, responded_raw, replied_raw,
         closed_raw, reply, contacted_raw, resolution_raw, satisfaction_raw, rated_raw, comment,
         via_raw) = map(str.strip, self.pick(cells))  # fmt: skip
        problems: list[tuple[str, str]] = []
        bad = problems.append

        # Number: present, well formed, once in the file (the database is asked at the end).
        if not number.isascii():  # full-width digits and letters, a stray invisible character
            number = fold(number)
        if not number:
            bad(("number", _("诉求编号不能为空")))
        elif len(number) > NUMBER_MAX or not NUMBER_RE.match(number):
            bad(
                (
                    "number",
                    _("诉求编号最长{number_max}个字符，只能含字母、数字、-、_").format(number_max=NUMBER_MAX),
                )
            )
        elif number in self.first_row:
            bad(("number", _("与第{row}行的诉求编号重复").format(row=self.first_row[number])))
        else:
            self.first_row[number] = n
            self.numbers.append(number)
        if len(external_id) > 64:
            bad(("external_id", _("原系统编号最长64个字符")))

        # What was asked.
        channel = self._choice(problems, "channel", channel_raw)
        kind = self._choice(problems, "type", type_raw)
        if not channel_raw:
            bad(("channel", _("渠道不能为空")))
        if not type_raw:
            bad(("type", _("诉求类型不能为空")))
        urgency = self._choice(problems, "urgency", urgency_raw, "normal")
        if not title:
            bad(("title", _("标题不能为空")))
        elif len(title) > TITLE_MAX:
            bad(("title", _("标题最长{title_max}个字").format(title_max=TITLE_MAX)))
        if not content:
            bad(("content", _("诉求内容不能为空")))
        elif len(content) > CONTENT_MAX:
            bad(("content", _("诉求内容最长{content_max}个字").format(content_max=CONTENT_MAX)))
        if len(address) > 255:
            bad(("address", _("地址最长255个字")))

        # Who asked (protected as intake protects it, in the writer).
        if len(name) > 50:
            bad(("requester_name", _("诉求人姓名最长50个字")))
        elif "*" in name:  # 张*丰, from a list that masked it
            bad(("requester_name", masked_reason(HEADERS["requester_name"])))
        if phone:  # stored in its canonical form, as the exchange imports store phones
            canonical = normalise_phone(phone)
            if canonical is None:
                bad(("requester_phone", phone_cell(phone, HEADERS["requester_phone"])[1] or ""))
            else:
                phone = canonical
        anonymous = self._choice(problems, "anonymous", anonymous_raw, "0") == "1"
        confidential = self._choice(problems, "confidential", confidential_raw, "0") == "1"

        # When: received ≤ dispatched ≤ signed ≤ replied ≤ closed ≤ now.
        received = self._time(problems, "received_at", received_raw, required=True)
        dispatched = self._time(problems, "dispatched_at", dispatched_raw)
        responded = self._time(problems, "responded_at", responded_raw)
        replied = self._time(problems, "replied_at", replied_raw)
        closed = self._time(problems, "closed_at", closed_raw, required=True)
        previous: tuple[str, datetime] | None = None
        for key, moment in (
            ("received_at", received),
            ("dispatched_at", dispatched),
            ("responded_at", responded),
            ("replied_at", replied),
            ("closed_at", closed),
        ):
            if moment is None:
                continue
            if previous is not None and moment[0] < previous[1]:
                bad(
                    (
                        key,
                        _("{column}不能早于{earlier}").format(
                            column=HEADERS[key], earlier=HEADERS[previous[0]]
                        ),
                    )
                )
            previous = (key, moment[0])
        if closed is not None and closed[0] > self.now:
            bad(("closed_at", _("办结时间不能晚于现在")))
        status = self._choice(problems, "status", status_raw)
        if status and status != Status.CLOSED:
            bad(("status", _("只能导入已办结的诉求")))

        # Who handled it, and in which catalogue.
        if unit_code and not unit_code.isascii():
            unit_code = fold(unit_code)
        unit = self.refs.units.get(unit_code) if unit_code else None
        if unit_code and unit is None:
            bad(("unit_code", _("承办单位编码 {unit_code} 不存在").format(unit_code=unit_code)))
        elif not unit_code and kind and kind != RequestType.CONSULTATION:
            bad(("unit_code", _("请填写承办单位编码（仅咨询类直接答复办结的可不填）")))
        level = self._choice(problems, "level", level_raw)
        if not level:
            level = unit_level(unit.kind) if unit else HandlingLevel.SUBDISTRICT
        if len(reply) > CONTENT_MAX:
            bad(("reply", _("办理结果最长{content_max}个字").format(content_max=CONTENT_MAX)))
        category_id = self._category(problems, category_code, version_raw, received)

        # Where: the grid at the point, else the named area, else the unit's area.
        lon, lat, node_id, node_path = self._place(
            problems, lon_raw, lat_raw, crs_raw, area_code, unit, bool(unit_code)
        )

        # The rating, if any: all three answers or none.
        rating = self._rating(
            problems,
            (contacted_raw, resolution_raw, satisfaction_raw, rated_raw, comment, via_raw),
            received,
            closed,
        )

        if problems:
            self.batch.errors.extend(RowError(n, HEADERS.get(key, key), reason) for key, reason in problems)
            return None
        assert received is not None and closed is not None and node_path
        self._note(number, received[0], closed[0], rating, node_path)
        return Item(
            n, number, external_id, channel, kind, urgency, title, content, address, lon, lat, node_id,
            node_path, name, phone, anonymous, confidential, category_id, level, unit.id if unit else None,
            received[1], _db(dispatched), _db(responded), _db(replied), closed[1], reply, rating,
        )  # fmt: skip

    def _category(
        self,
        problems: list[tuple[str, str]],
        code: str,
        version_raw: str,
        received: tuple[datetime, str] | None,
    ) -> int | None:
        if not code:
            if version_raw:
                problems.append(("catalogue_version", _("填写了目录版本，但没有分类编码")))
            return None
        if not code.isascii() or not version_raw.isascii():
            code, version_raw = fold(code), fold(version_raw)
        if len(code) % 2 and len(code) < 6 and code.isdecimal():
            # A number cell lost the leading zero (010101 read as 10101; as catalogue.rows):
            # the catalogue's codes are two digits a level, so an odd length lost one.
            code = code.zfill(len(code) + 1)
        refs = self.refs
        if version_raw:
            version_id = refs.version_by_number.get(int(version_raw)) if version_raw.isdecimal() else None
            if version_id is None:
                problems.append(
                    ("catalogue_version", _("目录版本 {version_raw} 不存在").format(version_raw=version_raw))
                )
                return None
        elif received is not None:
            version_id = refs.version_at(received[0])
        else:
            return None
        if version_id is None:
            problems.append(("category_code", _("系统中还没有派单目录，请先导入目录或留空分类编码")))
            return None
        found = refs.leaves.get((version_id, code))
        if found is None:
            number = refs.version_numbers[version_id]
            problems.append(
                (
                    "category_code",
                    _("分类编码 {code} 不在第{number}版派单目录中").format(code=code, number=number),
                )
            )
            return None
        if found[1] != 3:
            problems.append(("category_code", _("分类编码 {code} 不是三级分类").format(code=code)))
            return None
        return found[0]

    def _place(
        self,
        problems: list[tuple[str, str]],
        lon_raw: str,
        lat_raw: str,
        crs_raw: str,
        area_code: str,
        unit: UnitRef | None,
        unit_named: bool,
    ) -> tuple[float | None, float | None, int, str]:
        lon = lat = None
        if lon_raw or lat_raw:
            lon, lat = self._point(problems, lon_raw, lat_raw)
        crs = self._choice(problems, "crs", crs_raw, Crs.WGS84)
        node_id, path, key = 0, "", "area_code"
        if lon is not None and lat is not None:
            key = "lon"
            found = locator.locate(lon, lat, crs=crs)
            if found is None:
                problems.append(("lon", _("坐标不在任何网格内，也不在网格附近")))
            else:
                node_id = found.grid.id
                path = self.refs.grid_path(node_id)
                if crs == Crs.GCJ02:
                    lon, lat = gcj02_to_wgs84(lon, lat)
        elif area_code:
            if not area_code.isascii():
                area_code = fold(area_code)
            area = self.refs.area(area_code)
            if area is None:
                problems.append(("area_code", _("区域编码 {area_code} 不存在").format(area_code=area_code)))
            elif not area[2]:
                problems.append(("area_code", _("区域编码 {area_code} 已停用").format(area_code=area_code)))
            else:
                node_id, path = area[0], area[1]
        elif unit is not None:
            node_id, path, key = unit.node_id, unit.node_path, "unit_code"
        elif not unit_named:  # (an unknown unit code is reported as such)
            problems.append(("area_code", _("请填写经纬度或所属区域编码")))
        if path and not self.scope.allows(path):
            problems.append((key, _("该诉求所在区域不在您可导入的管辖范围内")))
        return lon, lat, node_id, path

    @staticmethod
    def _point(
        problems: list[tuple[str, str]], lon_raw: str, lat_raw: str
    ) -> tuple[float | None, float | None]:
        lon = parse_float(lon_raw) if lon_raw else None
        lat = parse_float(lat_raw) if lat_raw else None
        if lon_raw and lon is None:
            problems.append(("lon", _("经度应为数字")))
        elif lon is not None and not -180 <= lon <= 180:
            problems.append(("lon", _("经度应在 -180 到 180 之间")))
            lon = None
        if lat_raw and lat is None:
            problems.append(("lat", _("纬度应为数字")))
        elif lat is not None and not -90 <= lat <= 90:
            problems.append(("lat", _("纬度应在 -90 到 90 之间")))
            lat = None
        if not lon_raw or not lat_raw:
            problems.append(("lon" if not lon_raw else "lat", _("经度和纬度需同时填写")))
            return None, None
        return lon, lat

    def _rating(
        self,
        problems: list[tuple[str, str]],
        raw: tuple[str, str, str, str, str, str],
        received: tuple[datetime, str] | None,
        closed: tuple[datetime, str] | None,
    ) -> RatingCells | None:
        contacted_raw, resolution_raw, satisfaction_raw, rated_raw, comment, via_raw = raw
        answers = (contacted_raw, resolution_raw, satisfaction_raw)
        if not any(answers):
            if rated_raw or comment or via_raw:
                problems.append(("contacted", _("填写了评价时间、意见或方式，但没有填写三项评价")))
            return None
        for key, value in zip(("contacted", "resolution", "satisfaction"), answers, strict=True):
            if not value:
                problems.append((key, _("三项评价（是否联系、解决情况、满意度）须同时填写")))
        contacted = self._choice(problems, "contacted", contacted_raw)
        resolution = self._choice(problems, "resolution", resolution_raw)
        satisfaction = self._choice(problems, "satisfaction", satisfaction_raw)
        via = self._choice(problems, "rating_via", via_raw, Rating.Via.CALLBACK)
        if len(comment) > COMMENT_MAX:
            problems.append(
                ("rating_comment", _("评价意见最长{comment_max}个字").format(comment_max=COMMENT_MAX))
            )
        rated = self._time(problems, "rated_at", rated_raw) if rated_raw else closed
        if rated is None:
            return None
        if received is not None and rated[0] < received[0]:
            problems.append(("rated_at", _("评价时间不能早于受理时间")))
        if rated[0] > self.now:
            problems.append(("rated_at", _("评价时间不能晚于现在")))
        month = f"{rated[0].year:04d}-{rated[0].month:02d}-01"
        return RatingCells(contacted == "1", resolution, satisfaction, rated[1], month, comment, via)

    def _note(
        self, number: str, received: datetime, closed: datetime, rating: RatingCells | None, path: str
    ) -> None:
        """What a valid row adds to the write: counter days, months whose rates change, places."""
        batch = self.batch
        if len(number) == 15 and number[8] == "-" and number[9:].isdecimal():  # intake's YYYYMMDD-NNNNNN
            prefix, sequence = number[:8], int(number[9:])
            day = self.days.get(prefix, MISSING_DAY)
            if day is MISSING_DAY:
                day = self.days[prefix] = _day(prefix)
            if day is not None and self.counters.get(day, 0) < sequence:
                self.counters[day] = sequence
        months = self.months
        months.add((received.year, received.month))
        months.add((closed.year, closed.month))
        if rating is not None:
            months.add((int(rating.month[:4]), int(rating.month[5:7])))
        batch.paths.add(path)


MISSING_DAY = date.min


def _day(prefix: str) -> date | None:
    """The day of a number's ``YYYYMMDD`` (None when it is no date: intake never made such a number)."""
    if not prefix.isdecimal():
        return None
    try:
        return date(int(prefix[:4]), int(prefix[4:6]), int(prefix[6:8]))
    except ValueError:
        return None


def _db(moment: tuple[datetime, str] | None) -> str | None:
    return moment[1] if moment is not None else None


def existing_numbers(numbers: Iterable[str]) -> list[str]:
    """Which of ``numbers`` are already request numbers (one array query on PostgreSQL)."""
    wanted = list(numbers)
    if not wanted:
        return []
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Request._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT number FROM {table} WHERE number = ANY(%s)", [wanted])  # noqa: S608
            return [number for (number,) in cursor.fetchall()]
    found: list[str] = []
    for start in range(0, len(wanted), SQLITE_CHUNK):
        chunk = wanted[start : start + SQLITE_CHUNK]
        found.extend(Request.objects.filter(number__in=chunk).values_list("number", flat=True))
    return found


__all__ = ["Batch", "Chunk", "Item", "RatingCells", "Scope", "Validator", "existing_numbers"]
