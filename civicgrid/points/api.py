"""JSON endpoints of points under /api/v1/points/. The same services as the pages.

A signed-in resident (H5) uses ``/me...``, ``/shop`` and redeems or cancels for themself;
staff see and act within their scope (POINTS_MANAGE; approvals POINTS_APPROVE).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext, gettext_noop
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict, StrictInt, model_validator
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import require_any
from civicgrid.api_errors import ERRORS
from civicgrid.core.api_types import Integer
from civicgrid.core.errors import NotFound, PermissionDenied, ValidationError
from civicgrid.points import ledger, selectors, services
from civicgrid.points.checks import MAX_AMOUNT, MAX_QUANTITY, MAX_STOCK
from civicgrid.points.constants import Source
from civicgrid.points.ledger import Holder
from civicgrid.points.models import (
    Account,
    AccountKind,
    Adjustment,
    Goods,
    Movement,
    Redemption,
    RedemptionStatus,
    StockEntry,
)
from civicgrid.points.services import NOTE_MAX, TEAM_MAX
from civicgrid.points.shop import NOTE_LIMIT
from civicgrid.points.views.common import view_paths, view_q
from civicgrid.registry.models import Resident
from civicgrid.registry.selectors import organisations_visible, resident_for_user, residents_visible
from civicgrid.territory.selectors import node_get

router = Router(tags=["积分超市"])


# ------------------------------------------------------------------------------------ schemas


class BalanceOut(Schema):
    name: str
    balance: int
    hours: Decimal
    earned: int
    expiring_30d: int


class AccountOut(Schema):
    id: int
    kind: str
    name: str
    node_id: int
    balance: int
    hours: Decimal

    @staticmethod
    def resolve_name(obj: Account) -> str:
        return str(obj)


class PointsMovementOut(Schema):
    id: int
    kind: str
    amount: int
    signed: int = 0
    source: str
    source_ref: str
    node_id: int
    team: str
    activity_type: str
    hours: Decimal
    note: str
    created_at: datetime


class GoodsOut(Schema):
    id: int
    node_id: int
    name: str
    description: str
    price: int
    stock: int
    unit_label: str
    donor_id: int | None
    donor_name: str
    per_person_limit: int
    is_active: bool
    version: int

    @staticmethod
    def resolve_donor_name(obj: Goods) -> str:
        return obj.donor.name if obj.donor_id and obj.donor else ""


# Body fields: ``title`` is the field's name as the pages label it (gettext_noop: pydantic needs
# a str; a 422 translates it), ``description`` what to send, in one line; ranges from the checks.
def _limit(model: Any, field: str) -> int:
    """A text column's ``max_length``: the length the services check against."""
    return int(model._meta.get_field(field).max_length)


NAME_MAX, DESCRIPTION_MAX = _limit(Goods, "name"), _limit(Goods, "description")
UNIT_MAX, RESTOCK_NOTE_MAX = (
    _limit(Goods, "unit_label"),
    _limit(StockEntry, "ref"),
)  # the restock note is kept in ref


class GoodsIn(Schema):
    node_id: Integer = Field(
        ..., title=gettext_noop("社区"), description="上架到哪个社区的积分超市（社区的区域节点 ID）；必填"
    )
    name: str = Field(..., title=gettext_noop("商品名称"), description=f"商品名称，必填，最长{NAME_MAX}字")
    price: Integer = Field(
        ..., title=gettext_noop("所需积分"), description=f"兑换一件所需积分，必填，1到{MAX_AMOUNT}的整数"
    )
    stock: Integer = Field(
        0, title=gettext_noop("库存"), description=f"上架时的库存（首次入库），0到{MAX_STOCK}的整数；默认 0"
    )
    donor_id: Integer | None = Field(
        None,
        title=gettext_noop("捐赠单位"),
        description="捐赠商品的单位 ID（您可查看的单位）；可选，不填即无捐赠单位",
    )
    description: str = Field(
        "", title=gettext_noop("说明"), description=f"商品说明，最长{DESCRIPTION_MAX}字；可选"
    )
    unit_label: str = Field(
        "件",  # i18n: data (the default unit stored with the goods)
        title=gettext_noop("单位"),
        description=f"计量单位，如 件、瓶、袋，最长{UNIT_MAX}字；不填或空白为 件",
    )
    per_person_limit: Integer = Field(
        0,
        title=gettext_noop("每人限兑"),
        description=f"每人最多兑换几件，0到{MAX_STOCK}的整数；默认 0，即不限",
    )


