from django.urls import path

from revmod.questionnaires import views

app_name = "questionnaires"

urlpatterns = [
    path(
        "reviews/<int:review_pk>/phases/<int:number>/",
        views.phase_response,
        name="phase_response",
    ),
    path("responses/<int:pk>/", views.response_page, name="response"),
    path("responses/<int:pk>/sections/<str:section>/", views.save_section, name="save_section"),
    path(
        "responses/<int:pk>/submit-for-clearance/",
        views.submit_for_clearance,
        name="submit_for_clearance",
    ),
    path("responses/<int:pk>/submit/", views.submit, name="submit"),
    path("responses/<int:pk>/versions/<int:number>/", views.version_page, name="version"),
    path("templates/<int:pk>/export/", views.export_template, name="export_template"),
]
