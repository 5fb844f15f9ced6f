import pytest
from django.urls import reverse

from revmod.mechanisms.models import (
    Cluster,
    ConferenceDecision,
    Mechanism,
    PhaseDefinition,
    ReviewGroup,
    StepDefinition,
)
from revmod.mechanisms.services import load_mechanism

from .helpers import UNCAC_FILE, UNTOC_FILE

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model, instruments):
    load_mechanism(UNTOC_FILE)
    load_mechanism(UNCAC_FILE)
    admin = django_user_model.objects.create_superuser("admin@example.org", "a long passphrase")
    client.force_login(admin)
    return client


MODELS = [Mechanism, Cluster, PhaseDefinition, ReviewGroup, StepDefinition, ConferenceDecision]


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_the_admin_lists_and_opens_every_mechanism_model(admin_client, model):
    opts = model._meta
    changelist = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    add = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))

    assert changelist.status_code == 200
    assert add.status_code == 200
    obj = model.objects.first()
    if obj is not None:
        change = admin_client.get(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        )
        assert change.status_code == 200


def test_the_mechanism_page_edits_its_names_in_every_language_and_its_draw_rules(admin_client):
    mechanism = Mechanism.objects.get(code="untoc")

    page = admin_client.get(reverse("admin:mechanisms_mechanism_change", args=[mechanism.pk]))

    content = page.content.decode()
    for field in ["name_ar", "name_zh_hans", "name_fr", "draw_rules-0-max_redraws"]:
        assert f'name="{field}"' in content


def test_the_step_page_edits_its_deadlines_and_offers_only_steps_of_its_own_mechanism(
    admin_client,
):
    step = StepDefinition.objects.get(mechanism__code="untoc", code="written_feedback")

    page = admin_client.get(reverse("admin:mechanisms_stepdefinition_change", args=[step.pk]))

    content = page.content.decode()
    assert 'name="deadlines-0-amount"' in content
    assert "Self-assessment questionnaire" in content
    assert "Comprehensive self-assessment checklist" not in content


def test_the_cluster_page_edits_its_articles(admin_client):
    cluster = Cluster.objects.get(mechanism__code="untoc", number=1)

    page = admin_client.get(reverse("admin:mechanisms_cluster_change", args=[cluster.pk]))

    assert 'name="articles-7-article"' in page.content.decode()


def test_the_secretariat_records_a_conference_decision_in_the_admin(admin_client):
    mechanism = Mechanism.objects.get(code="untoc")
    group = ReviewGroup.objects.get(mechanism=mechanism, number=1)

    response = admin_client.post(
        reverse("admin:mechanisms_conferencedecision_add"),
        {
            "mechanism": mechanism.pk,
            "group": group.pk,
            "phase_number": 2,
            "effect": ConferenceDecision.Effect.OPEN_NEXT_PHASE,
            "decided_on": "2024-10-18",
            "reference": "resolution 12/2",
            "text": "",
        },
    )

    assert response.status_code == 302
    decision = ConferenceDecision.objects.get()
    assert (decision.group, decision.phase_number) == (group, 2)


def test_an_edit_saved_in_the_admin_is_kept_by_the_next_load(admin_client):
    group = ReviewGroup.objects.get(mechanism__code="untoc", number=3)
    url = reverse("admin:mechanisms_reviewgroup_change", args=[group.pk])

    response = admin_client.post(
        url,
        {
            "mechanism": group.mechanism_id,
            "number": 3,
            "starts_on": "2022-11-01",
            "foreseen_reviews": 66,
        },
    )

    assert response.status_code == 302
    (conflict,) = load_mechanism(UNTOC_FILE).conflicts
    assert (conflict.object, conflict.database, conflict.file) == ("untoc: group 3", 66, 64)
    group.refresh_from_db()
    assert group.foreseen_reviews == 66
