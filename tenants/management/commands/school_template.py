from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django_tenants.utils import schema_exists


class Command(BaseCommand):
    help = "Create or migrate the template schema that new schools are cloned from."

    def handle(self, *args, **options):
        template = settings.TENANT_BASE_SCHEMA
        if not template:
            self.stdout.write("TENANT_BASE_SCHEMA is empty: schools are created by running migrations.")
            return
        connection.set_schema_to_public()
        if not schema_exists(template):
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE SCHEMA "{template}"')
        call_command(
            "migrate_schemas", tenant=True, schema_name=template, interactive=False,
            verbosity=options["verbosity"] - 1,
        )
        connection.set_schema_to_public()
        self.stdout.write(f"Template schema {template!r} is up to date.")
