"""Country reviews: a State under review in a mechanism and one of its groups."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from revmod.mechanisms.models import Mechanism, ReviewGroup
from revmod.parties.models import Language, State


class CountryReviewQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Secretariat: every review. Officials: the reviews they hold a current nomination in."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_secretariat:
            return self
        return self.filter(nominations__person=user, nominations__ends_on__isnull=True).distinct()


class CountryReview(models.Model):
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
