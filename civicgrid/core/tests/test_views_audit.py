"""The audit page says each verb in Chinese (the code stays visible) and shows the before/after
snapshots as key: value lists with 是/否/空, not Python's repr of a dict."""

import importlib
import re
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from civicgrid.accounts.models import User
from civicgrid.core.audit import audit_write
from civicgrid.core.models import AuditLog
from civicgrid.core.views_audit import change_items, value_text, verb_choices, verb_label
from civicgrid.requests.constants import Action

PACKAGE = Path(__file__).resolve().parents[2]  # civicgrid/
# Every module that declares a ``Verb`` class (found, not listed: a new app's verbs cannot be
# forgotten here as property's once were).
VERB_MODULES = sorted(
    ".".join(("civicgrid", *path.relative_to(PACKAGE).with_suffix("").parts))
    for path in PACKAGE.rglob("*.py")
    if "tests" not in path.parts and re.search(r"^class Verb\b", path.read_text(encoding="utf-8"), re.M)
)
VERB_CONSTANTS = [
    ("civicgrid.classifier.services", ("TRAINED", "ACTIVATED", "ROLLED_BACK")),
    ("civicgrid.requests.web_helpers", ("REQUESTER_PII_VIEWED",)),
    ("civicgrid.requests.history_import.service", ("VERB",)),
    ("civicgrid.requests.demo_history.build", ("VERB",)),
    ("civicgrid.requests.ledger", ("PHONE_SEARCHED",)),
    ("civicgrid.core.management.commands.pii_rotate", ("VERB",)),
    ("civicgrid.web.idle", ("SESSION_EXPIRED",)),
    ("civicgrid.volunteers.certificate", ("CERTIFICATE_ISSUED",)),
]
LITERAL = re.compile(r"""verb=["']([a-z_]+\.[a-z_]+)["']""")


def verbs_the_apps_write() -> set[str]:
    found: set[str] = set()
    for name in VERB_MODULES:
        verb_class = importlib.import_module(name).Verb
        found |= {str(v) for k, v in vars(verb_class).items() if k.isupper() and isinstance(v, str)}
    for name, constants in VERB_CONSTANTS:
        module = importlib.import_module(name)
        found |= {str(getattr(module, c)) for c in constants}
    for path in PACKAGE.rglob("*.py"):
        if "tests" not in path.parts:
            found |= set(LITERAL.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_verb_the_apps_write_has_a_chinese_label() -> None:
    assert "civicgrid.property.constants" in VERB_MODULES and len(VERB_MODULES) >= 13
    verbs = verbs_the_apps_write()
    assert len(verbs) > 150 and "exchange.exported" in verbs and "governance.topic_created" in verbs
    missing = sorted(v for v in verbs if not verb_label(v))
    assert not missing, missing


def test_verbs_built_from_the_actions_and_the_admin() -> None:
    assert all(verb_label(f"requests.{a}") for a in Action.values)
    assert verb_label("requests.dispatch") == "诉求派单"
    assert verb_label("admin.user_changed") == "后台修改账号"
    assert verb_label("admin.dispatchrule_deleted").startswith("后台删除")
    assert verb_label("admin.nosuchmodel_changed") == "" and verb_label("nothing.known") == ""
    assert verb_choices(["exchange.exported", "nothing.known"]) == [
        ("exchange.exported", "导出数据（exchange.exported）"),
        ("nothing.known", "nothing.known"),
    ]


def test_values_read_for_people() -> None:
    assert [value_text(v) for v in (True, False, None, "", 0, 1.5, "郑辉")] == [
        "是",
        "否",
        "空",
        "空",
        "0",
        "1.5",
        "郑辉",
    ]
    assert value_text([1, None, True]) == "1、空、是" and value_text([]) == "（无）"
    assert value_text({"a": False, "b": [2]}) == "{a：否，b：2}"


@pytest.mark.django_db
def test_snapshot_keys_read_as_the_fields_names() -> None:
    items = change_items({"full_name": "郑辉", "is_active": True, "title": None, "extra": 1}, "accounts.user")
    active = str(User._meta.get_field("is_active").verbose_name)
    assert [(i.label, i.code, i.value) for i in items] == [
        ("姓名", "full_name", "郑辉"),
        (active, "is_active", "是"),
        ("职务", "title", "空"),
        ("extra", "extra", "1"),
    ]
    role = change_items({"role": "grid_worker"}, "accounts.roleassignment")
    assert role[0].label == "角色" and role[0].value == "网格员"
    assert change_items(None) == [] and change_items([1, 2])[0].value == "1、2"
    assert change_items({"x": 1}, "no.such")[0].label == "x"


@pytest.mark.django_db
def test_keys_beside_the_targets_fields_and_ids_of_places_read_as_words(city: Any) -> None:
    """An outside tester read ``role：grid_worker node：65`` on a role granted to a user,
    ``current：2 leaves：577`` on a catalogue published and ``上级：12`` on a node moved."""
    grant = change_items({"role": "grid_worker", "node": city.grid_a1_1.pk}, "accounts.user")
    assert [(i.label, i.value) for i in grant] == [
        ("角色", "网格员"),
        ("区域", f"{city.grid_a1_1}（{city.grid_a1_1.pk}）"),
    ]
    moved = change_items({"parent": city.sub_a.pk}, "territory.node")
    assert moved[0].value == f"{city.sub_a}（{city.sub_a.pk}）"
    published = change_items({"current": 2, "leaves": 577, "kept_codes": 577}, "requests.catalogueversion")
    assert [i.label for i in published] == ["原版本", "三级分类数", "沿用编码数"]
    gone = change_items({"node": 999999}, "accounts.user")
    assert gone[0].value == "999999"
    # A person is never read into the log by id: only places, units and categories are named.
    person = change_items({"created_by": city.alice.pk}, "requests.request")
    assert person[0].value == str(city.alice.pk)


@pytest.mark.django_db
def test_the_audit_page_shows_labels_and_readable_changes(city: Any) -> None:
    with transaction.atomic():
        audit_write(
            actor=city.secadmin,
            verb="accounts.user_changed",
            target=city.bob,
            before={"full_name": "郑辉", "is_active": True, "title": None},
            after={"full_name": "郑辉", "is_active": False, "title": "主任"},
        )
        audit_write(actor=city.sysadmin, verb="exchange.exported", target_label="实有人口")
    client = Client()
    client.force_login(city.auditor)
    html = client.get("/audit/").content.decode()
    assert "修改账号" in html and "<code>accounts.user_changed</code>" in html
    assert "导出数据" in html and "<code>exchange.exported</code>" in html
    assert '<option value="exchange.exported" >导出数据（exchange.exported）</option>' in html
    assert "是</li>" in html and "否</li>" in html and "空</li>" in html and "主任</li>" in html
    assert "{&#x27;" not in html and "True" not in html and "None" not in html
    only = client.get("/audit/", {"verb": "exchange.exported"}).content.decode()
    assert "共 1 条" in only and "修改账号" not in only.split("</select>", 2)[-1]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "value"), [("date_from", "2026-02-30"), ("date_to", "abc"), ("date_from", "99999-01-01")]
)
def test_a_bad_date_filter_is_named_not_a_server_error(city: Any, name: str, value: str) -> None:
    client = Client()
    client.force_login(city.auditor)
    response = client.get("/audit/", {name: value})
    assert response.status_code == 422
    assert "应为有效日期" in response.content.decode()


