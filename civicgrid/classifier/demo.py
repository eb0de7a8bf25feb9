"""Demo data: train the catalogue model on the demo city's requests and switch it on."""

from collections.abc import Callable
from typing import Any

from civicgrid.classifier import services
from civicgrid.classifier.models import ClassifierVersion
from civicgrid.core.errors import ValidationError

ACTOR = "演示数据"


def seed_demo(*, seed: int, out: Callable[[str], Any]) -> None:
    """Deterministic for a given history: the SVM and the folds use fixed seeds (``seed`` unused)."""
    if ClassifierVersion.objects.filter(name=services.HISTORY_MODEL).exists():
        out("分类模型已存在，跳过")
        return
    try:
        result = services.classifier_train_history(actor=ACTOR, system=True)
    except ValidationError as exc:
        out(f"未训练分类模型：{exc.message}")
        return
    assert result.version is not None
    services.version_activate(actor=ACTOR, version_id=result.version.pk, system=True)
    f1 = result.version.macro_f1
    figure = f"{f1:.3f}" if f1 is not None else "—"
    out(f"已训练并启用 {result.version}：{result.version.rows} 条诉求，macro-F1 {figure}")
