"""User-facing strings go through Django's translation machinery, the Chinese text being the
msgid (the product's source language; LANGUAGE_CODE zh-hans shows a msgid as it is).

The first tests activate a small catalogue made here (an ``en`` .mo in a temporary
LOCALE_PATHS) and check that a service's refusal, a model's choice and field labels, a lazy
table of labels and a page come out translated. The last one is the guard that keeps new
code to the rule: a Chinese string literal in a Python file under ``civicgrid/`` must be the
argument of a gettext call, unless the file is listed in ``ALLOWED`` with its reason or the
statement carries an ``# i18n: data (why)`` / ``# i18n: pending (why)`` comment.
"""

import ast
import re
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import translation

from civicgrid.accounts.services import user_create
from civicgrid.core.errors import ValidationError
from civicgrid.core.views_audit import verb_label
from civicgrid.requests.constants import Channel
from civicgrid.requests.models import HandlingUnit

ENGLISH = {
    "用户名不能为空": "The user name is required",
    "密码至少8位": "At least 8 characters",
    "12345热线": "12345 hotline",
    "单位编码": "Unit code",
    "新建账号": "Account created",
}


def write_mo(path: Path, messages: dict[str, str]) -> None:
    """A GNU .mo file (what msgfmt writes), so the test needs no gettext tools."""
    entries = sorted({"": "Content-Type: text/plain; charset=UTF-8\n", **messages}.items())
    ids = [k.encode() for k, _ in entries]
    strs = [v.encode() for _, v in entries]
    start = 7 * 4 + 16 * len(entries)
    offsets, blob = [], b""
    for text in ids + strs:
        offsets.append((len(text), start + len(blob)))
        blob += text + b"\0"
    header = struct.pack("<7I", 0x950412DE, 0, len(entries), 28, 28 + 8 * len(entries), 0, 0)
    table = b"".join(struct.pack("<2I", *pair) for pair in offsets)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(header + table + blob)


@pytest.fixture
def english(tmp_path: Path) -> Iterator[None]:
    write_mo(tmp_path / "en" / "LC_MESSAGES" / "django.mo", ENGLISH)
    languages = [("zh-hans", "简体中文"), ("en", "English")]
    with override_settings(LOCALE_PATHS=[tmp_path], LANGUAGES=languages), translation.override("en"):
        yield


@pytest.mark.django_db
def test_a_services_refusal_comes_out_in_the_active_language(english: None) -> None:
    with pytest.raises(ValidationError) as caught:
        user_create(actor=None, username=" ", password="short", system=True)
    assert caught.value.errors["username"] == ["The user name is required"]
    assert caught.value.errors["password"] == ["At least 8 characters"]
    assert "The user name is required" in caught.value.message


def test_choice_field_and_table_labels_are_lazy_and_follow_the_language(english: None) -> None:
    assert str(Channel.HOTLINE.label) == "12345 hotline"
    assert str(HandlingUnit._meta.get_field("code").verbose_name) == "Unit code"
    assert verb_label("accounts.user_created") == "Account created"
    with translation.override("zh-hans"):  # the msgid itself where the language is Chinese
        assert str(Channel.HOTLINE.label) == "12345热线"
        assert verb_label("accounts.user_created") == "新建账号"


def test_a_lazy_reason_is_rendered_once_by_validation_error() -> None:
    reason = translation.gettext_lazy("用户名不能为空")
    error = ValidationError(errors={"username": [reason]})
    assert error.errors == {"username": ["用户名不能为空"]} and type(error.errors["username"][0]) is str


# --- the guard ------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[3]  # the repository
CJK = re.compile(r"[\u3400-\u9fff]")
MARKERS = ("i18n: data", "i18n: pending")
GETTEXT = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}
LOGGERS = {"logger", "log", "logging", "LOGGER", "_logger", "_log"}
TEXT_MATCH = {"startswith", "endswith", "replace", "split", "rsplit", "strip", "lstrip", "rstrip"}
TEXT_MATCH |= {"find", "rfind", "index", "count", "removeprefix", "removesuffix", "partition"}
OPENAPI_CALLS = {"Field", "Query", "Path", "Body", "Form", "File", "Router", "NinjaAPI"}
OPENAPI_CALLS |= {"get", "post", "put", "patch", "delete", "api_operation"}