class GoodsPatch(Schema):
    """Only the listing's own fields: a field it does not have (``stock``, a typo) is refused
    with 422 naming it, never ignored while the answer says 200."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(
        None, title=gettext_noop("商品名称"), description=f"商品名称，最长{NAME_MAX}字；不传则不改"
    )
    description: str | None = Field(
        None, title=gettext_noop("说明"), description=f"商品说明，最长{DESCRIPTION_MAX}字；不传则不改"
    )
    price: Integer | None = Field(
        None,
        title=gettext_noop("所需积分"),
        description=f"兑换一件所需积分，1到{MAX_AMOUNT}的整数；不传则不改",
    )
    unit_label: str | None = Field(
        None, title=gettext_noop("单位"), description=f"计量单位，最长{UNIT_MAX}字，空白为 件；不传则不改"
    )
    per_person_limit: Integer | None = Field(
        None,
        title=gettext_noop("每人限兑"),
        description=f"每人最多兑换几件，0到{MAX_STOCK}的整数，0 即不限；不传则不改",
    )
    is_active: bool | None = Field(
        None, title=gettext_noop("在售"), description="true 上架在售，false 下架；不传则不改"
    )
    expected_version: Integer | None = Field(
        None,
        title=gettext_noop("期望版本号"),
        description="读取商品时的 version；可选，他人已先保存则返回 409 且不做任何修改，不填则不检查",
    )

    @model_validator(mode="wrap")
    @classmethod
    def _stock_through_restock(cls, data: Any, handler: Any) -> Any:
        """``stock`` is no field of the listing: say where stock is changed (入库)."""
        try:
            return handler(data)
        except PydanticValidationError as exc:
            details: list[InitErrorDetails] = []
            for error in exc.errors():
                detail = InitErrorDetails(type=error["type"], loc=error["loc"], input=error.get("input"))
                if "ctx" in error:
                    detail["ctx"] = error["ctx"]
                if error["type"] == "extra_forbidden" and error["loc"][-1:] == ("stock",):
                    reason = gettext(
                        "库存不能在修改商品时更改，请通过入库（POST /api/v1/points/goods/{id}/restock）调整"
                    )
                    detail = InitErrorDetails(
                        type=PydanticCustomError("stock_not_editable", "{reason}", {"reason": reason}),
                        loc=error["loc"],
                        input=error.get("input"),
                    )
                details.append(detail)
            raise PydanticValidationError.from_exception_data(cls.__name__, details) from None


class RestockIn(Schema):
    quantity: Integer = Field(
        ...,
        title=gettext_noop("数量"),
        description=f"入库数量，必填，非零整数：正数入库，负数核减（不低于0），入库后库存不超过{MAX_STOCK}",
    )
    note: str = Field("", title=gettext_noop("备注"), description=f"入库备注，最长{RESTOCK_NOTE_MAX}字；可选")


class RedemptionOut(Schema):
    id: int
    goods_id: int
    goods_name: str
    account_id: int
    holder_name: str
    quantity: int
    points: int
    status: str
    code: str
    code_expires_at: datetime
    created_at: datetime
    closed_at: datetime | None

    @staticmethod
    def resolve_goods_name(obj: Redemption) -> str:
        return obj.goods.name

    @staticmethod
    def resolve_holder_name(obj: Redemption) -> str:
        return str(obj.account)


class RedeemIn(Schema):
    goods_id: Integer = Field(
        ..., title=gettext_noop("商品"), description="要兑换的商品 ID（GET /shop 或 GET /goods）；必填"
    )
    quantity: Integer = Field(
        1,
        title=gettext_noop("数量"),
        description=f"兑换数量，1到{MAX_QUANTITY}的整数，不超过库存和每人限兑；默认 1",
    )
    resident_id: Integer | None = Field(
        None,
        title=gettext_noop("居民"),
        description="工作人员为之兑换的居民 ID；与 organisation_id 二选一，居民本人兑换时两者都不填",
    )
    organisation_id: Integer | None = Field(
        None,
        title=gettext_noop("单位"),
        description="工作人员为之兑换的单位 ID；与 resident_id 二选一，居民本人兑换时两者都不填",
    )


class CodeIn(Schema):
    code: str = Field(
        ..., title=gettext_noop("取货码"), description="兑换时发放的8位取货码；必填，空格、短横线和大小写不计"
    )


class PointsReasonIn(Schema):
    reason: str = Field(
        "", title=gettext_noop("取消原因"), description=f"取消兑换的原因，最长{NOTE_LIMIT}字；可选"
    )


EARN_BATCH_MAX = 2000

EARN_AMOUNT = Field(
    ...,
    title=gettext_noop("积分"),
    description=f"发放的积分，必填，1到{MAX_AMOUNT}的整数；超过单次直接发放上限（默认200）须提交积分调整",
)
SOURCE_REF = Field(
    ...,
    title=gettext_noop("来源编号"),
    description="调用方自己的唯一编号，必填，最长96字符；同一编号重试不会重复发放",
)
EARN_RESIDENT = Field(
    None, title=gettext_noop("居民"), description="获得积分的居民 ID；与 organisation_id 二选一"
)
EARN_UNIT = Field(None, title=gettext_noop("单位"), description="获得积分的单位 ID；与 resident_id 二选一")
EARN_NOTE = Field("", title=gettext_noop("说明"), description=f"发放说明，最长{NOTE_MAX}字；可选")
EARN_TEAM = Field(
    "", title=gettext_noop("服务队"), description=f"计入哪个服务队（排行榜按队筛选），最长{TEAM_MAX}字；可选"
)


class EarnIn(Schema):
    amount: StrictInt = EARN_AMOUNT  # true/false are not amounts
    node_id: Integer = Field(
        ..., title=gettext_noop("发生区域"), description="积分发生的区域节点 ID（您管辖的社区或网格）；必填"
    )
    source_ref: str = SOURCE_REF
    resident_id: Integer | None = EARN_RESIDENT
    organisation_id: Integer | None = EARN_UNIT
    note: str = EARN_NOTE
    team: str = EARN_TEAM


class EarnLineIn(Schema):
    amount: StrictInt = EARN_AMOUNT
    source_ref: str = SOURCE_REF
    resident_id: Integer | None = EARN_RESIDENT
    organisation_id: Integer | None = EARN_UNIT
    note: str = EARN_NOTE
    team: str = EARN_TEAM


class EarnBatchIn(Schema):
    node_id: Integer = Field(
        ...,
        title=gettext_noop("发生区域"),
        description="整批积分发生的区域节点 ID（您管辖的社区或网格）；必填",
    )
    lines: list[EarnLineIn] = Field(
        ...,
        title=gettext_noop("发放明细"),
        description=f"每行一位居民或一个单位，必填，1到{EARN_BATCH_MAX}行，全部发放或全部不发放",
    )


class EarnBatchOut(Schema):
    count: int
    total: int
    skipped: int
    movement_ids: list[int]


class AdjustIn(Schema):
    account_id: Integer = Field(
        ..., title=gettext_noop("积分账户"), description="要调整的积分账户 ID（GET /accounts）；必填"
    )
    amount: Integer = Field(
        ...,
        title=gettext_noop("调整积分"),
        description=f"调整的积分，必填，非零整数：正数调增，负数调减（不超过当前余额），绝对值不超过{MAX_AMOUNT}",
    )
    reason: str = Field(..., title=gettext_noop("理由"), description=f"调整理由，必填，最长{NOTE_MAX}字")


class DecideIn(Schema):
    note: str = Field(
        "", title=gettext_noop("审批意见"), description=f"审批意见，最长{NOTE_MAX}字；批准时可选，驳回时必填"
    )


class AdjustmentOut(Schema):
    id: int
    account_id: int
    amount: int
    reason: str
    status: str
    requested_by_id: int
    requested_at: datetime
    decided_by_id: int | None
    decided_at: datetime | None
    decision_note: str
    movement_id: int | None


class LeaderOut(Schema):
    rank: int
    account_id: int
    kind: str
    name: str
    points: int
    hours: Decimal


class MovementPage(Schema):
    count: int
    results: list[PointsMovementOut]


# ------------------------------------------------------------------------------------ helpers


def _me(request: HttpRequest) -> Resident:
    resident = resident_for_user(request.user)
    if resident is None:
        raise PermissionDenied(gettext("请使用居民账号登录"))
    return resident


def _movement_rows(qs: Any, account: Account | None, limit: int, offset: int) -> dict[str, Any]:
    limit, offset = max(1, min(limit, 200)), max(0, offset)
    rows = list(qs[offset : offset + limit])
    for m in rows:
        setattr(m, "signed", selectors.signed_amount(m, account) if account else m.amount)  # noqa: B010
    return {"count": qs.count(), "results": rows}


def _one_holder(resident_id: int | None, organisation_id: int | None, field: str | None = None) -> None:
    """Exactly one of the two ids; else a refusal under ``field`` (a batch's line) or, for a
    body's own fields, under both ``resident_id`` and ``organisation_id``."""
    if bool(resident_id) == bool(organisation_id):
        message = gettext("请指定一位居民或一个单位")
        if field is not None:
            raise ValidationError(message, field=field)
        raise ValidationError(message, errors={"resident_id": [message], "organisation_id": [message]})


@contextmanager
def _request_fields(names: dict[str, str]) -> Iterator[None]:
    """A service's refusal keyed by the body's own field names: the services name the records
    they were given (``holder``, ``goods``), the body their ids (``resident_id``, ``goods_id``)."""
    try:
        yield
    except ValidationError as exc:
        if not any(name in exc.errors for name in names):
            raise
        renamed: dict[str, list[str]] = {}
        for name, reasons in exc.errors.items():
            renamed.setdefault(names.get(name, name), []).extend(reasons)
        raise ValidationError(exc.message, errors=renamed, code=exc.code) from exc


def _holder_fields(resident_id: int | None, organisation_id: int | None) -> dict[str, str]:
    """``holder`` as the body gave it: ``organisation_id`` when that was given, else ``resident_id``."""
    return {"holder": "organisation_id" if organisation_id and not resident_id else "resident_id"}


def _holder(request: HttpRequest, resident_id: int | None, organisation_id: int | None) -> Holder:
    _one_holder(resident_id, organisation_id)
    found: Holder | None
    if resident_id:
        found = residents_visible(request.user).filter(pk=resident_id).first()
    else:
        found = organisations_visible(request.user).filter(pk=organisation_id or 0).first()
    if found is None:
        raise NotFound(gettext("居民或单位不存在，或您无权查看"))
    return found


def _goods(request: HttpRequest, goods_id: int) -> Goods:
    return selectors.goods_get(request.user, goods_id)


def _redemption(request: HttpRequest, redemption_id: int) -> Redemption:
    own = resident_for_user(request.user)
    if own is not None:
        return selectors.redemption_of_resident(own, redemption_id)
    found = selectors.redemptions_visible(request.user).filter(pk=redemption_id).first()
    if found is None:
        raise NotFound(gettext("兑换记录不存在或您无权查看"))
    return found


def _fresh_redemption(pk: int) -> Redemption:
    return Redemption.objects.select_related("goods", "account__resident", "account__organisation").get(pk=pk)


# ------------------------------------------------------------------------------------ resident


@router.get(
    "/me",
    response={200: BalanceOut, **ERRORS},
    summary="我的积分（居民）",
    description="已登录居民的积分余额、时间银行时长、累计获得积分及 30 天内到期的积分；非居民账号返回 403。",
)
def my_balance(request: HttpRequest) -> Any:
    """My points (a signed-in resident)."""
    me = _me(request)
    soon, _ = selectors.expiring_soon(me)
    return {
        "name": me.name,
        "balance": selectors.balance(me),
        "hours": selectors.time_bank_hours(me),
        "earned": selectors.earned_total(me),
        "expiring_30d": soon,
    }


@router.get("/me/movements", response={200: MovementPage, **ERRORS}, summary="我的积分明细（居民）")
def my_movements(request: HttpRequest, limit: Integer = 50, offset: Integer = 0) -> Any:
    me = _me(request)
    return _movement_rows(selectors.movements(me), selectors.account_for(me), limit, offset)


@router.get(
    "/me/redemptions",
    response={200: list[RedemptionOut], **ERRORS},
    summary="我的兑换记录（居民）",
    description="最近的 100 条。",
)
def my_redemptions(request: HttpRequest) -> Any:
    return list(selectors.redemptions_of(_me(request))[:100])


@router.get(
    "/shop",
    response={200: list[GoodsOut], **ERRORS},
    summary="本社区积分超市在售商品（居民）",
    description="已登录居民所在社区积分超市在售的商品。",
)
def shop(request: HttpRequest) -> Any:
    """The goods on sale in my community's shop."""
    return list(selectors.goods_for_resident(_me(request)))


# ------------------------------------------------------------------------------------ redemptions


@router.post(
    "/redemptions",
    response={201: RedemptionOut, **ERRORS},
    summary="兑换商品",
    description="居民为自己兑换（不传 resident_id、organisation_id）；"
    "工作人员为辖区内的一位居民或一个单位兑换。",
)
def redeem(request: HttpRequest, payload: RedeemIn) -> Any:
    """Redeem: a resident for themself (no holder given), staff for a holder of their scope."""
    own = resident_for_user(request.user)
    if own is not None and not (payload.resident_id or payload.organisation_id):
        holder: Holder = own
        goods = selectors.goods_for_resident(own).filter(pk=payload.goods_id).first()
    else:
        holder = _holder(request, payload.resident_id, payload.organisation_id)
        goods = selectors.goods_visible(request.user).filter(pk=payload.goods_id).first()
    if goods is None:
        raise NotFound(gettext("商品不存在或已下架"))
    names = {**_holder_fields(payload.resident_id, payload.organisation_id), "goods": "goods_id"}
    with _request_fields(names):
        redemption = services.points_redeem(
            actor=request.user, holder=holder, goods=goods, quantity=payload.quantity
        )
    return Status(201, _fresh_redemption(redemption.pk))


@router.get("/redemptions", response={200: list[RedemptionOut], **ERRORS}, summary="兑换记录列表（工作人员）")
def redemption_list(request: HttpRequest, status: str = "", limit: Integer = 50, offset: Integer = 0) -> Any:
    require_any(request.user, Capability.POINTS_MANAGE)
    qs = selectors.redemptions_visible(request.user).order_by("-created_at", "-id")
    if status:
        if status not in RedemptionStatus.values:
            raise ValidationError(gettext("未知的兑换状态"), field="status")
        qs = qs.filter(status=status)
    limit, offset = max(1, min(limit, 200)), max(0, offset)
    return list(qs[offset : offset + limit])


@router.post(
    "/redemptions/hand-over",
    response={200: RedemptionOut, **ERRORS},
    summary="凭取货码交付商品",
    description="店员按取货码交付所兑换的商品；每个取货码只能交付一次。",
)
def hand_over(request: HttpRequest, payload: CodeIn) -> Any:
    """The shopkeeper hands over the goods of a pickup code (once only)."""
    done = services.redemption_hand_over(actor=request.user, code=payload.code)
    return _fresh_redemption(done.pk)


@router.post(
    "/redemptions/{int:redemption_id}/cancel", response={200: RedemptionOut, **ERRORS}, summary="取消兑换"
)
def cancel(request: HttpRequest, redemption_id: Integer, payload: PointsReasonIn) -> Any:
    redemption = _redemption(request, redemption_id)
    services.redemption_cancel(actor=request.user, redemption=redemption, reason=payload.reason)
    return _fresh_redemption(redemption.pk)


# ------------------------------------------------------------------------------------ goods


@router.get("/goods", response={200: list[GoodsOut], **ERRORS}, summary="商品列表（工作人员）")
def goods_list(request: HttpRequest, node_id: Integer | None = None, on_sale: bool = False) -> Any:
    require_any(request.user, Capability.POINTS_MANAGE)
    qs = selectors.goods_visible(request.user)
    if node_id:
        qs = qs.filter(node_path__startswith=node_get(request.user, node_id).path)
    if on_sale:
        qs = qs.filter(is_active=True)
    return list(qs[:500])


@router.post("/goods", response={201: GoodsOut, **ERRORS}, summary="上架商品")
def goods_create(request: HttpRequest, payload: GoodsIn) -> Any:
    node = node_get(request.user, payload.node_id)
    donor = None
    if payload.donor_id:
        donor = organisations_visible(request.user).filter(pk=payload.donor_id).first()
        if donor is None:
            raise NotFound(gettext("捐赠单位不存在或您无权查看"))
    with _request_fields({"node": "node_id", "donor": "donor_id"}):
        goods = services.goods_create(
            actor=request.user,
            node=node,
            name=payload.name,
            price=payload.price,
            stock=payload.stock,
            donor=donor,
            description=payload.description,
            unit_label=payload.unit_label,
            per_person_limit=payload.per_person_limit,
        )
    return Status(201, goods)


@router.patch(
    "/goods/{int:goods_id}",
    response={200: GoodsOut, **ERRORS},
    summary="修改商品",
    description="修改商品信息。传 expected_version（读取到的 version）时，若他人已先保存则返回 409，"
    "且不作任何修改。",
)
def goods_update(request: HttpRequest, goods_id: Integer, payload: GoodsPatch) -> Any:
    """Change the listing. With ``expected_version`` (the ``version`` read): 409 and nothing
    changed when someone else saved it since."""
    goods = _goods(request, goods_id)
    expected_version = payload.expected_version
    changes = {k: v for k, v in payload.dict().items() if v is not None and k != "expected_version"}
    if not changes:
        return goods
    with _request_fields({"version": "expected_version"}):
        return services.goods_update(
            actor=request.user, goods=goods, expected_version=expected_version, **changes
        )


@router.post("/goods/{int:goods_id}/restock", response={200: GoodsOut, **ERRORS}, summary="补充商品库存")
def goods_restock(request: HttpRequest, goods_id: Integer, payload: RestockIn) -> Any:
    goods = _goods(request, goods_id)
    return services.goods_restock(
        actor=request.user, goods=goods, quantity=payload.quantity, note=payload.note
    )


# ------------------------------------------------------------------------------------ accounts


@router.get("/accounts", response={200: list[AccountOut], **ERRORS}, summary="积分账户列表")
def account_list(request: HttpRequest, q: str = "", limit: Integer = 50, offset: Integer = 0) -> Any:
    require_any(request.user, Capability.POINTS_MANAGE)
    qs = selectors.accounts_visible(request.user).order_by("-balance", "id")
    if q.strip():
        qs = qs.filter(Q(resident__name__contains=q.strip()) | Q(organisation__name__contains=q.strip()))
    limit, offset = max(1, min(limit, 200)), max(0, offset)
    return list(qs[offset : offset + limit])


@router.get(
    "/accounts/{int:account_id}/movements", response={200: MovementPage, **ERRORS}, summary="积分账户明细"
)
def account_movements(
    request: HttpRequest, account_id: Integer, limit: Integer = 50, offset: Integer = 0
) -> Any:
    account = selectors.account_get(request.user, account_id)
    qs = Movement.objects.filter(ledger.movements_of(account)).order_by("-created_at", "-id")
    return _movement_rows(qs, account, limit, offset)


@router.post(
    "/earn",
    response={201: PointsMovementOut, **ERRORS},
    summary="手动发放积分",
    description="给一位居民或一个单位手动发放积分；source_ref（调用方自己的唯一键）使重试不会重复发放。",
)
def earn(request: HttpRequest, payload: EarnIn) -> Any:
    """Credit points by hand; ``source_ref`` (the caller's own key) makes a retry harmless."""
    holder = _holder(request, payload.resident_id, payload.organisation_id)
    node = node_get(request.user, payload.node_id)
    with _request_fields({**_holder_fields(payload.resident_id, payload.organisation_id), "node": "node_id"}):
        movement = services.points_earn(
            actor=request.user,
            holder=holder,
            amount=payload.amount,
            source=Source.MANUAL,
            source_ref=payload.source_ref,
            node=node,
            note=payload.note,
            team=payload.team,
        )
    setattr(movement, "signed", movement.amount)  # noqa: B010
    return Status(201, movement)


@router.post(
    "/earn/batch",
    response={201: EarnBatchOut, **ERRORS},
    summary="批量发放积分",
    description="一次给多位居民或单位发放积分（签到名册、导入），在一个事务中全部发放或全部不发放，"
    f"一次最多 {EARN_BATCH_MAX} 行；source_ref 此前已发放过的行跳过，故重试同一批次不会重复发放。",
)
def earn_batch(request: HttpRequest, payload: EarnBatchIn) -> Any:
    """Credit many holders at once (a roll, an import), all or nothing in one transaction.

    Lines whose ``source_ref`` was credited before are skipped, so a retried batch is harmless.
    """
    if not payload.lines:
        raise ValidationError(gettext("至少需要一行"), field="lines")
    if len(payload.lines) > EARN_BATCH_MAX:
        raise ValidationError(
            gettext("一次最多 {earn_batch_max} 行").format(earn_batch_max=EARN_BATCH_MAX), field="lines"
        )
    node = node_get(request.user, payload.node_id)
    residents = residents_visible(request.user).in_bulk(
        [line.resident_id for line in payload.lines if line.resident_id]
    )
    units = organisations_visible(request.user).in_bulk(
        [line.organisation_id for line in payload.lines if line.organisation_id]
    )
    entries = []
    for i, line in enumerate(payload.lines):
        _one_holder(line.resident_id, line.organisation_id, f"lines[{i}]")
        holder: Holder | None = (
            residents.get(line.resident_id or 0) if line.resident_id else units.get(line.organisation_id or 0)
        )
        if holder is None:
            raise ValidationError(gettext("居民或单位不存在，或您无权查看"), field=f"lines[{i}]")
        entries.append(
            services.EarnEntry(
                holder=holder, amount=line.amount, source_ref=line.source_ref, note=line.note, team=line.team
            )
        )
    made = services.points_earn_many(actor=request.user, entries=entries, source=Source.MANUAL, node=node)
    return Status(
        201,
        {
            "count": len(made),
            "total": sum(m.amount for m in made),
            "skipped": len(entries) - len(made),
            "movement_ids": [m.pk for m in made],
        },
    )


# ------------------------------------------------------------------------------------ adjustments


@router.post(
    "/adjustments",
    response={201: AdjustmentOut, **ERRORS},
    summary="申请积分调整",
    description="申请调整积分，待审批。带 Idempotency-Key 请求头（最多 96 个字符）可安全重试："
    "同一用户的同一键返回第一次的调整申请（201，不再写入），即使两个请求同时到达；同一键用于其他账户、"
    "数额或原因时拒绝（409 idempotency_key_reused）。",
)
def adjust(request: HttpRequest, payload: AdjustIn) -> Any:
    """Ask for an adjustment. An ``Idempotency-Key`` header (up to 96 characters) makes a
    retry safe: the same key from the same user returns the first adjustment (201, nothing
    written), even for two requests at once; the key with another account, amount or reason
    is refused (409 ``idempotency_key_reused``)."""
    account = selectors.account_get(request.user, payload.account_id)
    holder = account.resident or account.organisation
    assert holder is not None
    adjustment = services.points_adjust(
        actor=request.user,
        holder=holder,
        amount=payload.amount,
        reason=payload.reason,
        request_key=request.headers.get("Idempotency-Key", ""),
    )
    return Status(201, adjustment)


def _adjustment(request: HttpRequest, adjustment_id: int) -> Adjustment:
    found = (
        Adjustment.objects.filter(view_q(request.user), pk=adjustment_id).select_related("account").first()
    )
    if found is None:
        raise NotFound(gettext("调整申请不存在或您无权查看"))
    return found


@router.get(
    "/adjustments",
    response={200: list[AdjustmentOut], **ERRORS},
    summary="积分调整申请列表",
    description="status 默认 pending（待审批）；all 为全部。",
)
def adjustment_list(request: HttpRequest, status: str = "pending") -> Any:
    qs = Adjustment.objects.filter(view_q(request.user)).order_by("-requested_at", "-id")
    if status != "all":
        qs = qs.filter(status=status)
    return list(qs[:200])


@router.post(
    "/adjustments/{int:adjustment_id}/approve",
    response={200: AdjustmentOut, **ERRORS},
    summary="批准积分调整",
)
def adjustment_approve(request: HttpRequest, adjustment_id: Integer, payload: DecideIn) -> Any:
    adjustment = _adjustment(request, adjustment_id)
    return services.adjustment_approve(actor=request.user, adjustment=adjustment, note=payload.note)


@router.post(
    "/adjustments/{int:adjustment_id}/reject", response={200: AdjustmentOut, **ERRORS}, summary="驳回积分调整"
)
def adjustment_reject(request: HttpRequest, adjustment_id: Integer, payload: DecideIn) -> Any:
    adjustment = _adjustment(request, adjustment_id)
    return services.adjustment_reject(actor=request.user, adjustment=adjustment, note=payload.note)


# ------------------------------------------------------------------------------------ leaderboards


@router.get(
    "/leaderboard",
    response={200: list[LeaderOut], **ERRORS},
    summary="积分排行榜",
    description="工作人员：辖区内任一区域（须传 node_id），kind 可选 person 或 unit；居民：本社区的个人"
    "（不含商户、单位，忽略 kind；姓名脱敏），同 H5 积分排行。period：week、month（默认）、quarter、"
    "year 或 all。",
)
def leaderboard(
    request: HttpRequest,
    node_id: Integer | None = None,
    period: str = "month",
    team: str = "",
    kind: str = "",
) -> Any:
    """Staff: any node of their scope. A resident: their own community's persons only, as on
    the H5 board (a shop or unit is not ranked among residents; ``kind`` is ignored), names
    masked."""
    if period not in selectors.PERIODS:
        raise ValidationError(gettext("时段应为 week、month、quarter、year 或 all"), field="period")
    own = resident_for_user(request.user)
    if own is not None:
        community = ledger.community_of(own.node)
        rows = selectors.leaderboard(community, period, team or None, kind=AccountKind.PERSON, limit=30)
        return [{**row.__dict__, "name": row.masked_name} for row in rows]
    paths = view_paths(request.user)
    if not paths:
        raise PermissionDenied(gettext("您无权查看积分"))
    if node_id is None:
        raise ValidationError(gettext("请指定区域"), field="node_id")
    node = node_get(request.user, node_id)
    if not any(node.path.startswith(p) for p in paths):
        raise PermissionDenied(gettext("您无权查看该区域的积分"))
    return selectors.leaderboard(node, period, team or None, kind=kind or None, limit=100)
