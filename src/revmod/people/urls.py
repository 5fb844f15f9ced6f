from django.contrib.auth import views as auth_views
from django.urls import path

from revmod.people import views

app_name = "people"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="people/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("activate/<str:token>/", views.activate, name="activate"),
    path("profile/", views.profile, name="profile"),
    path("pending/", views.pending, name="pending"),
    path("people/", views.people_list, name="people"),
    path("people/invite/", views.invite, name="invite"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/resend/", views.resend, name="resend"),
    path("people/<int:pk>/deactivate/", views.deactivate, name="deactivate"),
    path("nominations/new/", views.nominate, name="nominate"),
    path("nominations/<int:pk>/end/", views.end_nomination, name="end_nomination"),
    path(
        "reviews/<int:review_id>/nominations/",
        views.review_nominations,
        name="review_nominations",
    ),
]
