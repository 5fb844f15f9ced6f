"""Country reviews: a State under review in a mechanism and one of its groups, its phases, the
steps of each phase with their due dates, the history of every step's status and the extensions
granted.

The models only hold state; every change goes through the domain functions of
`revmod.reviews.services`, which write the history (StepTransition) and the audit trail.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Case, OuterRef, Q, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from revmod.mechanisms.models import (
    Mechanism,
    PhaseDefinition,
    ReviewGroup,
    StepDeadline,
    StepDefinition,
)
from revmod.parties.models import Language, State


class CountryReviewQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Secretariat: every review. Officials: the reviews they hold a current nomination in."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_secretariat:
            return self
        return self.filter(nominations__person=user, nominations__ends_on__isnull=True).distinct()

    def with_progress(self):
        """Annotate `current_phase_number` and `progress` (a CountryReview.Progress value) in the
        query itself, so a dashboard counts any number of reviews in one query."""
        latest = ReviewPhase.objects.filter(review=OuterRef("pk"), launched_at__isnull=False)
        latest = latest.order_by("-definition__number")
        return self.annotate(
            current_phase_number=Subquery(latest.values("definition__number")[:1]),
            current_phase_status=Subquery(latest.values("status")[:1]),
        ).annotate(
            progress=Case(
                When(closed_at__isnull=False, then=Value(CountryReview.Progress.CLOSED)),
                When(
                    current_phase_status=ReviewPhase.Status.COMPLETED,
                    then=Value(CountryReview.Progress.COMPLETED),
                ),
                When(
                    current_phase_status=ReviewPhase.Status.IN_PROGRESS,
                    then=Value(CountryReview.Progress.PROGRESSING),
                ),
                default=Value(CountryReview.Progress.NOT_STARTED),
                output_field=models.CharField(),
            )
        )


class CountryReview(models.Model):
    class Progress(models.TextChoices):
        """Where a review stands in its current phase (the latest launched one). Not started: no
        phase launched yet. Progressing: the phase is launched (which opens its first step).
        Completed: the phase reached its step that counts as completed. Closed: the secretariat
        closed the review."""

        NOT_STARTED = "not_started", _("Not started")
        PROGRESSING = "progressing", _("Progressing")
        COMPLETED = "completed", _("Completed")
        CLOSED = "closed", _("Closed")

    mechanism = models.ForeignKey(
        Mechanism, verbose_name=_("mechanism"), on_delete=models.PROTECT, related_name="reviews"
    )
    group = models.ForeignKey(
        ReviewGroup, verbose_name=_("group"), on_delete=models.PROTECT, related_name="reviews"
    )
    state = models.ForeignKey(
        State,
        verbose_name=_("State under review"),
        on_delete=models.PROTECT,
        related_name="reviews",
    )
    working_languages = models.ManyToManyField(
        Language, verbose_name=_("working languages"), blank=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_reason = models.TextField(_("reason for closing"), blank=True)
    # The secretariat officer who follows the review: the list filters on it ("my reviews").
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("secretariat officer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviews_followed",
    )

    objects = CountryReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("country review")
        verbose_name_plural = _("country reviews")
        ordering = ["mechanism", "group__number", "state__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["mechanism", "state"], name="one_review_per_state_and_mechanism"
            )
        ]

    def __str__(self) -> str:
        return str(_("Review of %(state)s") % {"state": self.state})

    @property
    def current_phase(self) -> "ReviewPhase | None":
        """The latest launched phase, or None before the first launch."""
        return (
            self.phases.filter(launched_at__isnull=False)
            .select_related("definition")
            .order_by("-definition__number")
            .first()
        )

    @property
    def progress(self) -> str:
        # One definition of the derived status: the annotation of `with_progress`.
        if hasattr(self, "_progress"):
            return self._progress
        return (
            CountryReview.objects.with_progress().values_list("progress", flat=True).get(pk=self.pk)
        )

    @progress.setter
    def progress(self, value: str) -> None:
        # Set by the `with_progress` annotation, so annotated rows need no extra query.
        self._progress = value


class ReviewPhaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(review__in=CountryReview.objects.visible_to(user).values("pk"))


class ReviewPhase(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")

    review = models.ForeignKey(
        CountryReview, verbose_name=_("review"), on_delete=models.CASCADE, related_name="phases"
    )
    definition = models.ForeignKey(
        PhaseDefinition, verbose_name=_("phase"), on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField(_("starts on"))
    launched_at = models.DateTimeField(_("launched at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    objects = ReviewPhaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("review phase")
        verbose_name_plural = _("review phases")
        ordering = ["review", "definition__number"]
        constraints = [
            models.UniqueConstraint(fields=["review", "definition"], name="phase_once_per_review")
        ]

    def __str__(self) -> str:
        return f"{self.review} — {self.definition}"


class ReviewStepQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(phase__review__in=CountryReview.objects.visible_to(user).values("pk"))


class ReviewStep(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        OPEN = "open", _("Open: experts drafting")
        AWAITING_CLEARANCE = "awaiting_clearance", _("Awaiting clearance by the focal point")
        COMPLETED = "completed", _("Completed")
        SKIPPED = "skipped", _("Skipped")

    # A finished step no longer holds the review up; its `completed_at` is when it ended.
    FINISHED = (Status.COMPLETED, Status.SKIPPED)

    phase = models.ForeignKey(
        ReviewPhase, verbose_name=_("phase"), on_delete=models.CASCADE, related_name="steps"
    )
    definition = models.ForeignKey(
        StepDefinition, verbose_name=_("step"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    objects = ReviewStepQuerySet.as_manager()

    class Meta:
        verbose_name = _("review step")
        verbose_name_plural = _("review steps")
        ordering = ["phase", "definition__order"]
        constraints = [
            models.UniqueConstraint(fields=["phase", "definition"], name="step_once_per_phase")
        ]

    def __str__(self) -> str:
        return f"{self.phase.review} — {self.definition}"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED


class StepTransition(models.Model):
    """One change of a step's status: the history that figures "as of" a past date are rebuilt
    from. `at` is the time of the action (which a backdated demo history sets in the past)."""

    step = models.ForeignKey(
        ReviewStep, verbose_name=_("step"), on_delete=models.CASCADE, related_name="transitions"
    )
    from_status = models.CharField(
        _("from"), max_length=20, choices=ReviewStep.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=ReviewStep.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), db_index=True)
    reason = models.TextField(_("reason"), blank=True)
    state_code = models.CharField(
        _("on behalf of"),
        max_length=8,
        blank=True,
        help_text=_("The State the actor acted for; empty for the secretariat."),
    )

    class Meta:
        verbose_name = _("step transition")
        verbose_name_plural = _("step transitions")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.step}: {self.from_status} → {self.to_status}"


class DueDateQuerySet(models.QuerySet):
    def overdue(self, today: datetime.date):
        return self.filter(due_on__lt=today).exclude(step__status__in=ReviewStep.FINISHED)


class DueDate(models.Model):
    """A target date of one step instance, computed from a StepDeadline of the mechanism. Empty
    while the anchor step has not reached the event it is counted from."""

    step = models.ForeignKey(
        ReviewStep, verbose_name=_("step"), on_delete=models.CASCADE, related_name="due_dates"
    )
    deadline = models.ForeignKey(
        StepDeadline, verbose_name=_("deadline"), on_delete=models.PROTECT, related_name="+"
    )
    original_due_on = models.DateField(_("originally due on"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)

    objects = DueDateQuerySet.as_manager()

    class Meta:
        verbose_name = _("due date")
        verbose_name_plural = _("due dates")
        ordering = ["step", "deadline__amount"]
        constraints = [
            models.UniqueConstraint(fields=["step", "deadline"], name="deadline_once_per_step")
        ]

    def __str__(self) -> str:
        return f"{self.deadline}: {self.due_on or '—'}"

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        """A flag, never a block: the date has passed and the step is not finished."""
        today = today or timezone.localdate()
        return self.due_on is not None and self.due_on < today and not self.step.is_finished


class Extension(models.Model):
    due_date = models.ForeignKey(
        DueDate, verbose_name=_("due date"), on_delete=models.CASCADE, related_name="extensions"
    )
    previous_due_on = models.DateField(_("previously due on"))
    new_due_on = models.DateField(_("now due on"))
    reason = models.TextField(_("reason"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("granted at"))

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        ordering = ["granted_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(new_due_on__gt=models.F("previous_due_on")),
                name="extension_moves_the_date_later",
            )
        ]

    def __str__(self) -> str:
        return f"{self.due_date.deadline}: {self.previous_due_on} → {self.new_due_on}"


class StepSubmission(models.Model):
    """One reviewing State's own submission of a step the reviewing States own (the written
    feedback): once reviewers are drawn, each of them drafts and clears its own, and the step
    completes when every State drawn for the review has cleared."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open: experts drafting")
        AWAITING_CLEARANCE = "awaiting_clearance", _("Awaiting clearance by the focal point")
        CLEARED = "cleared", _("Cleared")

    step = models.ForeignKey(
        ReviewStep, verbose_name=_("step"), on_delete=models.CASCADE, related_name="submissions"
    )
    state = models.ForeignKey(
        State, verbose_name=_("reviewing State"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cleared by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("submission of a reviewing State")
        verbose_name_plural = _("submissions of the reviewing States")
        ordering = ["step", "state__name"]
        constraints = [
            models.UniqueConstraint(fields=["step", "state"], name="one_submission_per_state")
        ]

    def __str__(self) -> str:
        return f"{self.step} — {self.state}"
