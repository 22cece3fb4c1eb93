"""Schema names: a school cloned from the template carries the template's constraint and index names.

django-tenants clones a schema with `CREATE TABLE ... (LIKE template.table INCLUDING ALL)`, which
gives unique constraints and indexes PostgreSQL's default names (`schools_enrolment_year_id_
grade_id_key` instead of `one_enrolment_per_grade_per_year`): a later migration that drops or
alters one by name would fail on every cloned school. `schema_names_copy` renames them, matching
each constraint and index of the clone to the template's by table and definition.
"""

import re

from django.db import connection

_INDEX_NAME = re.compile(r'^CREATE (UNIQUE )?INDEX (\S+) ON (\S+)\.')


def _names(cursor, schema: str) -> tuple[dict, dict]:
    """({(table, definition): constraint name}, {(table, definition): index name}) of a schema."""
    cursor.execute(
        """SELECT c.relname, con.conname, pg_get_constraintdef(con.oid)
             FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = %s AND con.contype IN ('u', 'p', 'c', 'x', 'f')
            ORDER BY con.conname""", [schema])
    constraints = {}
    for table, name, definition in cursor.fetchall():
        constraints.setdefault((table, definition), name)
    cursor.execute(
        """SELECT i.tablename, i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.schemaname = %s AND NOT EXISTS (
                SELECT 1 FROM pg_constraint con JOIN pg_class ic ON ic.oid = con.conindid
                  JOIN pg_namespace n ON n.oid = ic.relnamespace
                 WHERE n.nspname = i.schemaname AND ic.relname = i.indexname)
            ORDER BY i.indexname""", [schema])
    indexes = {}
    for table, name, definition in cursor.fetchall():
        indexes.setdefault((table, _INDEX_NAME.sub(r"CREATE \1INDEX ON ", definition)), name)
    return constraints, indexes


def schema_names_copy(*, source: str, target: str) -> int:
    """Rename the constraints and indexes of `target` to those of `source` (same tables and
    definitions). Returns how many were renamed; names already equal are left alone."""
    renamed = 0
    with connection.cursor() as cursor:
        want_constraints, want_indexes = _names(cursor, source)
        have_constraints, have_indexes = _names(cursor, target)
        for (table, definition), name in have_constraints.items():
            wanted = want_constraints.get((table, definition))
            if wanted and wanted != name:
                cursor.execute(f'ALTER TABLE "{target}"."{table}" RENAME CONSTRAINT "{name}" TO "{wanted}"')
                renamed += 1
        for key, name in have_indexes.items():
            wanted = want_indexes.get(key)
            if wanted and wanted != name:
                cursor.execute(f'ALTER INDEX "{target}"."{name}" RENAME TO "{wanted}"')
                renamed += 1
    return renamed


def schema_names(schema: str) -> dict:
    """Every constraint and index name of a schema, by table (for tests and checks)."""
    with connection.cursor() as cursor:
        constraints, indexes = _names(cursor, schema)
    names = {}
    for (table, _), name in [*constraints.items(), *indexes.items()]:
        names.setdefault(table, set()).add(name)
    return names
