"""Small typed helpers that read settings from the environment.

Every secret may also be given as a file: ``NAME_FILE=/run/secrets/name`` is read
when ``NAME`` itself is not set (Docker/Kubernetes secrets, systemd credentials).
"""

import os
from pathlib import Path

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envstr(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{name} must be a boolean (1/0, true/false), not {raw!r}")


def envint(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, not {raw!r}") from exc


def envfloat(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number, not {raw!r}") from exc


def envlist(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def envsecret(name: str, default: str = "") -> str:
    """Read a secret from ``NAME`` or, failing that, from the file named by ``NAME_FILE``.
    A file that cannot be read, is not UTF-8 text or is empty stops the start with the
    variable named (not a bare ``FileNotFoundError`` naming only the path, nor a silent
    default: an empty ``DATABASE_URL_FILE`` would otherwise mean the SQLite file)."""
    if name in os.environ:
        return os.environ[name]
    variable = f"{name}_FILE"
    path = os.environ.get(variable)
    if not path:
        return default
    try:
        value = Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise RuntimeError(f"{variable} names {path}, which cannot be read: {reason}") from None
    except UnicodeDecodeError:
        raise RuntimeError(f"{variable} names {path}, which is not UTF-8 text") from None
    if not value:
        raise RuntimeError(f"{variable} names {path}, which is empty")
    return value
