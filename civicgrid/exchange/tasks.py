"""Background work of the exchange module (django-tasks)."""

from django_tasks import task

from civicgrid.exchange import services


@task()
def import_job_process(job_id: int) -> None:
    """Validate and import one uploaded file (see ``services.import_job_run``)."""
    services.import_job_run(job_id=job_id)
