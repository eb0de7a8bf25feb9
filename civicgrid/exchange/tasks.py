"""Background work of the exchange module (django-tasks)."""

from django_tasks import task

from civicgrid.exchange import background, services


@task()
def import_job_process(job_id: int) -> None:
    """Validate and import one uploaded file (see ``services.import_job_run``)."""
    services.import_job_run(job_id=job_id)


@task()
def export_job_process(job_id: int) -> None:
    """Write one background export's file (see ``background.export_job_run``)."""
    background.export_job_run(job_id=job_id)
