import pytest
from django.core.exceptions import PermissionDenied

from revmod.core import audit
from revmod.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_record_writes_an_event_with_the_target_and_its_review():
    event = audit.record("mechanism.loaded", review_id=7, state_code="FRA", data={"created": 3})
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.action, stored.review_id, stored.state_code) == ("mechanism.loaded", 7, "FRA")
    assert stored.data == {"created": 3}


def test_an_audit_event_cannot_be_changed_once_written():
    event = audit.record("review.created")
    event.action = "something.else"
    with pytest.raises(PermissionDenied):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).action == "review.created"


def test_an_audit_event_cannot_be_deleted_one_by_one_or_in_bulk():
    event = audit.record("review.created")
    with pytest.raises(PermissionDenied):
        event.delete()
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.all().delete()
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    assert AuditEvent.objects.count() == 1


def test_the_admin_offers_no_way_to_add_change_or_delete_audit_events(admin_client):
    event = audit.record("review.created")
    assert admin_client.get("/en/admin/core/auditevent/").status_code == 200
    assert admin_client.get("/en/admin/core/auditevent/add/").status_code == 403
    change = admin_client.post(f"/en/admin/core/auditevent/{event.pk}/change/", {"action": "x"})
    assert change.status_code in (302, 403) and AuditEvent.objects.get().action == "review.created"
    assert admin_client.post(f"/en/admin/core/auditevent/{event.pk}/delete/").status_code == 403
