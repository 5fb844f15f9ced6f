from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from revmod.api import views

app_name = "api"

router = DefaultRouter()
router.register("mechanisms", views.MechanismViewSet, basename="mechanism")
router.register("instruments", views.InstrumentViewSet, basename="instrument")
router.register("clusters", views.ClusterViewSet, basename="cluster")
router.register("regional-groups", views.RegionalGroupViewSet, basename="regional-group")
router.register("parties", views.PartyViewSet, basename="party")
router.register("reviews", views.ReviewViewSet, basename="review")
router.register("steps", views.StepViewSet, basename="step")
router.register("extensions", views.ExtensionViewSet, basename="extension")
router.register("assignments", views.AssignmentViewSet, basename="assignment")
router.register("draws", views.DrawViewSet, basename="draw")
router.register("audit", views.AuditEventViewSet, basename="audit-event")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("auth/token/", obtain_auth_token, name="token"),
    path("gate/", views.GateView.as_view(), name="gate"),
    path("nomination-health/", views.NominationHealthView.as_view(), name="nomination-health"),
    path("", include(router.urls)),
]
