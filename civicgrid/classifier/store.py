"""Model files under ``DATA_DIR/classifier/<name>/``; no database needed.

Each training writes a new file ``<UTC time>.joblib`` and points ``<name>/latest`` at it,
so the command line can train and predict on a checkout whose database does not exist.
Versions registered in the database name the same files (``ClassifierVersion.file``).
"""

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _

from civicgrid.core.errors import NotFound, ValidationError

if TYPE_CHECKING:
    from civicgrid.classifier.engine import Bundle

DEFAULT_NAME = "default"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,49}$")


def root() -> Path:
    return Path(settings.DATA_DIR) / "classifier"


def check_name(name: str) -> str:
    if not _NAME.match(name or ""):
        raise ValidationError(
            _("模型名称只能包含字母、数字、点、下划线和连字符，最长 50 个字符"), field="model"
        )
    return name


def save(bundle: "Bundle", name: str) -> tuple[str, int]:
    """Write ``bundle`` as the newest file of model ``name``: (path relative to root, bytes)."""
    import joblib  # only where models are written or read, not at boot

    folder = root() / check_name(name)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = folder / f"{stamp}.joblib"
    joblib.dump(bundle, path, compress=3)
    pointer = folder / "latest"
    pointer.with_suffix(".tmp").write_text(path.name, encoding="utf-8")
    pointer.with_suffix(".tmp").replace(pointer)
    return str(path.relative_to(root())), path.stat().st_size


def latest(name: str) -> str:
    """The relative path of the newest file of model ``name``."""
    pointer = root() / check_name(name) / "latest"
    if not pointer.is_file():
        raise NotFound(
            _("还没有训练过名为「{name}」的模型（先运行 civicgrid classifier train）").format(name=name)
        )
    return f"{name}/{pointer.read_text(encoding='utf-8').strip()}"


def absolute(relative: str) -> Path:
    path = (root() / relative).resolve()
    if root().resolve() not in path.parents:
        raise NotFound(_("模型文件不在模型目录中"))
    return path


def load(relative: str) -> "Bundle":
    # Unpickling imports civicgrid.classifier.engine (numpy, scipy, scikit-learn): only here.
    import joblib

    path = absolute(relative)
    if not path.is_file():
        raise NotFound(_("模型文件不存在：{relative}").format(relative=relative))
    # The file was written by ``save`` into the deployment's own data directory.
    bundle: Bundle = joblib.load(path)
    return bundle
