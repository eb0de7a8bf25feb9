"""Password rules beyond Django's own (等保2.0 身份鉴别: 口令复杂度)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def character_classes(password: str) -> int:
    """How many of upper case, lower case, digits and other characters ``password`` has."""
    return sum(
        (
            any(c.isascii() and c.isupper() for c in password),
            any(c.isascii() and c.islower() for c in password),
            any(c.isascii() and c.isdigit() for c in password),
            any(not (c.isascii() and c.isalnum()) and not c.isspace() for c in password),
        )
    )


class CharacterClassValidator:
    """At least ``min_classes`` of the four character classes (大写字母、小写字母、数字、符号)."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(self.message(), code="password_too_simple")

    def message(self) -> str:
        return _("密码须至少包含大写字母、小写字母、数字、符号中的 {n} 类").format(n=self.min_classes)

    def get_help_text(self) -> str:
        return self.message()


class PasswordHistoryValidator:
    """Not one of the account's last passwords (``User.password_history``): after an
    administrator's reset, the user cannot set the administrator's password back."""

    def validate(self, password: str, user: Any = None) -> None:
        used = getattr(user, "used_password", None)
        if used is not None and used(password):
            raise ValidationError(self.message(), code="password_reused")

    def message(self) -> str:
        from civicgrid.accounts.models import PASSWORD_HISTORY

        return _("新密码不能与最近 {n} 次用过的密码（含管理员设置的密码）相同").format(n=PASSWORD_HISTORY)

    def get_help_text(self) -> str:
        return self.message()