# Files whose Chinese text is data, not UI (paths relative to civicgrid/; a folder ends in /).
ALLOWED = {
    # data
    "demo/": "the demo city: place names, people, organisations (data); its commands' output is UI",
    "requests/defaults/": "the default catalogue, departments and keywords (seed data)",
    "requests/demo_history/": "generated request history for the demo (seed data)",
    "classifier/demo.py": "demo seeder (data)",
    "governance/demo.py": "demo seeder (data)",
    "gridwork/demo.py": "demo seeder (data)",
    "party/demo.py": "demo seeder (data)",
    "points/demo.py": "demo seeder (data)",
    "volunteers/demo.py": "demo seeder (data)",
    "governance/text.py": "stop words and place suffixes of the hot-issue text analysis (data)",
    "classifier/text.py": "phrases the classifier strips from requests (data)",
    "exchange/columns.py": "the import files' headers, aliases and accepted cell values, matched whatever "
    "the page language (data); its help texts wait for exchange/sheets.py (pending, another change), "
    "which writes them into the template's cells as str",
    "notify/backends.py": "pending: the sending path is changed in another change (notify/services.py); "
    "the console line and gateway failures go with it",
    # pending: owned by another change (they convert them with the same codemod)
    "core/bulk.py": "pending: owned by another change",
    "core/audit.py": "pending: owned by another change",
    "core/validators.py": "pending: owned by another change",
    "api.py": "pending: owned by another change",
    "requests/api/": "pending: owned by another change",
    "requests/services/intake.py": "pending: owned by another change",
    "notify/services.py": "pending: owned by another change",
    "exchange/readers.py": "pending: owned by another change",
    "exchange/cells.py": "pending: owned by another change",
    "exchange/sheets.py": "pending: owned by another change",
    "requests/history_import/": "pending: owned by another change",
    "requests/catalogue/excel.py": "pending: owned by another change",
    "requests/knowledge.py": "pending: owned by another change",
    "classifier/services.py": "pending: owned by another change",
    "party/importers.py": "pending: owned by another change",
    "party/services/imports.py": "pending: owned by another change",
}


def _allowed(relative: str) -> bool:
    return any(relative == key or (key.endswith("/") and relative.startswith(key)) for key in ALLOWED)


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


class _Literals:
    """The Chinese literals of one file that are not inside a gettext call nor data by form."""

    def __init__(self, source: str) -> None:
        self.lines = source.splitlines()
        self.tree = ast.parse(source)
        self.parents = {id(c): p for p in ast.walk(self.tree) for c in ast.iter_child_nodes(p)}
        self.docstrings = {
            id(n.body[0].value)
            for n in ast.walk(self.tree)
            if isinstance(n, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and n.body
            and isinstance(n.body[0], ast.Expr)
            and isinstance(n.body[0].value, ast.Constant)
        }

    def offending(self) -> list[tuple[int, str]]:
        found, seen = [], set()
        for node in ast.walk(self.tree):
            if not (
                isinstance(node, ast.Constant) and isinstance(node.value, str) and CJK.search(node.value)
            ):
                continue
            literal: ast.AST = node
            if isinstance(self.parents.get(id(node)), ast.JoinedStr):  # judge the f-string as one
                literal = self.parents[id(node)]
            if id(literal) not in seen and not self._excused(literal):
                found.append((literal.lineno, ast.unparse(literal)))  # type: ignore[attr-defined]
            seen.add(id(literal))
        return found

    def _ancestors(self, node: ast.AST) -> Iterator[tuple[ast.AST, ast.AST]]:
        while id(node) in self.parents:
            parent = self.parents[id(node)]
            yield node, parent
            node = parent

    def _excused(self, literal: ast.AST) -> bool:
        if id(literal) in self.docstrings or self._marked(literal) or self._data_by_form(literal):
            return True
        for child, parent in self._ancestors(literal):
            if isinstance(parent, ast.stmt):
                return False
            if isinstance(parent, ast.Call) and child is not parent.func:
                if _name(parent.func) in GETTEXT:
                    return True
                if isinstance(parent.func, ast.Attribute) and _name(parent.func.value) in LOGGERS:
                    return True  # log messages are for operators
            if isinstance(parent, ast.keyword) and parent.arg in {"description", "summary", "tags"}:
                holder = self.parents.get(id(parent))
                if isinstance(holder, ast.Call) and _name(holder.func) in OPENAPI_CALLS:
                    return True  # API documentation for integrators, like a docstring
        return False

    def _data_by_form(self, literal: ast.AST) -> bool:
        """Text that is matched against rather than shown: compared, a set member, a plain
        dict key or subscript, a regex, a str method's argument, a choice's value."""
        parent = self.parents.get(id(literal))
        grand = self.parents.get(id(parent))
        constant = isinstance(literal, ast.Constant)
        if isinstance(parent, ast.Compare | ast.Set | ast.pattern):
            return True
        if isinstance(parent, ast.Tuple | ast.List) and isinstance(grand, ast.Compare):
            return True
        if isinstance(parent, ast.Dict) and literal in parent.keys and constant:
            return True
        if isinstance(parent, ast.Subscript) and literal is parent.slice and constant:
            return True
        if isinstance(parent, ast.Call) and literal in parent.args[:1]:
            name = _name(parent.func)
            receiver = _name(parent.func.value) if isinstance(parent.func, ast.Attribute) else ""
            if receiver == "re" or name == "frozenset":
                return True
            if receiver and name in TEXT_MATCH | {"get", "pop", "setdefault"}:
                return True
        if isinstance(parent, ast.Tuple) and literal is parent.elts[0] and len(parent.elts) >= 2:
            klass = self.parents.get(id(grand)) if grand is not None else None
            if isinstance(klass, ast.ClassDef) and any(_name(b).endswith("Choices") for b in klass.bases):
                return True  # a choice's value, not its label
        return False

    def _marked(self, node: ast.AST) -> bool:
        innermost = True
        for _child, parent in self._ancestors(node):
            if not isinstance(parent, ast.stmt):
                continue
            first = parent.lineno
            decorators = getattr(parent, "decorator_list", None)
            if decorators:
                first = decorators[0].lineno
            last = node.end_lineno if innermost else parent.lineno  # type: ignore[attr-defined]
            above = first  # and the comment lines right above the statement
            while above > 1 and self.lines[above - 2].lstrip().startswith("#"):
                above -= 1
            if any(marker in line for line in self.lines[above - 1 : last] for marker in MARKERS):
                return True
            innermost = False
        return False


def test_chinese_text_in_python_goes_through_gettext() -> None:
    package = ROOT / "civicgrid"
    problems, scanned = [], 0
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package).as_posix()
        if "/tests/" in f"/{relative}" or "/migrations/" in relative or relative == "conftest.py":
            continue
        if _allowed(relative):
            continue
        scanned += 1
        for line, text in _Literals(path.read_text(encoding="utf-8")).offending():
            problems.append(f"civicgrid/{relative}:{line}: {text[:60]}")
    assert scanned > 200, scanned  # the walk found the package
    assert not problems, (
        "Chinese text outside gettext (wrap it in _()/gettext_lazy(), or mark data with a "
        "'# i18n: data (why)' comment):\n" + "\n".join(problems)
    )


