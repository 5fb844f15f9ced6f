"""Domain functions for accounts, profiles and nominations: the only way they are written.

Each function checks permission, validates, writes, records an audit event and enqueues its
emails once the transaction commits.
"""

import datetime
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from revmod.core import audit
from revmod.core.domain import DomainError, NotAllowed
from revmod.mechanisms.models import Mechanism
from revmod.parties.models import Language, State
from revmod.people import tokens
from revmod.people.models import ActivationLink, FollowUpAction, Nomination, NoteVerbale, User
from revmod.people.tasks import send_account_email
from revmod.reviews.health import states_taking_part
from revmod.reviews.models import CountryReview


def _require(actor, permission: str, obj=None, *, reason: str) -> None:
    if not (actor is not None and actor.has_perm(permission, obj)):
        raise NotAllowed(reason)


@contextmanager
def _refused_on_conflict(refuse) -> Iterator[None]:
    """Turn a unique constraint violation (a concurrent write won the race) into the refusal
    the checks before the write give: `refuse()` raises it once the other write is visible."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        refuse()
        raise DomainError(
            _("Someone else changed this record at the same time. Try again.")
        ) from error


def _lock(obj):
    """Lock the row until the transaction ends and reload the caller's instance from it."""
    obj.refresh_from_db(from_queryset=obj._meta.model._default_manager.select_for_update())
    return obj


