"""Who may do what with accounts, profiles and nominations.

The predicates are registered as permissions ("people.invite_user", …) that the domain functions,
the views and the admin all ask through `user.has_perm`, so they give the same answer everywhere.
"""

import rules


@rules.predicate
def is_secretariat(user) -> bool:
    # Secretariat powers need an approved account: an invited or deactivated one acts for no one.
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_secretariat
        and user.status == user.Status.ACTIVE
    )


@rules.predicate
def is_self(user, person) -> bool:
    return bool(getattr(user, "is_authenticated", False) and person is not None and user == person)


SECRETARIAT_PERMISSIONS = [
    "invite_user",
    "resend_activation",
    "approve_profile",
    "request_clarification",
    "deactivate_user",
    "register_note_verbale",
    "nominate",
    "replace_focal_point",
    "end_nomination",
    "list_people",
    "view_review_nominations",
    "view_nomination_health",
    "record_follow_up",
    # The admin asks for the model permissions; writes there still go through the services.
    "view_user",
    "change_user",
    "view_activationlink",
    "view_noteverbale",
    "add_noteverbale",
    "view_nomination",
    "add_nomination",
]

for name in SECRETARIAT_PERMISSIONS:
    rules.add_perm(f"people.{name}", is_secretariat)

# The admin index shows the app to whoever holds this module permission.
rules.add_perm("people", is_secretariat)
rules.add_perm("people.submit_profile", is_self)
rules.add_perm("people.view_person", is_secretariat | is_self)