def test_the_guard_sees_a_bare_literal_and_excuses_wrapped_and_marked_ones() -> None:
    source = (
        "from django.utils.translation import gettext as _\n"
        "def f(x):\n"
        '    if x == "已受理":\n'
        '        return _("已受理")\n'
        '    KEYS = ["附近"]  # i18n: data (matched in texts)\n'
        '    return f"第{x}行" + "未翻译"\n'
    )
    assert sorted(_Literals(source).offending()) == [(6, "'未翻译'"), (6, "f'第{x}行'")]
    assert all(path.rstrip("/") and reason for path, reason in ALLOWED.items())
    assert all((ROOT / "civicgrid" / key).exists() for key in ALLOWED), "an allowed path is gone"


_JS_COMMENTS = re.compile(r"/\*.*?\*/|(?<![:\\])//[^\n]*", re.DOTALL)
_TEMPLATE_TAGS = re.compile(r"{%.*?%}", re.DOTALL)
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def js_chinese_outside_comments(source: str, *, template: bool) -> list[str]:
    """Lines of a script holding Chinese outside comments (and, in a script served as a
    template, outside its ``{% translate %}`` tags): text the page cannot translate."""
    if template:
        source = _TEMPLATE_TAGS.sub(lambda m: "\n" * m.group().count("\n"), source)
    code = _JS_COMMENTS.sub(lambda m: "\n" * m.group().count("\n"), source)
    return [line.strip()[:60] for line in code.splitlines() if _HAN.search(line)]


def test_scripts_hold_no_chinese_text_outside_comments() -> None:
    """Scripts take their texts from the page (gettext on the server: gridwork's json_script
    block, data- attributes, a template's {% translate %}), never as literals."""
    package = ROOT / "civicgrid"
    scripts = [p for p in sorted(package.rglob("*.js")) if "/vendor/" not in p.as_posix()]
    assert len(scripts) >= 5, scripts  # the walk found them
    problems = [
        f"{path.relative_to(package).as_posix()}: {line}"
        for path in scripts
        for line in js_chinese_outside_comments(
            path.read_text(encoding="utf-8"), template="/templates/" in path.as_posix()
        )
    ]
    assert not problems, "Chinese text in a script:\n" + "\n".join(problems)


def test_the_script_guard_sees_a_literal_and_excuses_comments_and_tags() -> None:
    source = (
        "/* 网格员工作台：\n   离线记录 */\n"
        'var url = "https://example.org/a"; // 注释\n'
        'toast("已保存");\n'
        'var t = "{% translate "当前没有网络" %}";\n'
    )
    assert js_chinese_outside_comments(source, template=True) == ['toast("已保存");']
    assert len(js_chinese_outside_comments(source, template=False)) == 2
