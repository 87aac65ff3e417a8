"""What every background job (Celery task) of the portal shares: how it survives a killed worker and which
errors mean the database is out of reach for a moment (tried again) rather than a fault in the job."""

from django.db import InterfaceError, OperationalError

# a worker killed mid-task leaves the message unacknowledged: it is delivered again (see the visibility
# timeout in settings), and the sweepers (cadres.tasks.sweep_imports, portal.ledger_runs) do not wait for that
RELIABLE = {"acks_late": True, "reject_on_worker_lost": True}
DATABASE_ERRORS = (OperationalError, InterfaceError)
