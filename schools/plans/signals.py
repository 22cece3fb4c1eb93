"""What the plans app announces. Apps above it (reports) listen; plans never import them."""

from django.dispatch import Signal

# A plan became the year's adopted plan (adoption, or a hand-edited revision), inside the
# adopting transaction. Arguments: plan (AllocationPlan), actor (User or None).
plan_adopted = Signal()
