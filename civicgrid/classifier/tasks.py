"""Background training (django-tasks): the same service the command and the page call."""

from typing import Any

from django_tasks import task

from civicgrid.accounts.models import User
from civicgrid.classifier.services import classifier_train_history


@task()
def train_from_history(user_id: int | None = None) -> dict[str, Any]:
    """Train the catalogue model on the request history; registers a new (inactive) version."""
    actor = User.objects.filter(pk=user_id).first() if user_id else None
    result = classifier_train_history(actor=actor, system=actor is None)
    version = result.version
    return {
        "file": result.file,
        "version": version.pk if version else None,
        "macro_f1": version.macro_f1 if version else None,
    }
