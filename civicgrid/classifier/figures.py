"""The classifier's figure on the home page (system administrator)."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import has_capability
from civicgrid.classifier.models import ClassifierVersion
from civicgrid.web.contrib import Figure


def home_figures(user: Any) -> list[Figure]:
    if not has_capability(user, Capability.CLASSIFIER_MANAGE):
        return []
    active = ClassifierVersion.objects.filter(is_active=True).first()
    url = reverse("classifier:versions")
    if active is None:
        return [Figure(_("启用的分类模型"), _("无"), url, _("训练并启用一个版本后，话务台显示分类建议"))]
    value = f"{active.macro_f1:.3f}" if active.macro_f1 is not None else "—"
    return [Figure(_("分类模型 macro-F1"), value, url, str(active))]
