"""What the reports app does when other apps announce something, and when its rows go.

- `schools.plans.signals.plan_adopted`: the adopted plan's PDF and CSV are prepared.
- `tenants.signals.school_deleted`: the school's stored files go (its schema was dropped,
  which fires no row signals).
- `schools.signals.year_deleting`: the adopted plan's ready reports are kept (detached from
  the year) unless the person deleting the year said otherwise.
- a Report row deleted (e.g. with its year): its file goes, after commit.
"""

import logging

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from reports import services
from reports.models import Report
from reports.storage import delete_prefix, reports_backend
from schools.plans.signals import plan_adopted
from schools.signals import year_deleting
from tenants.signals import school_deleted

log = logging.getLogger(__name__)


@receiver(plan_adopted, dispatch_uid="reports.plan_adopted")
def plan_reports_on_adoption(sender, *, plan, actor=None, **kwargs):
    services.adopted_plan_reports_make(plan=plan, actor=actor)


@receiver(year_deleting, dispatch_uid="reports.year_deleting")
def adopted_reports_keep_on_year_delete(sender, *, year, keep_adopted_reports=True, **kwargs):
    if keep_adopted_reports:
        services.year_adopted_reports_keep(year=year)


@receiver(school_deleted, dispatch_uid="reports.school_deleted")
def school_files_delete_on_commit(sender, *, schema: str, **kwargs):
    transaction.on_commit(lambda: delete_prefix(f"{schema}/"), robust=True)


@receiver(post_delete, sender=Report)
def file_delete_on_commit(sender, instance, **kwargs):
    """Also used for district bundles (reports.district.signals)."""
    name = instance.file.name
    if not name:
        return

    def delete():
        try:
            reports_backend().delete(name)
        except Exception:
            log.exception("Could not delete report file %s", name)

    transaction.on_commit(delete, robust=True)
