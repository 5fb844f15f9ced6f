from django.urls import path

from revmod.reviews import views

app_name = "reviews"

urlpatterns = [
    path("", views.review_list, name="list"),
    path("audit/", views.audit_trail, name="audit"),
    path("<int:pk>/", views.review_detail, name="review"),
    path("<int:pk>/launch/", views.launch, name="launch"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/reopen/", views.reopen, name="reopen"),
    path("<int:pk>/steps/<int:step_pk>/<slug:action>/", views.step_action, name="step_action"),
    path("<int:pk>/due-dates/<int:due_date_pk>/extend/", views.extend, name="extend"),
]
