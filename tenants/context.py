"""Which school am I in, and how a job knows its school: the one tenancy toolkit.

- `current_school()`: the School whose schema is active (None in the public schema, the
  district office). django-tenants sets `connection.tenant`; `schema_context` only sets a
  stand-in, so the row is then read from the public table.
- `tenant_context(school)`: run code in a school's schema when the School is at hand
  (django-tenants' own); `schema_context(name)` when only the schema name is.
- `enqueue_on_commit(task, *args)`: send a Celery task once the transaction commits. The
  task runs in the schema that was active when it was enqueued: tenant-schemas-celery puts
  the active schema into the message headers (`_schema_name`) and the worker switches to it
  before the task body runs. This is Celery's `delay_on_commit`, with two additions: the
  send happens in the schema of the enqueue (a commit may be reached after the code left
  that school's context), and a broker outage after the commit is reported to `on_error`
  instead of failing a request whose data is already saved.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import connection, transaction
from django_tenants.utils import get_public_schema_name, schema_context, tenant_context

from tenants.models import School

__all__ = ["current_school", "current_schema", "enqueue_many_on_commit", "enqueue_on_commit", "schema_context",
           "tenant_context"]

log = logging.getLogger(__name__)


def current_schema() -> str:
    return connection.schema_name


def current_school() -> School | None:
    """The School row of the active schema; None in the public schema (the district office)."""
    schema = connection.schema_name
    if not schema or schema == get_public_schema_name():
        return None
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, School) and tenant.schema_name == schema:
        return tenant
    return School.objects.filter(schema_name=schema).first()  # the public table is on the search path


def enqueue_on_commit(
    task, *args,
    on_sent: Callable[[object], None] | None = None,
    on_error: Callable[[Exception], None] | None = None,
) -> None:
    """Send `task.delay(*args)` after commit, in the schema active now (see the module doc).

    `on_sent(async_result)` runs after a successful send, `on_error(exception)` after a failed
    one, both in the same schema.
    """
    enqueue_many_on_commit(task, [args], on_sent=on_sent, on_error=on_error)


def enqueue_many_on_commit(task, arg_lists, *, on_sent=None, on_error=None) -> None:
    """`enqueue_on_commit` for several calls of one task, sent together at the commit."""
    schema = connection.schema_name
    arg_lists = [tuple(args) for args in arg_lists]

    def send():
        with schema_context(schema):
            for args in arg_lists:
                try:
                    sent = task.delay(*args)
                except Exception as error:  # the broker is unreachable: the data is saved all the same
                    log.exception("Could not queue %s%r in %s", task.name, args, schema)
                    if on_error is not None:
                        on_error(error)
                    continue
                if on_sent is not None:
                    on_sent(sent)

    if arg_lists:
        transaction.on_commit(send, robust=True)
