from django.urls import path

from revmod.reviews import views_health

app_name = "reviews_health"

urlpatterns = [
    path("health/", views_health.health, name="health"),
    path("health/<int:review_id>/<str:state_code>/", views_health.follow_ups, name="follow_ups"),
    path("languages/", views_health.languages, name="languages"),
    path("gate/", views_health.gate, name="gate"),
]
