"""Input no view should ever see: checked once, before any page, API or Open311 view runs.

Each of these passed on would fail deep down with a server error instead of a clear answer:

* a NUL character (PostgreSQL cannot store it in text);
* a lone surrogate (``"\\ud800"``, which JSON can carry escaped but UTF-8 cannot encode);
* a whole number beyond a 64-bit integer (no column or primary key holds it; SQLite's
  driver raises ``OverflowError``, PostgreSQL an out-of-range error).

``ErrorMiddleware`` applies ``path_problem``, ``query_problem`` and ``form_problem`` to every
request (no whole-number check on query and form fields: a field is a number only if its
schema says so, and the API's ``Integer`` type checks the range, naming the field; ``q`` or
``phone`` may be a long run of digits); the API's ``BodyParser`` and Open311's JSON bodies
(without the number check) apply ``json_problem``. Each returns ``(field, reason)`` or None.
A page view marked ``checks_query`` (the audit page) gets a bad query field instead, to
re-render its filter form naming the field (``kept_query_problem``).
"""

import codecs
import re
from typing import Any

from django.http import HttpRequest, QueryDict
from django.urls import Resolver404, resolve
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

INT_MAX = 2**63 - 1
MAX_DEPTH = 64  # levels of nesting in a JSON body (ours need a handful)
NUL = gettext_lazy("不能包含空字符（一种看不见的字符，多由复制粘贴带入），请删除后重新输入")
SURROGATE = gettext_lazy("包含无效字符（不成对的 Unicode 代理项）")
TOO_LARGE = format_lazy(gettext_lazy("数值超出范围（绝对值不能超过 {int_max}）"), int_max=INT_MAX)

_WHOLE = re.compile(r"\s*[+-]?[0-9]{19,}\s*")
_LONG_NUMBER = re.compile(r"[0-9]{19,}")
# What must be in a raw JSON body for ``json_problem`` to find anything: most bodies are
# never walked.
_JSON_SUSPECT = re.compile(rb"\\u0000|\\u[dD][89a-fA-F]|\d{19}")


def declared_charset(request: HttpRequest) -> str:
    """The text encoding a request's ``Content-Type`` declares (``charset=GBK``), by its codec
    name; "utf-8" when it declares none, or one Python does not know (as Django reads forms)."""
    try:
        return codecs.lookup((request.content_params or {}).get("charset", "utf-8")).name
    except LookupError:
        return "utf-8"


def json_body_text(request: HttpRequest, raw: bytes) -> str | bytes:
    """A JSON body as ``json.loads`` should read it: decoded by the charset its sender declared
    when that is not UTF-8 (a GBK client), else the bytes (UTF-8, or UTF-16/32 by their byte
    order mark). ``UnicodeDecodeError`` when the body is not in its declared charset."""
    charset = declared_charset(request)
    return raw if charset == "utf-8" else raw.decode(charset)


def text_problem(value: str) -> str | None:
    if "\x00" in value:
        return str(NUL)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return str(SURROGATE)
    return None


def _beyond_int64(digits: str) -> bool:
    """Whether a run of digits (sign and spaces allowed around it) is larger than any id.

    Compared as text first: ``int()`` refuses to read more than 4,300 digits (a ValueError
    that became a server error for any address holding such a number)."""
    digits = digits.strip().lstrip("+-").lstrip("0")
    return len(digits) > len(str(INT_MAX)) or (len(digits) == len(str(INT_MAX)) and int(digits) > INT_MAX)


def number_problem(value: str) -> str | None:
    """A text that is a whole number too large for any column (the API's ``Integer`` fields)."""
    if _WHOLE.fullmatch(value) and _beyond_int64(value):
        return str(TOO_LARGE)
    return None


def json_problem(data: Any, raw: bytes, *, numbers: bool = True) -> tuple[str, str] | None:
    """The first field (``lines[0].note``) of a parsed JSON body holding bad text or (with
    ``numbers``) a number too large, with the reason; ``raw`` is the body as sent."""
    if not _JSON_SUSPECT.search(raw):
        return None
    try:
        return _walk(data, "", numbers=numbers)
    except RecursionError:  # nested nearly as deep as json.loads allows (no body of ours nests so)
        return (_("请求体"), _("嵌套层数过多"))


def _walk(data: Any, path: str, depth: int = 0, *, numbers: bool = True) -> tuple[str, str] | None:
    if depth > MAX_DEPTH:
        return (path or _("请求体"), _("嵌套层数过多"))
    if isinstance(data, str):
        reason = text_problem(data)
        return (path, reason) if reason else None
    if isinstance(data, int) and not isinstance(data, bool):
        return (path, str(TOO_LARGE)) if numbers and abs(data) > INT_MAX else None
    items: Any = ()
    if isinstance(data, dict):
        items = ((f"{path}.{k}" if path else str(k), str(k), v) for k, v in data.items())
    elif isinstance(data, list):
        items = ((f"{path}[{i}]", "", v) for i, v in enumerate(data))
    for name, key, value in items:
        reason = text_problem(key)  # a NUL key is as bad as a NUL value
        found = (name, reason) if reason else _walk(value, name, depth + 1, numbers=numbers)
        if found is not None:
            return found
    return None


def _fields_problem(data: QueryDict) -> tuple[str, str] | None:
    for key, values in data.lists():
        reasons = (text_problem(v) for v in values)
        reason = text_problem(key) or next(filter(None, reasons), None)
        if reason:
            return (key.replace("\x00", "") or "?", reason)
    return None


def checks_query(view: Any) -> Any:
    """Mark a page view that answers a bad query field itself: ``ErrorMiddleware`` lets the
    request through with ``(field, reason)`` kept (``keep_query_problem``), and the view must
    re-render its form (422) naming the field, never use the value (the audit page's filters).
    The view reads the problem with ``kept_query_problem(request)``."""
    view.checks_query = True
    return view


_KEPT = "_civicgrid_query_problem"


def keep_query_problem(request: HttpRequest, problem: tuple[str, str]) -> None:
    """For a ``checks_query`` view: the bad query field it must answer."""
    request.__dict__[_KEPT] = problem


def kept_query_problem(request: HttpRequest) -> tuple[str, str] | None:
    """``(field, reason)`` of the bad query field ``ErrorMiddleware`` let through, or None."""
    problem: tuple[str, str] | None = request.__dict__.get(_KEPT)
    return problem


def view_checks_query(request: HttpRequest) -> bool:
    """Whether the view of ``request``'s path is marked with ``checks_query``."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return bool(getattr(match.func, "checks_query", False))


def printable(value: str) -> str:
    """``value`` without NUL characters and lone surrogates, to be shown back on a page."""
    return value.replace("\x00", "").encode("utf-8", "ignore").decode("utf-8")


def query_problem(request: HttpRequest) -> tuple[str, str] | None:
    """Query strings (text only: a search box or a phone may hold a long run of digits; an
    integer field's range is its schema's check)."""
    return _fields_problem(request.GET)


def form_problem(request: HttpRequest) -> tuple[str, str] | None:
    """Form bodies (files are not text; text only, as ``query_problem``)."""
    return _fields_problem(request.POST)


def path_problem(path: str) -> bool:
    """A path no page can have: a NUL, or a segment that is a number too large for an id."""
    if text_problem(path):
        return True
    return any(_LONG_NUMBER.fullmatch(segment) and _beyond_int64(segment) for segment in path.split("/"))
