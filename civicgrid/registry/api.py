"""Registry endpoints under /api/v1/registry/. ID numbers and phones come back masked."""

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from civicgrid.core.errors import NotFound
from civicgrid.registry import selectors, services
from civicgrid.registry.models import Resident
from civicgrid.territory.selectors import node_get

router = Router(tags=["registry 实有人口房屋单位"])


class ResidentOut(Schema):
    id: int
    name: str
    gender: str
    birth_date: date | None
    id_number_masked: str
    phone_masked: str
    residence_type: str
    node_id: int
    household_id: int | None
    tags: list[str]

    @staticmethod
    def resolve_tags(obj: Resident) -> list[str]:
        return [t.code for t in obj.tags.all()]


class ResidentIn(Schema):
    node_id: int
    name: str
    id_number: str = ""
    phone: str = ""
    gender: str = ""
    birth_date: date | None = None
    residence_type: str = "registered"
    household_id: int | None = None
    relation_to_head: str = ""
    tags: list[str] = []
    note: str = ""


class ResidentPage(Schema):
    count: int
    results: list[ResidentOut]


@router.get("/residents", response=ResidentPage)
def resident_list(
    request: HttpRequest,
    q: str = "",
    under: int | None = None,
    tag: str = "",
    residence_type: str = "",
    limit: int = 50,
    offset: int = 0,
) -> Any:
    """Search by name, or exactly by ID number or phone (matched through the keyed hash)."""
    node = node_get(request.user, under) if under else None
    qs = selectors.resident_search(request.user, q=q, under=node, tag=tag, residence_type=residence_type)
    limit = max(1, min(limit, 500))
    offset = max(0, offset)  # a negative slice would fail with a 500
    return {"count": qs.count(), "results": list(qs[offset : offset + limit])}


@router.get("/residents/{resident_id}", response=ResidentOut)
def resident_detail(request: HttpRequest, resident_id: int) -> Any:
    return selectors.resident_get(request.user, resident_id)


@router.post("/residents", response={201: ResidentOut})
def resident_create(request: HttpRequest, payload: ResidentIn) -> Any:
    node = node_get(request.user, payload.node_id)
    household = None
    if payload.household_id:
        household = selectors.households_visible(request.user).filter(pk=payload.household_id).first()
        if household is None:
            raise NotFound(_("户不存在或您无权查看"))
    resident = services.resident_create(
        actor=request.user,
        node=node,
        name=payload.name,
        id_number=payload.id_number,
        phone=payload.phone,
        gender=payload.gender,
        birth_date=payload.birth_date,
        residence_type=payload.residence_type,
        household=household,
        relation_to_head=payload.relation_to_head,
        tags=payload.tags,
        note=payload.note,
    )
    return Status(201, resident)


class PiiOut(Schema):
    id_number: str
    phone: str


@router.post("/residents/{resident_id}/reveal", response=PiiOut)
def resident_reveal(request: HttpRequest, resident_id: int) -> Any:
    """The clear ID number and phone. Allowed roles only; every call is audited."""
    resident = selectors.resident_get(request.user, resident_id)
    return services.resident_reveal_pii(actor=request.user, resident=resident)


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    credit_code: str
    address: str
    contact_name: str
    contact_phone_masked: str
    node_id: int


class OrganisationIn(Schema):
    node_id: int
    name: str
    kind: str
    credit_code: str = ""
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    employees: int | None = None


@router.get("/organisations", response=list[OrganisationOut])
def organisation_list(request: HttpRequest, q: str = "", limit: int = 50, offset: int = 0) -> Any:
    qs = selectors.organisations_visible(request.user)
    if q:
        qs = qs.filter(name__contains=q)
    limit = max(1, min(limit, 500))
    offset = max(0, offset)  # a negative slice would fail with a 500
    return list(qs.order_by("node_path", "name")[offset : offset + limit])


@router.post("/organisations", response={201: OrganisationOut})
def organisation_create(request: HttpRequest, payload: OrganisationIn) -> Any:
    node = node_get(request.user, payload.node_id)
    org = services.organisation_create(
        actor=request.user,
        node=node,
        name=payload.name,
        kind=payload.kind,
        credit_code=payload.credit_code,
        address=payload.address,
        contact_name=payload.contact_name,
        contact_phone=payload.contact_phone,
        employees=payload.employees,
    )
    return Status(201, org)
