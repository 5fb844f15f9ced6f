"""The drawing of lots, stored: each draw of one group's reviews for one phase, the reviewing
States it assigned, and every redraw asked for since.

The lots themselves are drawn by the pure module `revmod.reviews.draw`; these rows keep what it
returned (the seed, the rules it applied, the pool of every pick), so that a draw can be replayed
and audited. Rows change only through the domain functions of `revmod.draws.services`.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from revmod.mechanisms.models import Mechanism, ReviewGroup
from revmod.parties.models import State
from revmod.reviews.models import CountryReview


class Draw(models.Model):
    class Status(models.TextChoices):
        PREVIEW = "preview", _("Preview")
        CONFIRMED = "confirmed", _("Confirmed")
        DISCARDED = "discarded", _("Discarded")

    mechanism = models.ForeignKey(
        Mechanism, verbose_name=_("mechanism"), on_delete=models.PROTECT, related_name="draws"
    )
    group = models.ForeignKey(
        ReviewGroup, verbose_name=_("group"), on_delete=models.PROTECT, related_name="draws"
    )
    phase_number = models.PositiveSmallIntegerField(_("phase"))
    seed = models.PositiveBigIntegerField(_("seed"))
    parties_on = models.DateField(
        _("parties as of"), help_text=_("The day whose party statuses made the candidates.")
    )
    rules = models.JSONField(_("rules applied"), default=dict)
    pools = models.JSONField(_("candidate pools"), default=list)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PREVIEW
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drawn by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("drawn at"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    discarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("discarded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    discarded_at = models.DateTimeField(_("discarded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("drawing of lots")
        verbose_name_plural = _("drawings of lots")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return str(
            _("Draw of %(group)s, phase %(phase)s (%(mechanism)s)")
            % {"group": self.group, "phase": self.phase_number, "mechanism": self.mechanism}
        )


class Slot(models.TextChoices):
    """The same values as `revmod.reviews.draw.Slot`."""

    SAME_GROUP = "same_group", _("Same regional group")
    OTHER_GROUP = "other_group", _("Another regional group")
    ANY_GROUP = "any_group", _("Any regional group")

    @classmethod
    def order(cls, value: str) -> int:
        """The place of a slot kind in listings: in the order the draw fills them."""
        return cls.values.index(value)


class AssignmentQuerySet(models.QuerySet):
    def in_force(self):
        """The reviewers a review has now: active assignments of confirmed draws."""
        return self.filter(active=True, draw__status=Draw.Status.CONFIRMED)


class Assignment(models.Model):
    """One reviewing State of one review, for a slot and the instruments it reviews."""

    draw = models.ForeignKey(
        Draw, verbose_name=_("draw"), on_delete=models.CASCADE, related_name="assignments"
    )
    review = models.ForeignKey(
        CountryReview,
        verbose_name=_("review"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    reviewer = models.ForeignKey(
        State,
        verbose_name=_("reviewing State"),
        on_delete=models.PROTECT,
        related_name="review_assignments",
    )
    slot = models.CharField(_("slot"), max_length=12, choices=Slot.choices)
    instruments = models.JSONField(_("instruments reviewed"), default=list)
    additional = models.BooleanField(_("additional draw"), default=False)
    active = models.BooleanField(_("active"), default=True)
    replaced_by = models.OneToOneField(
        "self",
        verbose_name=_("replaced by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaces",
    )
    # The redraw that drew this assignment; empty for one of the draw itself.
    redraw = models.ForeignKey(
        "Redraw",
        verbose_name=_("drawn by the redraw"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
    )

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("reviewer assignment")
        verbose_name_plural = _("reviewer assignments")
        ordering = ["draw", "review", "pk"]

    def __str__(self) -> str:
        return str(
            _("%(reviewer)s reviews %(state)s")
            % {"reviewer": self.reviewer, "state": self.review.state}
        )

    def listing_key(self) -> tuple:
        """Listings show each review's assignments by slot, main reviewer before additional."""
        return (str(self.review.state), Slot.order(self.slot), self.additional, self.pk)


class Redraw(models.Model):
    """A reviewer replaced by lot on request, with the reason and the pool it was drawn from."""

    draw = models.ForeignKey(
        Draw, verbose_name=_("draw"), on_delete=models.CASCADE, related_name="redraws"
    )
    replaced = models.OneToOneField(
        Assignment,
        verbose_name=_("assignment replaced"),
        on_delete=models.PROTECT,
        related_name="redrawn_by",
    )
    new_assignment = models.OneToOneField(
        Assignment,
        verbose_name=_("new assignment"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        State, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("redrawn by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))
    seed = models.PositiveBigIntegerField(_("seed"))
    pools = models.JSONField(_("candidate pools"), default=list)

    class Meta:
        verbose_name = _("redraw")
        verbose_name_plural = _("redraws")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return str(
            _("%(new)s replaces %(old)s")
            % {"new": self.new_assignment.reviewer, "old": self.replaced.reviewer}
        )
