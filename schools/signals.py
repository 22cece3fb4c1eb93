"""What the schools app announces, and what it does when the tenants app announces something.

- `year_deleting` (sent by `schools.services.year_delete` inside its transaction, before the
  year's rows go): arguments `year`, `keep_adopted_reports`. The reports app detaches the
  adopted plan's report files it is told to keep.
- `tenants.signals.school_created`: the new school's grades are made from its template.
"""

from django.dispatch import Signal, receiver

from tenants.context import tenant_context
from tenants.signals import school_created

year_deleting = Signal()


@receiver(school_created, dispatch_uid="schools.school_created")
def school_grades_make(sender, *, school, grades, actor=None, **kwargs):
    if grades:
        from schools.services import grades_from_template  # services import this module

        with tenant_context(school):
            grades_from_template(grades=grades, actor=actor)