@pytest.mark.django_db
def test_the_audit_page_names_places_and_finds_a_target_as_shown(city: Any) -> None:
    with transaction.atomic():
        audit_write(actor=city.sysadmin, verb="accounts.user_changed", target=city.bob, node=city.grid_a1_1)
    client = Client()
    client.force_login(city.auditor)
    html = client.get("/audit/").content.decode()
    line = f"{city.sub_a.name} / {city.comm_a1.name} / {city.grid_a1_1.name}"
    assert line in html and f'title="{city.grid_a1_1.path}"' not in html  # not the path of ids
    shown = f"accounts.user#{city.bob.pk}"
    about_bob = AuditLog.objects.filter(target_type="accounts.user", target_id=str(city.bob.pk)).count()
    assert about_bob >= 1
    assert f"共 {about_bob} 条" in client.get("/audit/", {"target": shown}).content.decode()
    assert "共 0 条" in client.get("/audit/", {"target": "accounts.user#999999"}).content.decode()


@pytest.mark.django_db
def test_the_audit_page_names_ids_with_one_query_per_model_not_per_row(
    city: Any, django_assert_max_num_queries: Any
) -> None:
    grids = [city.grid_a1_1, city.grid_a1_2, city.comm_a1, city.sub_a]
    with transaction.atomic():
        for n in range(20):
            node = grids[n % len(grids)]
            audit_write(
                actor=city.secadmin,
                verb="accounts.role_granted",
                target=city.bob,
                before={"node": grids[(n + 1) % len(grids)].pk},
                after={"role": "grid_worker", "node": node.pk},
            )
    client = Client()
    client.force_login(city.auditor)
    client.get("/audit/")  # the session, the caches
    with django_assert_max_num_queries(14):
        html = client.get("/audit/").content.decode()
    assert f"{city.grid_a1_2}（{city.grid_a1_2.pk}）" in html
