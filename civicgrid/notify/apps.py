from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from civicgrid.core.i18n import StrOrPromise


def _reads_outbox(user: Any) -> bool:
    from civicgrid.notify.permissions import reads_outbox

    return reads_outbox(user)


class NotifyConfig(AppConfig):
    name = "civicgrid.notify"
    label = "notify"
    verbose_name = _("消息通知")
    # The outbox page in the menu of the system and audit administrators (civicgrid.web.contrib).
    menu: list[tuple[StrOrPromise, str, Any]] = [(_("通知发送记录"), "notify:outbox", _reads_outbox)]
