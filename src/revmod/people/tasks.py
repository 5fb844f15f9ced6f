"""Account emails, sent in the background in the language the recipient reads."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from revmod.people import tokens
from revmod.people.models import ActivationLink, User

SUBJECTS = {
    "invitation": _("Your account on %(product)s: choose your password"),
    "clarification": _("Your profile on %(product)s: the secretariat asks for clarification"),
    "approved": _("Your profile on %(product)s has been approved"),
}
# Where the button of each email leads, when the sender gives no link of its own.
LINKS = {"clarification": "people:profile", "approved": "people:login"}


def absolute_url(viewname: str, *, language: str, **kwargs) -> str:
    """The full address of a page, in the given language (pages carry it in their path)."""
    with translation.override(language):
        path = reverse(viewname, kwargs=kwargs or None)
    return settings.SITE_URL.rstrip("/") + path


def activation_url(user: User, raw_token: str) -> str:
    # The link opens in the language the person reads, whatever the secretariat's language.
    return absolute_url("people:activate", language=user.preferred_language, token=raw_token)


@task()
def send_account_email(user_id: int, kind: str, link_id: int | None = None) -> None:
    user = User.objects.get(pk=user_id)
    link = None
    if link_id is not None:
        nonce = ActivationLink.objects.values_list("nonce", flat=True).get(pk=link_id)
        link = activation_url(user, tokens.raw_token(nonce))
    with translation.override(user.preferred_language):
        language = translation.get_language()
        subject = str(SUBJECTS[kind]) % {"product": settings.PRODUCT_NAME}
        context = {
            "user": user,
            "subject": subject,
            "link": link or absolute_url(LINKS[kind], language=language),
            "product": settings.PRODUCT_NAME,
            "expires_at": (
                user.activation_links.filter(used_at=None, revoked_at=None)
                .values_list("expires_at", flat=True)
                .first()
            ),
        }
        text = render_to_string(f"people/email/{kind}.txt", context)
        html = render_to_string(f"people/email/{kind}.html", context)
    message = EmailMultiAlternatives(
        subject, text, to=[user.email], headers={"Content-Language": language}
    )
    message.attach_alternative(html, "text/html")
    message.send()
