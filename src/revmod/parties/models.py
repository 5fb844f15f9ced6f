"""World reference data: languages, regional groups, treaties (instruments), States and the date
each became party to each instrument. Nothing here depends on a review mechanism."""

import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Language(models.Model):
    code = models.CharField(_("code"), max_length=10, primary_key=True)
    name = models.CharField(_("name"), max_length=60)
    native_name = models.CharField(_("name in the language"), max_length=60)
    right_to_left = models.BooleanField(_("written right to left"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("language")
        verbose_name_plural = _("languages")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class RegionalGroup(models.Model):
    code = models.CharField(_("code"), max_length=10, primary_key=True)
    name = models.CharField(_("name"), max_length=120)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("regional group")
        verbose_name_plural = _("regional groups")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class Instrument(models.Model):
    """A treaty that States become party to: a convention or one of its protocols."""

    code = models.CharField(_("code"), max_length=12, primary_key=True)
    name = models.CharField(_("name"), max_length=300)
    short_name = models.CharField(_("short name"), max_length=80)
    # A State must be party to the parent convention before it can be party to a protocol.
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent convention"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="protocols",
    )
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.short_name or self.code


class StateQuerySet(models.QuerySet):
    def parties_to(self, instrument_code: str, *, on: datetime.date):
        """The States party to an instrument on a day."""
        statuses = PartyStatus.objects.on(on).filter(instrument_id=instrument_code)
        return self.filter(code__in=statuses.values("state_id"))


class State(models.Model):
    """A State (or a regional economic integration organization such as the European Union)."""

    class Kind(models.TextChoices):
        STATE = "state", _("State")
        ORGANIZATION = "organization", _("Regional economic integration organization")

    code = models.CharField(
        _("code"), max_length=3, primary_key=True, help_text=_("ISO 3166-1 alpha-3")
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.STATE)
    regional_group = models.ForeignKey(
        RegionalGroup,
        verbose_name=_("regional group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="states",
    )
    # Set by the secretariat for a party in no regional group (the European Union), so that the
    # drawing of lots knows which group counts as "its own".
    draw_group = models.ForeignKey(
        RegionalGroup,
        verbose_name=_("group for the draw"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Only for a party in no regional group: the group the draw treats as its own."),
    )

    objects = StateQuerySet.as_manager()

    class Meta:
        verbose_name = _("State")
        verbose_name_plural = _("States")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def group_for_draw(self) -> RegionalGroup | None:
        return self.regional_group or self.draw_group


class PartyStatusQuerySet(models.QuerySet):
    def on(self, day: datetime.date):
        """Statuses in force on a day: became party on or before it and not withdrawn by then."""
        return self.filter(became_party_on__lte=day).filter(
            Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day)
        )


class PartyStatus(models.Model):
    class Action(models.TextChoices):
        RATIFICATION = "ratification", _("Ratification")
        ACCESSION = "accession", _("Accession")
        ACCEPTANCE = "acceptance", _("Acceptance")
        APPROVAL = "approval", _("Approval")
        SUCCESSION = "succession", _("Succession")
        FORMAL_CONFIRMATION = "formal_confirmation", _("Formal confirmation")

    state = models.ForeignKey(
        State, verbose_name=_("State"), on_delete=models.CASCADE, related_name="party_statuses"
    )
    instrument = models.ForeignKey(
        Instrument,
        verbose_name=_("instrument"),
        on_delete=models.PROTECT,
        related_name="party_statuses",
    )
    became_party_on = models.DateField(
        _("became party on"),
        help_text=_("Date of deposit of the instrument of ratification, accession, etc."),
    )
    action = models.CharField(_("action"), max_length=24, choices=Action.choices)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    verified = models.BooleanField(
        _("verified"),
        default=True,
        help_text=_("Checked against the depositary's published status."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = PartyStatusQuerySet.as_manager()

    class Meta:
        verbose_name = _("party status")
        verbose_name_plural = _("party statuses")
        ordering = ["instrument", "state"]
        constraints = [
            models.UniqueConstraint(
                fields=["state", "instrument"], name="one_status_per_state_instrument"
            )
        ]

    def __str__(self) -> str:
        return f"{self.state} — {self.instrument} ({self.became_party_on})"
