"""The signal every review transition sends once its transaction has committed.

Receivers get `event` (the audit action name, e.g. "review.step_cleared"), `review`, `actor`, `at`
and, where they apply, `phase`, `step` and `due_date`. The notifications subscribe here to remind
and inform people; nothing in the reviews app depends on who listens.
"""

from django.dispatch import Signal

review_event = Signal()
