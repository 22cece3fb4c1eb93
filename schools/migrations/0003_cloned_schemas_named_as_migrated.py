"""Schools cloned from the template before this release carry PostgreSQL's default names for
their unique constraints and indexes (e.g. `schools_enrolment_year_id_grade_id_key` for
`one_enrolment_per_grade_per_year`): give them the template's names (its are the migrations'),
before any later migration needs a constraint by its name. Runs in every school's schema."""

from django.conf import settings
from django.db import migrations


def rename_like_the_template(apps, schema_editor):
    from django_tenants.utils import schema_exists

    from tenants.schemas import schema_names_copy

    template, schema = settings.TENANT_BASE_SCHEMA, schema_editor.connection.schema_name
    if template and schema != template and schema_exists(template):
        schema_names_copy(source=template, target=schema)


class Migration(migrations.Migration):
    dependencies = [("schools", "0002_history_and_district_file")]
    operations = [migrations.RunPython(rename_like_the_template, migrations.RunPython.noop)]
