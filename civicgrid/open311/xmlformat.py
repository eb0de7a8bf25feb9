"""GeoReport v2's XML format: the same rows as the JSON answers, as elements.

A list answer is a root element holding one element per row (``<service_requests>`` of
``<request>``, ``<services>`` of ``<service>``, ``<errors>`` of ``<error>``…); an object answer
(discovery, a service definition) is the root itself. A row's fields are child elements in
order; a list inside a row (``updates``, ``endpoints``, ``formats``, ``attributes``) holds one
element per entry, named by its singular. ``null`` is an empty element, a boolean
``true``/``false``. Built with ``xml.etree`` (no new dependency); text holding characters XML 1.0
cannot carry (control characters other than tab and line breaks) has them removed.
"""

import re
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse

CONTENT_TYPE = "text/xml; charset=utf-8"
# Element names of one entry of a list inside a row.
SINGULAR = {"updates": "update", "endpoints": "endpoint", "formats": "format", "attributes": "attribute"}
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def fill(element: ET.Element, value: Any) -> None:
    """``value`` inside ``element``: an object's fields or a list's entries as children, else
    text."""
    if isinstance(value, dict):
        for name, inner in value.items():
            fill(ET.SubElement(element, name), inner)
    elif isinstance(value, list):
        for entry in value:
            fill(ET.SubElement(element, SINGULAR.get(element.tag, "item")), entry)
    else:
        element.text = text_of(value)


def document(data: Any, root: str, item: str) -> bytes:
    """The XML document of an answer: ``root`` holding an ``item`` per row of a list, or the
    fields of an object."""
    top = ET.Element(root)
    rows = data if isinstance(data, list) else None
    if rows is None:
        fill(top, data)
    else:
        for row in rows:
            fill(ET.SubElement(top, item), row)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(
        top, encoding="utf-8", xml_declaration=False
    )


def respond(data: Any, root: str, item: str, status: int = 200) -> HttpResponse:
    return HttpResponse(document(data, root, item), status=status, content_type=CONTENT_TYPE)
