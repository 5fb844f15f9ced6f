"""Template helpers shared by every page."""

from django import template
from django.conf import settings
from django.utils import translation

register = template.Library()


@register.simple_tag
def product_name() -> str:
    return str(settings.PRODUCT_NAME)


@register.simple_tag(takes_context=True)
def language_choices(context) -> list[dict]:
    """The languages for the switcher, each named in itself, with the current page's address in
    that language. The address is built here because set_language can only translate an address
    whose prefix matches the language active when it runs, which is rarely the page's."""
    current = translation.get_language()
    path = context["request"].get_full_path()
    prefix = f"/{current}/"
    return [
        {
            "code": code,
            # The names in settings are already in their own language: never translate them.
            "name": name,
            "next": f"/{code}/{path.removeprefix(prefix)}" if path.startswith(prefix) else path,
            "current": code == current,
        }
        for code, name in settings.LANGUAGES
    ]
