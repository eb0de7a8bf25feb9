"""``{% kept_values kept "contract_end" as k %}``: a refused form's input, for that form only."""

from typing import Any

from django import template

from civicgrid.property.views.common import Kept

register = template.Library()


@register.simple_tag
def kept_values(kept: Kept | None, form: str, key: Any = None) -> dict[str, Any]:
    """The fields typed into ``form`` (the one of row ``key``) when it was refused, else {}.

    ``ticked`` lists the boxes of the negative list that were ticked; ``refused`` is True."""
    if kept is None or kept.form != form or (key is not None and kept.key != key):
        return {}
    return {**kept.values, "ticked": kept.lists.get("negative_items", []), "refused": True}
