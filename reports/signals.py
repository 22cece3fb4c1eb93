"""Stored files go when their rows go (e.g. a year deleted with its plans), once the delete commits."""

import logging

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from reports.district.models import DistrictBundle
from reports.models import Report
from reports.storage import reports_backend

log = logging.getLogger(__name__)


@receiver(post_delete, sender=Report)
@receiver(post_delete, sender=DistrictBundle)
def file_delete_on_commit(sender, instance, **kwargs):
    name = instance.file.name
    if not name:
        return

    def delete():
        try:
            reports_backend().delete(name)
        except Exception:
            log.exception("Could not delete report file %s", name)

    transaction.on_commit(delete, robust=True)
