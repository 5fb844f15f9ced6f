"""Mechanism definitions: the rules of a review mechanism, held as data.

Everything a mechanism decides (its instruments, clusters and articles, phases, groups, steps and
their deadlines, the phase gate, the rules of the drawing of lots, how long an activation link
lives) is a row here, loaded from a shipped definition file and editable in the admin. Code reads
these rows; it never carries the numbers itself.

Rows loaded from a file remember the values they were loaded with (`loaded_values`), so that a
reload can tell an edit made in the admin from a change in the file and never silently overwrite
the former.
"""

import calendar
import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from revmod.parties.models import Instrument


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later; the 31st plus one month lands on the last day of the shorter
    month (Jan 31 + 1 month = Feb 28, or 29 in a leap year)."""
    year, month = divmod(day.month - 1 + months, 12)
    target_year, target_month = day.year + year, month + 1
    last_day = calendar.monthrange(target_year, target_month)[1]
    return datetime.date(target_year, target_month, min(day.day, last_day))


class LoadedFromDefinition(models.Model):
    loaded_values = models.JSONField(
        _("values last loaded from the definition file"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_(
            "A field that differs from these values was edited in the admin: the next load of "
            "the definition file keeps it and reports a conflict, unless forced."
        ),
    )

    class Meta:
        abstract = True


class Mechanism(LoadedFromDefinition):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=300)
    short_name = models.CharField(_("short name"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    instruments = models.ManyToManyField(
        Instrument,
        verbose_name=_("instruments"),
        through="MechanismInstrument",
        related_name="mechanisms",
    )
    phase_length_months = models.PositiveSmallIntegerField(_("length of a phase (months)"))
    gate_threshold_percent = models.DecimalField(
        _("phase gate threshold (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text=_(
            "Share of the reviews foreseen at the start of a phase that must be completed "
            "before the group advances to the next phase."
        ),
    )
    activation_link_days = models.PositiveSmallIntegerField(_("activation link valid for (days)"))
    unresponsive_after_days = models.PositiveSmallIntegerField(
        _("focal point unresponsive after (days)"),
        default=30,
        help_text=_(
            "A focal point with no activity this many days after being notified is flagged."
        ),
    )
    # Reminders of due dates (revmod.notifications.services.send_reminders).
    reminder_days_before = models.JSONField(
        _("reminders before a due date (days before)"),
        default=list,
        blank=True,
        help_text=_("For example [14, 3]: a reminder 14 days and another 3 days before."),
    )
    overdue_reminder_every_days = models.PositiveSmallIntegerField(
        _("overdue reminders every (days)"),
        default=7,
        validators=[MinValueValidator(1)],
        help_text=_("From the due date on, a reminder at most this often while the step is open."),
    )
    overdue_reminder_max = models.PositiveSmallIntegerField(
        _("overdue reminders at most"),
        default=4,
        help_text=_("How many reminders are sent from the due date on, at most."),
    )
    escalate_after_reminders = models.PositiveSmallIntegerField(
        _("escalate after (overdue reminders)"),
        default=2,
        validators=[MinValueValidator(1)],
        help_text=_(
            "After this many overdue reminders the State's focal point is told; after twice "
            "as many, the secretariat."
        ),
    )

    class Meta:
        verbose_name = _("mechanism")
        verbose_name_plural = _("mechanisms")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.short_name or self.name

    def first_step(self) -> "StepDefinition | None":
        return self.steps.order_by("order").first()

    def completion_step(self) -> "StepDefinition | None":
        """The step whose reaching completes a review (and counts toward the phase gate)."""
        return self.steps.filter(counts_as_completed=True).order_by("order").first()

    def phase(self, number: int) -> "PhaseDefinition | None":
        return self.phases.filter(number=number).select_related("cluster").first()


class MechanismInstrument(models.Model):
    mechanism = models.ForeignKey(Mechanism, on_delete=models.CASCADE)
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(
                fields=["mechanism", "instrument"], name="instrument_once_per_mechanism"
            )
        ]

    def __str__(self) -> str:
        return f"{self.mechanism} — {self.instrument}"


class DrawRules(LoadedFromDefinition):
    """How reviewing States are drawn by lot for each review of a mechanism."""

    class Cadence(models.TextChoices):
        PER_GROUP = "per_group", _("One draw per group of States parties")
        YEARLY = "yearly", _("One draw per year of the cycle")

    mechanism = models.OneToOneField(Mechanism, on_delete=models.CASCADE, related_name="draw_rules")
    same_group_reviewers = models.PositiveSmallIntegerField(
        _("reviewers from the same regional group")
    )
    other_group_reviewers = models.PositiveSmallIntegerField(
        _("reviewers from another regional group")
    )
    any_group_reviewers = models.PositiveSmallIntegerField(
        _("reviewers from any regional group"), default=0
    )
    per_instrument = models.BooleanField(
        _("drawn per instrument"),
        default=True,
        help_text=_(
            "Reviewers must be party to each instrument they review; an additional draw "
            "covers the instruments a drawn reviewer is not party to."
        ),
    )
    forbid_mutual_pairs = models.BooleanField(_("no mutual reviews in one phase"), default=True)
    max_reviews_per_state = models.PositiveSmallIntegerField(
        _("most reviews one State performs in a phase"), null=True, blank=True
    )
    balance_load = models.BooleanField(
        _("spread reviews evenly across reviewing States"), default=True
    )
    max_redraws = models.PositiveSmallIntegerField(_("redraws a State may request"), default=2)
    cadence = models.CharField(
        _("cadence"), max_length=20, choices=Cadence.choices, default=Cadence.PER_GROUP
    )

    class Meta:
        verbose_name = _("rules of the drawing of lots")
        verbose_name_plural = _("rules of the drawing of lots")

    def __str__(self) -> str:
        return str(_("Drawing of lots: %(mechanism)s") % {"mechanism": self.mechanism})


class Cluster(LoadedFromDefinition):
    mechanism = models.ForeignKey(Mechanism, on_delete=models.CASCADE, related_name="clusters")
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=300)
    # Which articles are assumed (not sourced) is recorded, so the secretariat can confirm them.
    articles_assumed = models.BooleanField(_("article list assumed"), default=False)

    class Meta:
        verbose_name = _("thematic cluster")
        verbose_name_plural = _("thematic clusters")
        ordering = ["mechanism", "number"]
        constraints = [
            models.UniqueConstraint(fields=["mechanism", "number"], name="cluster_number_unique")
        ]

    def __str__(self) -> str:
        return self.name


class ClusterArticle(models.Model):
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="articles")
    instrument = models.ForeignKey(
        Instrument, verbose_name=_("instrument"), on_delete=models.PROTECT
    )
    article = models.CharField(_("article"), max_length=12)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["cluster", "instrument__order", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "instrument", "article"], name="article_once_per_cluster"
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument} art. {self.article}"


class PhaseDefinition(LoadedFromDefinition):
    """Phase N of a group's review: one cluster, over `length_months` from the phase's start."""

    mechanism = models.ForeignKey(Mechanism, on_delete=models.CASCADE, related_name="phases")
    number = models.PositiveSmallIntegerField(_("number"))
    cluster = models.ForeignKey(Cluster, verbose_name=_("cluster"), on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["mechanism", "number"]
        constraints = [
            models.UniqueConstraint(fields=["mechanism", "number"], name="phase_number_unique")
        ]

    def __str__(self) -> str:
        return str(
            _("Phase %(number)s: %(cluster)s") % {"number": self.number, "cluster": self.cluster}
        )


class ReviewGroup(LoadedFromDefinition):
    """A group of States parties formed by lot (para 17), starting its reviews on a given date."""

    mechanism = models.ForeignKey(Mechanism, on_delete=models.CASCADE, related_name="groups")
    number = models.PositiveSmallIntegerField(_("number"))
    starts_on = models.DateField(_("starts on"))
    foreseen_reviews = models.PositiveSmallIntegerField(_("reviews foreseen"))

    class Meta:
        verbose_name = _("group of States parties")
        verbose_name_plural = _("groups of States parties")
        ordering = ["mechanism", "number"]
        constraints = [
            models.UniqueConstraint(fields=["mechanism", "number"], name="group_number_unique")
        ]

    def __str__(self) -> str:
        return str(_("Group %(number)s") % {"number": self.number})

    def phase_starts_on(self, phase_number: int) -> datetime.date:
        return add_months(self.starts_on, (phase_number - 1) * self.mechanism.phase_length_months)


class StepDefinition(LoadedFromDefinition):
    class SubmittedBy(models.TextChoices):
        STATE_UNDER_REVIEW = "state_under_review", _("The State under review")
        REVIEWING_STATES = "reviewing_states", _("The reviewing States")
        SECRETARIAT = "secretariat", _("The secretariat")

    mechanism = models.ForeignKey(Mechanism, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("order"))
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    optional = models.BooleanField(_("optional"), default=False)
    # Steps whose output the focal point clears and submits (para: "In each step of the review
    # process, the Focal Point clears the final submission drafted by Governmental Experts").
    cleared_by_focal_point = models.BooleanField(_("cleared by the focal point"), default=False)
    counts_as_completed = models.BooleanField(
        _("reaching this step completes the review"), default=False
    )
    submitted_by = models.CharField(
        _("output drafted and cleared by"),
        max_length=20,
        choices=SubmittedBy.choices,
        default=SubmittedBy.SECRETARIAT,
        help_text=_(
            "Whose governmental experts draft the step's output and whose focal point clears it."
        ),
    )

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        ordering = ["mechanism", "order"]
        constraints = [
            models.UniqueConstraint(fields=["mechanism", "code"], name="step_code_unique"),
            models.UniqueConstraint(fields=["mechanism", "order"], name="step_order_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # The same rule as the definition file: a focal point clears only a State's output.
        if self.cleared_by_focal_point == (self.submitted_by == self.SubmittedBy.SECRETARIAT):
            raise ValidationError(
                {
                    "submitted_by": _(
                        "A step cleared by a focal point belongs to the State under review or to "
                        "the reviewing States; any other step belongs to the secretariat."
                    )
                }
            )

    def next_step(self) -> "StepDefinition | None":
        return self.mechanism.steps.filter(order__gt=self.order).order_by("order").first()

    def previous_step(self) -> "StepDefinition | None":
        return self.mechanism.steps.filter(order__lt=self.order).order_by("-order").first()

    def is_before(self, other: "StepDefinition") -> bool:
        return self.order < other.order


class StepDeadline(LoadedFromDefinition):
    """A target date within a step: `amount` `unit` after the start or end of an anchor step (or
    of the phase, when no anchor step is named). Missing it flags and reminds; it never blocks."""

    class Unit(models.TextChoices):
        DAYS = "days", _("days")
        WEEKS = "weeks", _("weeks")
        MONTHS = "months", _("months")

    class Event(models.TextChoices):
        START = "start", _("start")
        END = "end", _("end")

    step = models.ForeignKey(StepDefinition, on_delete=models.CASCADE, related_name="deadlines")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    amount = models.PositiveSmallIntegerField(_("amount"))
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    anchor_step = models.ForeignKey(
        StepDefinition,
        verbose_name=_("counted from the step"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: counted from the start of the phase."),
    )
    anchor_event = models.CharField(
        _("counted from its"), max_length=10, choices=Event.choices, default=Event.START
    )

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        ordering = ["step", "amount"]
        constraints = [
            models.UniqueConstraint(fields=["step", "code"], name="deadline_code_unique")
        ]

    def __str__(self) -> str:
        return self.name

    def due_on(self, anchor_date: datetime.date) -> datetime.date:
        if self.unit == self.Unit.DAYS:
            return anchor_date + datetime.timedelta(days=self.amount)
        if self.unit == self.Unit.WEEKS:
            return anchor_date + datetime.timedelta(weeks=self.amount)
        return add_months(anchor_date, self.amount)


class ConferenceDecision(models.Model):
    """A decision of the Conference of the Parties that overrides the phase gate for a group."""

    class Effect(models.TextChoices):
        OPEN_NEXT_PHASE = "open", _("Open the next phase whatever the completion rate")
        HOLD_NEXT_PHASE = "hold", _("Hold the next phase whatever the completion rate")

    mechanism = models.ForeignKey(
        Mechanism, on_delete=models.CASCADE, related_name="conference_decisions"
    )
    group = models.ForeignKey(
        ReviewGroup,
        verbose_name=_("group"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Empty: the decision applies to every group."),
    )
    phase_number = models.PositiveSmallIntegerField(_("phase it opens or holds"))
    effect = models.CharField(_("effect"), max_length=10, choices=Effect.choices)
    decided_on = models.DateField(_("decided on"))
    reference = models.CharField(
        _("reference"), max_length=120, help_text=_("e.g. resolution 12/2")
    )
    text = models.TextField(_("text"), blank=True)

    class Meta:
        verbose_name = _("Conference decision")
        verbose_name_plural = _("Conference decisions")
        ordering = ["-decided_on"]

    def __str__(self) -> str:
        return self.reference
