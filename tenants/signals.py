"""What the tenants app announces. Apps above it listen; tenants never import them."""

from django.dispatch import Signal

# A school and its schema were deleted, inside the deleting transaction.
# Arguments: school (the School, no longer in the database), schema (its schema's name).
school_deleted = Signal()

# A school and its schema were created, inside the creating transaction, in the public schema.
# Arguments: school, grades (the (code, name) pairs of its grade template, youngest first; may
# be empty), actor. The schools app makes the grades in the new schema.
school_created = Signal()
