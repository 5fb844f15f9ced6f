from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("revmod.api.urls")),
]
# Pages carry the language in their address (/fr/…, /ar/…): a link opens in its language.
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("accounts/", include("revmod.people.urls")),
    path("reviews/", include("revmod.reviews.urls_health")),
    path("reviews/", include("revmod.reviews.urls")),
    path("draws/", include("revmod.draws.urls")),
    path("notifications/", include("revmod.notifications.urls")),
    path("questionnaires/", include("revmod.questionnaires.urls")),
    path("", include("revmod.core.urls")),
    prefix_default_language=True,
)
