"""People: accounts that sign in with their email, their profile, and their nominations by Note
Verbale to act for a State in a country review."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from revmod.parties.models import Language, State


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, password, **fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **fields):
        return self._create(email, password, **fields)

    def create_superuser(self, email, password=None, **fields):
        fields.update(
            is_staff=True, is_superuser=True, is_secretariat=True, status=User.Status.ACTIVE
        )
        return self._create(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        ACTIVATED = "activated", _("Activated, profile to complete")
        SUBMITTED = "submitted", _("Profile submitted")
        CLARIFICATION = "clarification", _("Clarification requested")
        ACTIVE = "active", _("Active")
        DEACTIVATED = "deactivated", _("Deactivated")

    class Gender(models.TextChoices):
        UNDISCLOSED = "", _("Not stated")
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        OTHER = "other", _("Other")

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    title = models.CharField(_("title"), max_length=40, blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True)
    organization = models.CharField(_("ministry or organization"), max_length=300, blank=True)
    phone = models.CharField(_("telephone"), max_length=40, blank=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    state = models.ForeignKey(
        State,
        verbose_name=_("State"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="officials",
    )
    languages = models.ManyToManyField(
        Language, verbose_name=_("working languages"), blank=True, related_name="speakers"
    )
    preferred_language = models.CharField(_("preferred language"), max_length=10, default="en")
    is_secretariat = models.BooleanField(_("secretariat staff"), default=False)
    is_staff = models.BooleanField(_("can use the admin"), default=False)
    status = models.CharField(
        _("account status"), max_length=20, choices=Status.choices, default=Status.INVITED
    )
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    clarification_request = models.TextField(_("clarification requested"), blank=True)
    date_joined = models.DateTimeField(_("registered at"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        # Invited and activated accounts may sign in to complete their profile; deactivated never.
        return self.status != self.Status.DEACTIVATED

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class ActivationLink(models.Model):
    """A one-time link sent to an invited person. Only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="activation_links")
    # The mechanism whose rules set the link's lifetime; a re-sent link follows the same rules.
    mechanism = models.ForeignKey(
        "mechanisms.Mechanism",
        verbose_name=_("mechanism"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    token_hash = models.CharField(max_length=64, unique=True)
    # With the secret key, gives back the raw token (revmod.people.tokens) when the email is sent.
    nonce = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("activation link")
        verbose_name_plural = _("activation links")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d}"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.used_at is None and self.revoked_at is None and now < self.expires_at


class NoteVerbale(models.Model):
    """The note by which a Permanent Mission nominates officials (and names who leaves)."""

    state = models.ForeignKey(
        State, verbose_name=_("State"), on_delete=models.PROTECT, related_name="notes_verbales"
    )
    reference = models.CharField(_("reference"), max_length=120)
    dated_on = models.DateField(_("dated"))
    received_on = models.DateField(_("received on"))
    summary = models.TextField(_("summary"), blank=True)
    registered_by = models.ForeignKey(
        User, verbose_name=_("registered by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)

    class Meta:
        verbose_name = _("Note Verbale")
        verbose_name_plural = _("Notes Verbales")
        ordering = ["-received_on"]
        constraints = [
            models.UniqueConstraint(fields=["state", "reference"], name="note_reference_unique")
        ]

    def __str__(self) -> str:
        return self.reference


class NominationQuerySet(models.QuerySet):
    def current(self):
        return self.filter(ends_on__isnull=True)

    def active_on(self, day):
        return self.filter(starts_on__lte=day).filter(Q(ends_on__isnull=True) | Q(ends_on__gt=day))

    def visible_to(self, user):
        """Secretariat: all. Others: the nominations of the reviews they take part in."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_secretariat:
            return self
        reviews = Nomination.objects.filter(person=user).current().values("review_id")
        return self.filter(review_id__in=reviews)


class Nomination(models.Model):
    # The end reason a replacement records; shown translated, stored as a stable code.
    REPLACED = "replaced"

    class Role(models.TextChoices):
        FOCAL_POINT = "focal_point", _("Focal point")
        EXPERT = "expert", _("Governmental expert")
        OBSERVER = "observer", _("Observer")

    person = models.ForeignKey(
        User, verbose_name=_("person"), on_delete=models.PROTECT, related_name="nominations"
    )
    state = models.ForeignKey(
        State, verbose_name=_("State"), on_delete=models.PROTECT, related_name="nominations"
    )
    review = models.ForeignKey(
        "reviews.CountryReview",
        verbose_name=_("review"),
        on_delete=models.PROTECT,
        related_name="nominations",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    starts_on = models.DateField(_("from"))
    # Empty while the nomination is current; set when it ends (replaced, withdrawn, review closed).
    ends_on = models.DateField(_("until"), null=True, blank=True)
    note_verbale = models.ForeignKey(
        NoteVerbale,
        verbose_name=_("Note Verbale"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="nominations",
    )
    ending_note_verbale = models.ForeignKey(
        NoteVerbale,
        verbose_name=_("ended by Note Verbale"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ended_nominations",
    )
    end_reason = models.CharField(_("reason for ending"), max_length=300, blank=True)
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = NominationQuerySet.as_manager()

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["review", "state", "role", "starts_on"]
        constraints = [
            # Para: exactly one active focal point per State per review at any time.
            models.UniqueConstraint(
                fields=["review", "state"],
                condition=Q(role="focal_point", ends_on__isnull=True),
                name="one_current_focal_point_per_state_and_review",
            ),
            models.UniqueConstraint(
                fields=["review", "state", "person", "role"],
                condition=Q(ends_on__isnull=True),
                name="one_current_nomination_per_person_role",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="nomination_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_role_display()} ({self.state}, {self.review})"

    @property
    def end_reason_display(self) -> str:
        if self.end_reason == self.REPLACED:
            return str(_("Replaced"))
        return self.end_reason


class FollowUpAction(models.Model):
    """A contact the secretariat made to obtain a State's nominations or an answer from its focal
    point (through its Permanent Mission or a UNODC office), and what came of it."""

    class Channel(models.TextChoices):
        PERMANENT_MISSION = "permanent_mission", _("Permanent Mission")
        FIELD_OFFICE = "field_office", _("UNODC field office")
        REGIONAL_OFFICE = "regional_office", _("UNODC regional office")
        OTHER = "other", _("Other")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")
        NOMINATION_RECEIVED = "nomination_received", _("Nomination received")
        NO_ANSWER = "no_answer", _("No answer")
        OTHER = "other", _("Other")

    review = models.ForeignKey(
        "reviews.CountryReview",
        verbose_name=_("review"),
        on_delete=models.PROTECT,
        related_name="follow_ups",
    )
    state = models.ForeignKey(
        State, verbose_name=_("State"), on_delete=models.PROTECT, related_name="follow_ups"
    )
    channel = models.CharField(_("contacted through"), max_length=20, choices=Channel.choices)
    contacted_on = models.DateField(_("contacted on"))
    contact_person = models.CharField(_("contact person"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.PENDING
    )
    outcome_note = models.TextField(_("about the outcome"), blank=True)
    recorded_by = models.ForeignKey(
        User, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    outcome_updated_at = models.DateTimeField(_("outcome updated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")
        ordering = ["review", "state", "-contacted_on", "-id"]

    def __str__(self) -> str:
        return str(
            _("%(state)s contacted through %(channel)s on %(date)s")
            % {
                "state": self.state,
                "channel": self.get_channel_display(),
                "date": self.contacted_on,
            }
        )
