"""A related record typed by its business key in the admin: an area code, a login name.

Django's ``raw_id_fields`` asks for the database id and offers a lookup popup of the
related model's admin, which another administrator cannot open (三员分立: the security
administrator has no territory admin, the system administrator no account list), so a role
or a unit's staff could only be given by reading ids out of page addresses. ``KeyedChoiceField``
is a text box for the key people know and see on the pages, checked like a choice."""

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy

from civicgrid.core.validators import fold


class KeyedChoiceField(forms.ModelChoiceField):
    """A ``ModelChoiceField`` typed as ``to_field_name`` (full-width forms folded, spaces
    dropped); an unknown key is ``invalid_choice`` ("%(value)s" names what was typed)."""

    widget = forms.TextInput

    def __init__(self, queryset: Any, *, to_field_name: str, upper: bool = False, **kwargs: Any) -> None:
        self.upper = upper
        super().__init__(queryset, to_field_name=to_field_name, **kwargs)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = fold(value)
            value = value.upper() if self.upper else value
        return super().to_python(value)

    def prepare_value(self, value: Any) -> Any:
        # A bound model form's initial value is the related row's id: show its key instead.
        if isinstance(value, int) and not isinstance(value, bool):
            queryset: Any = self.queryset
            rows = queryset.model._base_manager.filter(pk=value)
            return next(iter(rows.values_list(self.to_field_name, flat=True)), value)
        return super().prepare_value(value)


def login_name_field(label: Any, **kwargs: Any) -> KeyedChoiceField:
    """An account typed as its login name."""
    return KeyedChoiceField(
        get_user_model().objects.all(),
        to_field_name="username",
        label=label,
        error_messages={"invalid_choice": gettext_lazy("没有用户名为 %(value)s 的账号")},
        **kwargs,
    )


def area_code_field(label: Any, **kwargs: Any) -> KeyedChoiceField:
    """A territory node typed as its 区域编码."""
    from civicgrid.territory.models import Node  # core is below territory

    return KeyedChoiceField(
        Node.objects.all(),
        to_field_name="code",
        upper=True,
        label=label,
        error_messages={"invalid_choice": gettext_lazy("没有区域编码为 %(value)s 的区域")},
        **kwargs,
    )
