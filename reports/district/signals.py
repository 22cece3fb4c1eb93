"""A district bundle's stored file goes when its row goes, once the delete commits."""

from django.db.models.signals import post_delete

from reports.district.models import DistrictBundle
from reports.signals import file_delete_on_commit

post_delete.connect(file_delete_on_commit, sender=DistrictBundle, dispatch_uid="reports.district.bundle_file_delete")
