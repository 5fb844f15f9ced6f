"""Self-assessment questionnaires: templates authored as spreadsheets (revmod.questionnaires
.spreadsheets), the response of a State under review to the template of its phase, its answers
and the frozen versions its focal point submitted.

The models only hold state; every write goes through revmod.questionnaires.services.
Para 40: responses are confidential to the people nominated in the review and the secretariat;
every read goes through `visible_to(user)`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from revmod.mechanisms.models import Cluster, Mechanism
from revmod.parties.models import Instrument
from revmod.people.models import Nomination
from revmod.reviews.models import CountryReview, ReviewPhase


def translated(texts: dict, language: str | None = None) -> str:
    """The text in the reader's language, or the English one (always present)."""
    texts = texts or {}
    language = language or get_language() or "en"
    return texts.get(language) or texts.get("en") or ""


class QuestionnaireTemplate(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    mechanism = models.ForeignKey(
        Mechanism, verbose_name=_("mechanism"), on_delete=models.PROTECT, related_name="+"
    )
    cluster = models.ForeignKey(
        Cluster, verbose_name=_("cluster"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    imported_file_name = models.CharField(_("imported from"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("questionnaire template")
        verbose_name_plural = _("questionnaire templates")
        ordering = ["mechanism", "cluster__number", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["mechanism", "cluster", "version"], name="template_version_unique"
            )
        ]

    def __str__(self) -> str:
        return str(
            _("Questionnaire for %(cluster)s, version %(version)s")
            % {"cluster": self.cluster, "version": self.version}
        )


class Question(models.Model):
    class Type(models.TextChoices):
        YES_NO_PARTIALLY = "yes_no_partially", _("Yes / no / partially")
        TEXT = "text", _("Free text")
        CHOICE = "choice", _("One choice")
        MULTIPLE_CHOICE = "multiple_choice", _("Several choices")
        LEGISLATION = "legislation", _("Legislation (reference and link)")
        TABLE = "table", _("Table (repeating rows)")
        NOTE = "note", _("Note (no answer)")

    template = models.ForeignKey(
        QuestionnaireTemplate,
        verbose_name=_("template"),
        on_delete=models.CASCADE,
        related_name="questions",
    )
    order = models.PositiveIntegerField(_("order"))
    code = models.SlugField(_("code"), max_length=60)
    instrument = models.ForeignKey(
        Instrument, verbose_name=_("instrument"), on_delete=models.PROTECT, related_name="+"
    )
    article = models.CharField(_("article"), max_length=12)
    type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    # {language code: text}; English is always present (the import refuses a row without it).
    labels = models.JSONField(_("labels"), default=dict)
    hints = models.JSONField(_("hints"), default=dict, blank=True)
    choice_list = models.CharField(_("choice list"), max_length=60, blank=True)
    # [{"name": ..., "labels": {language: text}}]; the columns of a table question.
    choices = models.JSONField(_("choices"), default=list, blank=True)
    # Show only when the answer to `relevant_question` is one of `relevant_values`.
    relevant_question = models.CharField(_("shown when question"), max_length=60, blank=True)
    relevant_values = models.JSONField(_("has one of the values"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["template", "order"]
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="question_code_unique")
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def label(self) -> str:
        return translated(self.labels)

    @property
    def hint(self) -> str:
        return translated(self.hints)

    @property
    def section_key(self) -> str:
        return f"{self.instrument_id}-{self.article}"


def _nominated_reviews(user):
    return Nomination.objects.current().filter(person=user).values("review_id")


def _own_state_reviews(user):
    # The reviews in which `user` acts for the State under review.
    return (
        Nomination.objects.current()
        .filter(person=user, state_id=models.F("review__state_id"))
        .values("review_id")
    )


class ResponseQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Para 40: the secretariat, and the people nominated in the review; a draft never
        submitted only to the State under review's own people."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_secretariat:
            return self
        return self.filter(
            Q(review_id__in=_own_state_reviews(user))
            | Q(review_id__in=_nominated_reviews(user), submitted_version__gt=0)
        )


class Response(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    review = models.ForeignKey(
        CountryReview, verbose_name=_("review"), on_delete=models.PROTECT, related_name="+"
    )
    phase = models.ForeignKey(
        ReviewPhase, verbose_name=_("phase"), on_delete=models.PROTECT, related_name="+"
    )
    template = models.ForeignKey(
        QuestionnaireTemplate,
        verbose_name=_("template"),
        on_delete=models.PROTECT,
        related_name="responses",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # The number of the latest version submitted; 0 before the first submission.
    submitted_version = models.PositiveIntegerField(_("version submitted"), default=0)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("questionnaire response")
        verbose_name_plural = _("questionnaire responses")
        ordering = ["review_id", "phase_id"]
        constraints = [models.UniqueConstraint(fields=["phase"], name="one_response_per_phase")]

    def __str__(self) -> str:
        return str(_("Responses of %(state)s") % {"state": self.review.state})


class AnswerQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The working answers: the secretariat and the State under review's people; the other
        people of the review only while they equal the submitted version (not reopened)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_secretariat:
            return self
        return self.filter(
            Q(response__review_id__in=_own_state_reviews(user))
            | Q(
                response__review_id__in=_nominated_reviews(user),
                response__status=Response.Status.SUBMITTED,
            )
        )


class Answer(models.Model):
    response = models.ForeignKey(
        Response, verbose_name=_("response"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="+"
    )
    value = models.JSONField(_("value"), null=True, blank=True)
    # The answer keeps the language it was written in; translations are a separate record.
    language = models.CharField(_("language of the text"), max_length=10, blank=True)
    # Optimistic concurrency: a save names the version it read; a mismatch is a conflict.
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    objects = AnswerQuerySet.as_manager()

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["response_id", "question__order"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="one_answer_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.question.code}"


class ResponseVersionQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(response__in=Response.objects.visible_to(user).values("pk"))


class ResponseVersion(models.Model):
    response = models.ForeignKey(
        Response, verbose_name=_("response"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("number"))
    # {"answers": {question code: {"value": ..., "language": ...}}}, frozen at submission.
    snapshot = models.JSONField(_("answers submitted"), default=dict)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"))

    objects = ResponseVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("submitted version")
        verbose_name_plural = _("submitted versions")
        ordering = ["response_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["response", "number"], name="version_number_unique")
        ]

    def __str__(self) -> str:
        return str(_("Version %(number)s") % {"number": self.number})
