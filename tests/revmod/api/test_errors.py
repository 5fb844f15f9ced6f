from rest_framework import exceptions

from revmod.api.errors import json_exception_handler
from revmod.core.domain import DomainError, NotAllowed


def handle(exc):
    return json_exception_handler(exc, {})


def test_a_refused_business_rule_is_a_400_with_its_message_as_reason():
    response = handle(DomainError("The review is closed."))
    assert response.status_code == 400
    assert response.data == {"reason": "The review is closed.", "errors": ["The review is closed."]}


def test_a_refused_permission_is_a_403_with_the_reason_given():
    response = handle(NotAllowed("Only the focal point clears a submission."))
    assert response.status_code == 403
    assert response.data == {"reason": "Only the focal point clears a submission."}


def test_a_plain_validation_message_becomes_the_reason():
    response = handle(exceptions.ValidationError("The date is not valid."))
    assert response.status_code == 400
    assert response.data["reason"] == "The date is not valid."


def test_errors_about_no_single_field_read_as_the_reason():
    response = handle(exceptions.ValidationError({"non_field_errors": ["Wrong password."]}))
    assert response.data["reason"] == "Wrong password."


def test_errors_per_field_keep_their_fields_under_errors():
    response = handle(exceptions.ValidationError({"email": ["This field is required."]}))
    assert response.status_code == 400
    assert response.data == {
        "reason": "Invalid input.",
        "errors": {"email": ["This field is required."]},
    }


def test_an_error_with_a_detail_gives_that_detail_as_reason():
    response = handle(exceptions.NotFound())
    assert response.status_code == 404
    assert response.data == {"reason": "Not found."}
