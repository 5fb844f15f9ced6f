"""Account emails, sent in the background in the language the recipient reads."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from revmod.people.models import User

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


@task()
def send_account_email(user_id: int, kind: str, link: str | None = None) -> None:
    user = User.objects.get(pk=user_id)
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
