from django.urls import path

from revmod.draws import views

app_name = "draws"

urlpatterns = [
    path("", views.draw_list, name="list"),
    path("new/", views.new_draw, name="new"),
    path("<int:pk>/", views.draw_detail, name="detail"),
    path("<int:pk>/confirm/", views.confirm, name="confirm"),
    path("<int:pk>/discard/", views.discard, name="discard"),
    path("<int:pk>/export/<str:file_format>/", views.export, name="export"),
    path("assignments/<int:pk>/redraw/", views.redraw, name="redraw"),
]