def _format_date(day: datetime.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def _set_status(user: User, status: str, now=None) -> None:
    user.status = status
    user.status_changed_at = now or timezone.now()


def _enqueue_email(user: User, kind: str, link_id: int | None = None) -> None:
    # The task gets the link's id, never the raw token: task arguments are stored in the queue.
    user_id = user.pk
    transaction.on_commit(lambda: send_account_email.enqueue(user_id, kind, link_id=link_id))


# --- Accounts ---------------------------------------------------------------------------------


def _issue_activation_link(user: User, mechanism: Mechanism, now=None) -> ActivationLink:
    now = now or timezone.now()
    nonce = tokens.new_nonce()
    return ActivationLink.objects.create(
        user=user,
        mechanism=mechanism,
        nonce=nonce,
        token_hash=tokens.hash_token(tokens.raw_token(nonce)),
        created_at=now,
        expires_at=now + datetime.timedelta(days=mechanism.activation_link_days),
    )


def _clean_language(code: str) -> str:
    if code not in dict(settings.LANGUAGES):
        raise DomainError(
            _("“%(code)s” is not one of the languages of the interface.") % {"code": code}
        )
    return code


@transaction.atomic
def invite_user(
    *,
    actor,
    email: str,
    full_name: str,
    state: State | None,
    preferred_language: str,
    mechanism: Mechanism,
    is_secretariat: bool = False,
) -> tuple[User, str]:
    """Register a person named by a Note Verbale (or a secretariat colleague) and send them an
    activation link. Returns the user and the raw token (only its hash is stored)."""
    _require(actor, "people.invite_user", reason=_("Only the secretariat can invite people."))
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(
            _("“%(email)s” is not a valid email address.") % {"email": email}
        ) from None
    full_name = (full_name or "").strip()
    if not full_name:
        raise DomainError(_("Enter the person's full name."))
    if state is None and not is_secretariat:
        raise DomainError(_("Choose the State whose official this person is."))
    preferred_language = _clean_language(preferred_language)

    def refuse_duplicate() -> None:
        if User.objects.filter(email__iexact=email).exists():
            raise DomainError(
                _("An account with the email address %(email)s already exists.") % {"email": email}
            )

    refuse_duplicate()
    with _refused_on_conflict(refuse_duplicate):
        user = User.objects.create_user(
            email=email,
            full_name=full_name,
            state=state,
            preferred_language=preferred_language,
            is_secretariat=is_secretariat,
            status=User.Status.INVITED,
        )
    link = _issue_activation_link(user, mechanism)
    audit.record(
        "people.user_invited",
        actor=actor,
        target=user,
        state_code=state.code if state else "",
        data={"email": email, "is_secretariat": is_secretariat, "mechanism": mechanism.code},
    )
    _enqueue_email(user, "invitation", link_id=link.pk)
    return user, tokens.raw_token(link.nonce)


@transaction.atomic
def resend_activation(*, actor, user: User, mechanism: Mechanism | None = None) -> str:
    """Revoke the person's earlier links and send a new one. Without a mechanism, the new link
    follows the rules of the mechanism the last link was issued for."""
    _require(
        actor,
        "people.resend_activation",
        user,
        reason=_("Only the secretariat can re-send an activation link."),
    )
    _lock(user)
    if user.status != User.Status.INVITED:
        raise DomainError(
            _("%(person)s has already activated the account: there is no link to re-send.")
            % {"person": user}
        )
    links = ActivationLink.objects.filter(user=user)
    if mechanism is None:
        last = links.exclude(mechanism=None).select_related("mechanism").first()
        mechanism = last.mechanism if last is not None else None
    if mechanism is None:
        raise DomainError(_("Choose the mechanism whose rules the new link follows."))
    now = timezone.now()
    revoked = links.filter(used_at=None, revoked_at=None).update(revoked_at=now)
    link = _issue_activation_link(user, mechanism, now=now)
    audit.record(
        "people.activation_resent",
        actor=actor,
        target=user,
        state_code=user.state_id or "",
        data={"revoked_links": revoked, "mechanism": mechanism.code},
    )
    _enqueue_email(user, "invitation", link_id=link.pk)
    return tokens.raw_token(link.nonce)


def check_activation_link(raw_token: str, *, now=None) -> ActivationLink:
    """The link behind a token, if it can still be used; otherwise a DomainError that tells the
    person what happened and what to do."""
    now = now or timezone.now()
    link = (
        ActivationLink.objects.select_related("user")
        .filter(token_hash=tokens.hash_token(raw_token))
        .first()
    )
    if link is None:
        raise DomainError(
            _(
                "This activation link is not valid. Check that you copied the whole address, "
                "or ask the secretariat to send you a new link."
            )
        )
    if link.used_at is not None or link.user.status != User.Status.INVITED:
        raise DomainError(
            _(
                "This activation link has already been used. Sign in with your email address "
                "and password."
            )
        )
    if link.revoked_at is not None:
        raise DomainError(
            _(
                "This activation link has been replaced by a newer one. Use the link in the most "
                "recent email you received, or ask the secretariat to send you a new link."
            )
        )
    if now >= link.expires_at:
        raise DomainError(
            _(
                "This activation link expired on %(date)s. Ask the secretariat to send you a "
                "new link: they can re-send it at any time."
            )
            % {"date": _format_date(timezone.localdate(link.expires_at))}
        )
    return link


@transaction.atomic
def activate_account(*, raw_token: str, password: str, now=None) -> User:
    now = now or timezone.now()
    link = check_activation_link(raw_token, now=now)
    link = ActivationLink.objects.select_for_update().select_related("user").get(pk=link.pk)
    if link.used_at is not None:
        # Used by a concurrent request between the check and the lock.
        raise DomainError(_("This activation link has already been used."))
    user = link.user
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise DomainError(error.messages) from None
    user.set_password(password)
    _set_status(user, User.Status.ACTIVATED, now)
    user.save(update_fields=["password", "status", "status_changed_at"])
    link.used_at = now
    link.save(update_fields=["used_at"])
    audit.record(
        "people.account_activated", actor=user, target=user, state_code=user.state_id or "", at=now
    )
    return user


# --- Profiles ---------------------------------------------------------------------------------


@transaction.atomic
def submit_profile(
    *,
    actor,
    user: User,
    full_name: str,
    title: str = "",
    position: str = "",
    organization: str = "",
    phone: str = "",
    gender: str = "",
    languages: Iterable[str] = (),
    preferred_language: str = "en",
) -> User:
    _require(
        actor, "people.submit_profile", user, reason=_("You can only submit your own profile.")
    )
    _lock(user)
    if user.status not in (User.Status.ACTIVATED, User.Status.CLARIFICATION):
        raise DomainError(
            _("Your profile cannot be submitted now: its status is “%(status)s”.")
            % {"status": user.get_status_display()}
        )
    full_name = (full_name or "").strip()
    if not full_name:
        raise DomainError(_("Enter your full name."))
    if gender not in User.Gender.values:
        raise DomainError(_("Choose one of the options offered for gender."))
    codes = sorted(set(languages))
    chosen = list(Language.objects.filter(code__in=codes))
    if len(chosen) != len(codes) or not chosen:
        raise DomainError(_("Choose at least one working language among the languages offered."))
    user.full_name = full_name
    user.title = title.strip()
    user.position = position.strip()
    user.organization = organization.strip()
    user.phone = phone.strip()
    user.gender = gender
    user.preferred_language = _clean_language(preferred_language)
    _set_status(user, User.Status.SUBMITTED)
    user.save()
    user.languages.set(chosen)
    audit.record(
        "people.profile_submitted",
        actor=actor,
        target=user,
        state_code=user.state_id or "",
        data={"languages": codes},
    )
    return user


def _require_submitted(user: User) -> None:
    if user.status != User.Status.SUBMITTED:
        raise DomainError(
            _("The profile of %(person)s is not waiting for approval (its status is “%(status)s”).")
            % {"person": user, "status": user.get_status_display()}
        )


@transaction.atomic
def approve_profile(*, actor, user: User) -> User:
    _require(
        actor,
        "people.approve_profile",
        user,
        reason=_("Only the secretariat can approve profiles."),
    )
    _lock(user)
    _require_submitted(user)
    _set_status(user, User.Status.ACTIVE)
    user.clarification_request = ""
    user.save(update_fields=["status", "status_changed_at", "clarification_request"])
    audit.record(
        "people.profile_approved", actor=actor, target=user, state_code=user.state_id or ""
    )
    _enqueue_email(user, "approved")
    return user


@transaction.atomic
def request_clarification(*, actor, user: User, message: str) -> User:
    _require(
        actor,
        "people.request_clarification",
        user,
        reason=_("Only the secretariat can ask for clarification of a profile."),
    )
    message = (message or "").strip()
    if not message:
        raise DomainError(_("Say what the person should clarify or correct."))
    _lock(user)
    _require_submitted(user)
    _set_status(user, User.Status.CLARIFICATION)
    user.clarification_request = message
    user.save(update_fields=["status", "status_changed_at", "clarification_request"])
    audit.record(
        "people.clarification_requested",
        actor=actor,
        target=user,
        state_code=user.state_id or "",
        data={"message": message},
    )
    _enqueue_email(user, "clarification")
    return user


@transaction.atomic
def deactivate_user(*, actor, user: User, reason: str) -> User:
    """Close the account and end the person's current nominations with the same reason."""
    _require(
        actor,
        "people.deactivate_user",
        user,
        reason=_("Only the secretariat can deactivate accounts."),
    )
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for deactivating the account."))
    if user == actor:
        raise DomainError(_("You cannot deactivate your own account."))
    _lock(user)
    if user.status == User.Status.DEACTIVATED:
        raise DomainError(_("The account of %(person)s is already deactivated.") % {"person": user})
    today = timezone.localdate()
    ended = []
    for nomination in Nomination.objects.select_for_update().filter(person=user).current():
        # A nomination that has not started yet ends the day it would have started.
        nomination.ends_on = max(today, nomination.starts_on)
        nomination.end_reason = reason
        nomination.save(update_fields=["ends_on", "end_reason"])
        ended.append(nomination.pk)
    ActivationLink.objects.filter(user=user, used_at=None, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    _set_status(user, User.Status.DEACTIVATED)
    user.save(update_fields=["status", "status_changed_at"])
    audit.record(
        "people.user_deactivated",
        actor=actor,
        target=user,
        state_code=user.state_id or "",
        data={"reason": reason, "ended_nominations": ended},
    )
    return user


# --- Notes Verbales and nominations -----------------------------------------------------------


def check_note_verbale(
    *, state: State, reference: str, dated_on: datetime.date, received_on: datetime.date
) -> None:
    """Refuse a Note Verbale that cannot be registered (the admin's form asks this too)."""
    if not reference.strip():
        raise DomainError(_("Enter the reference of the Note Verbale."))
    if received_on < dated_on:
        raise DomainError(_("A Note Verbale cannot be received before the date it bears."))
    if NoteVerbale.objects.filter(state=state, reference=reference.strip()).exists():
        raise DomainError(
            _("A Note Verbale of %(state)s with the reference %(reference)s is already registered.")
            % {"state": state, "reference": reference.strip()}
        )


@transaction.atomic
def register_note_verbale(
    *,
    actor,
    state: State,
    reference: str,
    dated_on: datetime.date,
    received_on: datetime.date,
    summary: str = "",
) -> NoteVerbale:
    _require(
        actor,
        "people.register_note_verbale",
        reason=_("Only the secretariat can register Notes Verbales."),
    )

    def check() -> None:
        check_note_verbale(
            state=state, reference=reference, dated_on=dated_on, received_on=received_on
        )

    check()
    with _refused_on_conflict(check):
        note = NoteVerbale.objects.create(
            state=state,
            reference=reference.strip(),
            dated_on=dated_on,
            received_on=received_on,
            summary=summary.strip(),
            registered_by=actor,
        )
    audit.record(
        "people.note_verbale_registered",
        actor=actor,
        target=note,
        state_code=state.code,
        data={"reference": note.reference, "dated_on": dated_on.isoformat()},
    )
    return note


def current_focal_point(review: CountryReview, state: State) -> Nomination | None:
    return (
        Nomination.objects.current()
        .filter(review=review, state=state, role=Nomination.Role.FOCAL_POINT)
        .select_related("person", "state")
        .first()
    )


def _refuse_second_focal_point(review: CountryReview, state: State) -> None:
    current = current_focal_point(review, state)
    if current is not None:
        raise DomainError(
            _(
                "%(state)s already has a focal point for this review (%(person)s, since "
                "%(date)s). Replace the focal point instead."
            )
            % {"state": state, "person": current.person, "date": _format_date(current.starts_on)}
        )


def _refuse_same_nomination(person: User, state: State, review: CountryReview, role: str) -> None:
    if (
        Nomination.objects.current()
        .filter(person=person, state=state, review=review, role=role)
        .exists()
    ):
        raise DomainError(
            _("%(person)s already holds this nomination (%(role)s, %(state)s) for this review.")
            % {"person": person, "role": Nomination.Role(role).label, "state": state}
        )


def _check_nominee(person: User, state: State, note_verbale: NoteVerbale | None) -> None:
    if person.status == User.Status.DEACTIVATED:
        raise DomainError(
            _("The account of %(person)s is deactivated: it cannot be nominated.")
            % {"person": person}
        )
    if person.state_id is None:
        raise DomainError(
            _("%(person)s is not registered as an official of any State.") % {"person": person}
        )
    if person.state_id != state.pk:
        raise DomainError(
            _("%(person)s is an official of %(person_state)s, not of %(state)s.")
            % {"person": person, "person_state": person.state, "state": state}
        )
    _check_note(note_verbale, state)


def _check_note(note_verbale: NoteVerbale | None, state: State) -> None:
    if note_verbale is not None and note_verbale.state_id != state.pk:
        raise DomainError(
            _("The Note Verbale %(reference)s comes from %(note_state)s, not from %(state)s.")
            % {"reference": note_verbale, "note_state": note_verbale.state, "state": state}
        )


def _nomination_data(nomination: Nomination) -> dict:
    return {
        "nomination": nomination.pk,
        "person": nomination.person_id,
        "role": nomination.role,
        "starts_on": nomination.starts_on.isoformat(),
        "note_verbale": nomination.note_verbale.reference if nomination.note_verbale else "",
    }


@transaction.atomic
def nominate(
    *,
    actor,
    person: User,
    state: State,
    review: CountryReview,
    role: str,
    starts_on: datetime.date,
    note_verbale: NoteVerbale | None = None,
) -> Nomination:
    _require(actor, "people.nominate", reason=_("Only the secretariat can record nominations."))
    if role not in Nomination.Role.values:
        raise DomainError(_("Choose the role of the nomination."))
    _check_nominee(person, state, note_verbale)

    def refuse() -> None:
        if role == Nomination.Role.FOCAL_POINT:
            _refuse_second_focal_point(review, state)
        _refuse_same_nomination(person, state, review, role)

    refuse()
    # The database constraint is the last line of defence against a concurrent nomination.
    with _refused_on_conflict(refuse):
        nomination = Nomination.objects.create(
            person=person,
            state=state,
            review=review,
            role=role,
            starts_on=starts_on,
            note_verbale=note_verbale,
        )
    audit.record(
        "people.nominated",
        actor=actor,
        target=nomination,
        review_id=review.pk,
        state_code=state.code,
        data=_nomination_data(nomination),
    )
    return nomination


@transaction.atomic
def replace_focal_point(
    *,
    actor,
    review: CountryReview,
    state: State,
    new_person: User,
    starts_on: datetime.date,
    note_verbale: NoteVerbale | None = None,
) -> Nomination:
    """End the current focal point's nomination the day the new one starts; both stay on record,
    the new nomination pointing to the one it replaces."""
    _require(
        actor,
        "people.replace_focal_point",
        reason=_("Only the secretariat can replace a focal point."),
    )
    old = (
        Nomination.objects.select_for_update()
        .current()
        .filter(review=review, state=state, role=Nomination.Role.FOCAL_POINT)
        .first()
    )
    if old is None:
        raise DomainError(
            _("%(state)s has no focal point for this review: nominate one instead.")
            % {"state": state}
        )
    if old.person_id == new_person.pk:
        raise DomainError(
            _("%(person)s is already the focal point of %(state)s for this review.")
            % {"person": new_person, "state": state}
        )
    _check_nominee(new_person, state, note_verbale)
    if starts_on < old.starts_on:
        raise DomainError(
            _("The new focal point cannot start before the current one started (%(date)s).")
            % {"date": _format_date(old.starts_on)}
        )
    old.ends_on = starts_on
    old.ending_note_verbale = note_verbale
    old.end_reason = Nomination.REPLACED
    old.save(update_fields=["ends_on", "ending_note_verbale", "end_reason"])
    with _refused_on_conflict(lambda: _refuse_second_focal_point(review, state)):
        new = Nomination.objects.create(
            person=new_person,
            state=state,
            review=review,
            role=Nomination.Role.FOCAL_POINT,
            starts_on=starts_on,
            note_verbale=note_verbale,
            replaces=old,
        )
    audit.record(
        "people.focal_point_replaced",
        actor=actor,
        target=new,
        review_id=review.pk,
        state_code=state.code,
        data={
            **_nomination_data(new),
            "replaced_nomination": old.pk,
            "replaced_person": old.person_id,
        },
    )
    return new


@transaction.atomic
def end_nomination(
    *,
    actor,
    nomination: Nomination,
    ends_on: datetime.date,
    reason: str,
    note_verbale: NoteVerbale | None = None,
) -> Nomination:
    _require(
        actor,
        "people.end_nomination",
        nomination,
        reason=_("Only the secretariat can end nominations."),
    )
    _lock(nomination)
    if nomination.ends_on is not None:
        raise DomainError(
            _("This nomination already ended on %(date)s.")
            % {"date": _format_date(nomination.ends_on)}
        )
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason the nomination ends."))
    if ends_on < nomination.starts_on:
        raise DomainError(
            _("A nomination cannot end before it starts (%(date)s).")
            % {"date": _format_date(nomination.starts_on)}
        )
    _check_note(note_verbale, nomination.state)
    nomination.ends_on = ends_on
    nomination.end_reason = reason
    nomination.ending_note_verbale = note_verbale
    nomination.save(update_fields=["ends_on", "end_reason", "ending_note_verbale"])
    audit.record(
        "people.nomination_ended",
        actor=actor,
        target=nomination,
        review_id=nomination.review_id,
        state_code=nomination.state_id,
        data={
            "ends_on": ends_on.isoformat(),
            "reason": reason,
            "note_verbale": note_verbale.reference if note_verbale else "",
        },
    )
    return nomination


# --- Follow-up of missing or unresponsive nominees -----------------------------------------------


def _check_follow_up_outcome(outcome: str, outcome_note: str) -> str:
    if outcome not in FollowUpAction.Outcome.values:
        raise DomainError(_("Choose the outcome of the follow-up."))
    outcome_note = (outcome_note or "").strip()
    if outcome == FollowUpAction.Outcome.OTHER and not outcome_note:
        raise DomainError(_("Say what the outcome was: it is recorded with the follow-up."))
    return outcome_note


@transaction.atomic
def record_follow_up(
    *,
    actor,
    review: CountryReview,
    state: State,
    channel: str,
    contacted_on: datetime.date,
    contact_person: str = "",
    note: str = "",
    outcome: str = FollowUpAction.Outcome.PENDING,
    outcome_note: str = "",
    at: datetime.datetime | None = None,
) -> FollowUpAction:
    """Record that the secretariat contacted a State (its Permanent Mission, a UNODC office…)
    about the nominations of a review, and what came of it so far."""
    _require(
        actor,
        "people.record_follow_up",
        reason=_("Only the secretariat can record follow-up actions."),
    )
    at = at or timezone.now()
    if channel not in FollowUpAction.Channel.values:
        raise DomainError(_("Choose how the State was contacted."))
    if contacted_on > timezone.localdate(at):
        raise DomainError(
            _("The contact date %(date)s is in the future.") % {"date": _format_date(contacted_on)}
        )
    if state not in states_taking_part([review])[review.pk]:
        raise DomainError(
            _("%(state)s takes no part in the %(review)s.") % {"state": state, "review": review}
        )
    outcome_note = _check_follow_up_outcome(outcome, outcome_note)
    follow_up = FollowUpAction.objects.create(
        review=review,
        state=state,
        channel=channel,
        contacted_on=contacted_on,
        contact_person=(contact_person or "").strip(),
        note=(note or "").strip(),
        outcome=outcome,
        outcome_note=outcome_note,
        recorded_by=actor,
        recorded_at=at,
        outcome_updated_at=at if outcome != FollowUpAction.Outcome.PENDING else None,
    )
    audit.record(
        "people.follow_up_recorded",
        actor=actor,
        target=follow_up,
        review_id=review.pk,
        state_code=state.code,
        data={
            "channel": channel,
            "contacted_on": contacted_on.isoformat(),
            "contact_person": follow_up.contact_person,
            "outcome": outcome,
        },
        at=at,
    )
    return follow_up


@transaction.atomic
def update_follow_up_outcome(
    *,
    actor,
    follow_up: FollowUpAction,
    outcome: str,
    outcome_note: str = "",
    at: datetime.datetime | None = None,
) -> FollowUpAction:
    _require(
        actor,
        "people.record_follow_up",
        reason=_("Only the secretariat can record follow-up actions."),
    )
    at = at or timezone.now()
    _lock(follow_up)
    outcome_note = _check_follow_up_outcome(outcome, outcome_note)
    if outcome == follow_up.outcome and outcome_note == follow_up.outcome_note:
        raise DomainError(_("This follow-up already has this outcome."))
    previous = follow_up.outcome
    follow_up.outcome, follow_up.outcome_note = outcome, outcome_note
    follow_up.outcome_updated_at = at
    follow_up.save(update_fields=["outcome", "outcome_note", "outcome_updated_at"])
    audit.record(
        "people.follow_up_outcome_updated",
        actor=actor,
        target=follow_up,
        review_id=follow_up.review_id,
        state_code=follow_up.state_id,
        data={"from": previous, "to": outcome, "note": outcome_note},
        at=at,
    )
    return follow_up
