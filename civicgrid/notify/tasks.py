from django_tasks import task

from civicgrid.notify.services import outbox_drain


@task()
def drain_outbox() -> int:
    return outbox_drain()
