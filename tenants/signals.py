"""What the tenants app announces. Apps above it listen; tenants never import them."""

from django.dispatch import Signal

# A school and its schema were deleted, inside the deleting transaction.
# Arguments: school (the School, no longer in the database), schema (its schema's name).
school_deleted = Signal()
