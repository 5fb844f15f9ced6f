import datetime

import pytest
from django.contrib.auth.models import AnonymousUser

from factories import ReviewGroupFactory, SecretariatFactory, StateFactory
from revmod.core.domain import DomainError, NotAllowed
from revmod.core.models import AuditEvent
from revmod.draws import services
from revmod.draws.models import Assignment, Draw, Redraw
from revmod.draws.services import DrawRefused
from revmod.parties.models import PartyStatus, RegionalGroup
from revmod.people.models import User
from revmod.reviews.models import CountryReview

from .conftest import CONVENTION, PARTIES, PROTOCOL_A, PROTOCOL_B, moment

pytestmark = pytest.mark.django_db


def preview(world, **kwargs):
    kwargs.setdefault("seed", 7)
    return services.preview_draw(
        actor=world.secretariat,
        mechanism=world.mechanism,
        group=world.group,
        phase_number=1,
        at=moment(),
        **kwargs,
    )


def confirmed(world, **kwargs):
    draw = preview(world, **kwargs)
    services.confirm_draw(actor=world.secretariat, draw=draw, at=moment(hour=11))
    return draw


def stored(draw) -> list[tuple]:
    return sorted(
        (a.review.state.name, a.slot, a.reviewer.name, tuple(a.instruments), a.additional)
        for a in draw.assignments.select_related("review__state", "reviewer")
    )


def instruments_of(state) -> set[str]:
    return set(PartyStatus.objects.filter(state=state).values_list("instrument_id", flat=True))


def footprint() -> dict[str, list]:
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Draw, Assignment, Redraw, AuditEvent)
    }


# --- Preview ----------------------------------------------------------------------------------


def test_a_preview_stores_the_draw_its_assignments_pools_seed_and_rules_and_audits_it(world):
    draw = preview(world, seed=1234)

    assert draw.status == Draw.Status.PREVIEW
    assert (draw.seed, draw.phase_number, draw.parties_on) == (1234, 1, datetime.date(2023, 3, 1))
    assert draw.rules["same_group_reviewers"] == 1 and draw.rules["max_redraws"] == 2
    assert {a.review_id for a in draw.assignments.all()} == {r.pk for r in world.reviews.values()}
    assert len(draw.pools) == draw.assignments.count()
    for pool in draw.pools:
        assert pool["chosen"] in pool["candidates"]
    event = AuditEvent.objects.get(action="draw.previewed")
    assert event.target_id == str(draw.pk) and event.actor == world.secretariat
    assert event.data["seed"] == 1234 and event.data["reviews"] == len(world.reviews)
    assert event.occurred_at == moment()


def test_without_a_seed_a_random_one_is_drawn_and_recorded(world):
    draw = preview(world, seed=None)

    assert 0 <= draw.seed < services.SEED_RANGE
    assert AuditEvent.objects.get(action="draw.previewed").data["seed"] == draw.seed


def test_the_same_seed_gives_the_same_draw(world):
    first = preview(world, seed=99)
    services.discard_draw(actor=world.secretariat, draw=first)

    second = preview(world, seed=99)

    assert stored(second) == stored(first)
    assert second.pools == first.pools


@pytest.mark.parametrize("seed", range(5))
def test_every_stored_assignment_keeps_the_rules_of_the_draw(world, seed):
    draw = preview(world, seed=seed)

    assignments = list(draw.assignments.select_related("review__state", "reviewer"))
    for review in world.reviews.values():
        state = review.state
        mine = [a for a in assignments if a.review_id == review.pk]
        assert state.pk not in {a.reviewer_id for a in mine}, "a State reviews itself"
        for slot, same in (("same_group", True), ("other_group", False)):
            in_slot = [a for a in mine if a.slot == slot]
            covered = [i for a in in_slot for i in a.instruments]
            # Each instrument of the State once per slot, by a reviewer party to it.
            assert sorted(covered) == sorted(instruments_of(state)), (state, slot)
            for a in in_slot:
                assert (a.reviewer.regional_group_id == state.regional_group_id) is same
                assert set(a.instruments) <= instruments_of(a.reviewer)
            main = [a for a in in_slot if not a.additional]
            assert len(main) == 1 and CONVENTION in main[0].instruments
    pairs = {(a.reviewer_id, a.review.state_id) for a in assignments}
    assert not any((reviewed, reviewer) in pairs for reviewer, reviewed in pairs)


def test_an_additional_draw_covers_the_protocols_the_drawn_reviewer_is_not_party_to(world):
    # No other WEOG State is party to both protocols Austria is party to.
    draw = preview(world)

    austria = world.reviews["Austria"]
    same = draw.assignments.filter(review=austria, slot="same_group").order_by("additional")
    main, *additional = same
    assert not main.additional and additional
    assert all(a.additional for a in additional)
    assert {i for a in additional for i in a.instruments} == (
        {CONVENTION, PROTOCOL_A, PROTOCOL_B} - set(main.instruments)
    )
    pools = [p for p in draw.pools if p["review"] == austria.pk and p["slot"] == "same_group"]
    assert [p["additional"] for p in pools].count(True) == len(additional)


def test_a_draw_covers_only_the_open_reviews_of_the_group_without_reviewers_for_the_phase(world):
    confirmed(world)
    late = StateFactory(name="Ghana", regional_group=world.states["Benin"].regional_group)
    PartyStatus.objects.create(
        state=late,
        instrument_id=CONVENTION,
        became_party_on=datetime.date(2010, 1, 1),
        action=PartyStatus.Action.ACCESSION,
    )
    ghana = CountryReview.objects.create(mechanism=world.mechanism, group=world.group, state=late)

    second = preview(world)

    assert set(second.assignments.values_list("review_id", flat=True)) == {ghana.pk}


def test_a_group_whose_reviews_all_have_reviewers_is_refused_a_new_draw(world):
    confirmed(world)
    before = footprint()

    with pytest.raises(DomainError, match="already has its reviewers for phase 1"):
        preview(world)

    assert footprint() == before


def test_an_unsatisfiable_draw_names_the_constraint_and_the_state_and_stores_nothing(world):
    world.rules.max_reviews_per_state = 0
    world.rules.save()
    before = footprint()

    with pytest.raises(DrawRefused) as refused:
        preview(world)

    assert footprint() == before
    assert {f.constraint for f in refused.value.failures} == {"max_reviews_per_state"}
    assert {f.state for f in refused.value.failures} == {r.state_id for r in world.reviews.values()}
    assert any(
        "Every State eligible to review Angola for TCONV already takes part in 0 reviews" in m
        for m in refused.value.messages
    ), refused.value.messages


def test_a_party_with_no_group_for_the_draw_is_named_and_can_be_given_one(world):
    holy_see = StateFactory(name="Holy See", regional_group=None)
    PartyStatus.objects.create(
        state=holy_see,
        instrument_id=CONVENTION,
        became_party_on=datetime.date(2012, 1, 1),
        action=PartyStatus.Action.ACCESSION,
    )

    with pytest.raises(DomainError, match="Holy See is in no regional group"):
        preview(world)
    assert not Draw.objects.exists()

    holy_see.draw_group = RegionalGroup.objects.get(name="WEOG")
    holy_see.save()
    assert preview(world).assignments.exists()


def test_a_group_of_another_mechanism_or_a_phase_it_lacks_is_refused(world):
    with pytest.raises(DomainError, match="another mechanism"):
        services.preview_draw(
            actor=world.secretariat,
            mechanism=world.mechanism,
            group=ReviewGroupFactory(),
            phase_number=1,
        )
    with pytest.raises(DomainError, match="has no phase 2"):
        services.preview_draw(
            actor=world.secretariat, mechanism=world.mechanism, group=world.group, phase_number=2
        )
    with pytest.raises(DomainError, match="The seed must be a whole number"):
        preview(world, seed=-1)
    assert not Draw.objects.exists()


# --- Confirm and discard ----------------------------------------------------------------------


def test_confirming_a_preview_records_the_reviewers_of_each_review_in_its_trail(world):
    other = preview(world, seed=1)
    draw = preview(world, seed=2)

    services.confirm_draw(actor=world.secretariat, draw=draw, at=moment(hour=11))

    draw.refresh_from_db()
    assert draw.status == Draw.Status.CONFIRMED
    assert (draw.confirmed_by, draw.confirmed_at) == (world.secretariat, moment(hour=11))
    angola = world.reviews["Angola"]
    event = AuditEvent.objects.get(action="draw.reviewers_assigned", review_id=angola.pk)
    assert event.state_code == angola.state_id
    assert {r["reviewer"] for r in event.data["reviewers"]} == set(
        services.reviewing_states(angola).values_list("code", flat=True)
    )
    assert AuditEvent.objects.filter(action="draw.reviewers_assigned").count() == len(world.reviews)
    # The other preview of the same group and phase can no longer be confirmed.
    other.refresh_from_db()
    assert other.status == Draw.Status.DISCARDED
    assert AuditEvent.objects.filter(action="draw.discarded", target_id=str(other.pk)).exists()


def test_the_reviewing_states_of_a_review_are_its_reviewers_in_force(world):
    angola = world.reviews["Angola"]
    draw = preview(world)
    assert not services.reviewing_states(angola).exists()
    assert not services.has_confirmed_draw(angola)

    services.confirm_draw(actor=world.secretariat, draw=draw)

    expected = set(draw.assignments.filter(review=angola).values_list("reviewer_id", flat=True))
    assert set(services.reviewing_states(angola).values_list("code", flat=True)) == expected
    assert services.has_confirmed_draw(angola, 1) and not services.has_confirmed_draw(angola, 2)


def test_a_confirmed_or_discarded_draw_cannot_be_confirmed_or_discarded_again(world):
    draw = confirmed(world)
    with pytest.raises(DomainError, match="already confirmed"):
        services.confirm_draw(actor=world.secretariat, draw=draw)
    with pytest.raises(DomainError, match="Only a preview can be discarded"):
        services.discard_draw(actor=world.secretariat, draw=draw)


def test_discarding_a_preview_keeps_it_for_the_record_and_frees_the_group(world):
    draw = preview(world)

    services.discard_draw(actor=world.secretariat, draw=draw, at=moment(hour=12))

    draw.refresh_from_db()
    assert draw.status == Draw.Status.DISCARDED and draw.discarded_at == moment(hour=12)
    assert draw.assignments.exists()
    assert AuditEvent.objects.get(action="draw.discarded").actor == world.secretariat
    with pytest.raises(DomainError, match="was discarded"):
        services.confirm_draw(actor=world.secretariat, draw=draw)
    assert preview(world).status == Draw.Status.PREVIEW


def test_a_preview_overtaken_by_another_confirmed_draw_cannot_be_confirmed(world):
    first = preview(world, seed=1)
    second = preview(world, seed=2)
    # As if two people confirmed at once: the first wins and the second must draw again.
    services.confirm_draw(actor=world.secretariat, draw=first)
    Draw.objects.filter(pk=second.pk).update(status=Draw.Status.PREVIEW)

    with pytest.raises(DomainError, match="discard it and draw again"):
        services.confirm_draw(actor=world.secretariat, draw=second)


def _ghana_in_the_other_group(world) -> CountryReview:
    ghana = StateFactory(name="Ghana", regional_group=world.states["Benin"].regional_group)
    PartyStatus.objects.create(
        state=ghana,
        instrument_id=CONVENTION,
        became_party_on=datetime.date(2010, 1, 1),
        action=PartyStatus.Action.ACCESSION,
    )
    return CountryReview.objects.create(
        mechanism=world.mechanism, group=world.other_group, state=ghana
    )


def test_reviewers_confirmed_for_another_group_count_towards_the_cap(world):
    world.rules.max_reviews_per_state = 2
    world.rules.save()
    first = confirmed(world)
    _ghana_in_the_other_group(world)

    second = services.preview_draw(
        actor=world.secretariat, mechanism=world.mechanism, group=world.other_group, phase_number=1
    )

    loads: dict[str, set[int]] = {}
    for a in [*first.assignments.all(), *second.assignments.all()]:
        loads.setdefault(a.reviewer_id, set()).add(a.review_id)
    assert max(len(reviews) for reviews in loads.values()) <= 2


def test_a_cap_already_reached_in_another_group_refuses_the_draw_naming_the_state(world):
    world.rules.max_reviews_per_state = 1
    world.rules.save()
    confirmed(world)
    _ghana_in_the_other_group(world)

    with pytest.raises(DrawRefused, match="Ghana for TCONV already takes part in 1 review"):
        services.preview_draw(
            actor=world.secretariat,
            mechanism=world.mechanism,
            group=world.other_group,
            phase_number=1,
        )


# --- Redraws ----------------------------------------------------------------------------------


def _main_of(draw, name, world, slot="other_group"):
    return draw.assignments.get(review=world.reviews[name], slot=slot, additional=False)


def test_a_redraw_replaces_the_reviewer_records_why_and_who_asked_and_audits_it(world):
    draw = confirmed(world)
    old = _main_of(draw, "Benin", world)

    redraw = services.request_redraw(
        actor=world.secretariat,
        assignment=old,
        reason="The reviewer has no expert available this year.",
        requested_by=old.reviewer,
        seed=5,
        at=moment(hour=15),
    )

    old.refresh_from_db()
    new = redraw.new_assignment
    assert not old.active and old.replaced_by == new
    assert new.active and new.redraw == redraw and new.reviewer != old.reviewer
    assert (new.slot, new.instruments) == (old.slot, old.instruments)
    assert new.reviewer.regional_group != world.states["Benin"].regional_group
    assert (redraw.reason, redraw.requested_by, redraw.actor, redraw.seed) == (
        "The reviewer has no expert available this year.",
        old.reviewer,
        world.secretariat,
        5,
    )
    assert redraw.pools[0]["chosen"] == new.reviewer_id
    assert old.reviewer_id not in redraw.pools[0]["candidates"]
    reviewers = set(services.reviewing_states(world.reviews["Benin"]).values_list("pk", flat=True))
    assert new.reviewer_id in reviewers and old.reviewer_id not in reviewers
    event = AuditEvent.objects.get(action="draw.redrawn")
    benin = world.reviews["Benin"]
    assert (event.review_id, event.state_code) == (benin.pk, benin.state_id)
    assert event.data["replaced"] == old.reviewer_id and event.data["reason"] == redraw.reason
    assert event.occurred_at == moment(hour=15)


def test_a_redraw_without_a_reason_is_refused_and_changes_nothing(world):
    draw = confirmed(world)
    old = _main_of(draw, "Benin", world)
    before = footprint()

    with pytest.raises(DomainError, match="Give the reason for the redraw"):
        services.request_redraw(
            actor=world.secretariat, assignment=old, reason="  ", requested_by=old.reviewer
        )

    assert footprint() == before


def test_redraws_beyond_the_maximum_of_the_rules_are_refused(world):
    world.rules.max_redraws = 1
    world.rules.save()
    draw = confirmed(world)
    benin = world.reviews["Benin"]
    services.request_redraw(
        actor=world.secretariat,
        assignment=_main_of(draw, "Benin", world),
        reason="First request.",
        requested_by=benin.state,
    )
    before = footprint()

    with pytest.raises(DrawRefused, match="already been redrawn 1 time") as refused:
        services.request_redraw(
            actor=world.secretariat,
            assignment=_main_of(draw, "Benin", world, slot="same_group"),
            reason="Second request.",
            requested_by=benin.state,
        )

    assert [f.constraint for f in refused.value.failures] == ["max_redraws"]
    assert footprint() == before
    assert services.redraws_left(draw, benin) == 0


def test_a_redraw_is_asked_by_a_state_of_the_review_only(world):
    draw = confirmed(world)
    old = _main_of(draw, "Benin", world)
    taking_part = {
        world.reviews["Benin"].state_id,
        *draw.assignments.filter(review=old.review).values_list("reviewer_id", flat=True),
    }
    outsider = next(s for s in world.states.values() if s.pk not in taking_part)

    with pytest.raises(DomainError, match="takes no part in the review of Benin"):
        services.request_redraw(
            actor=world.secretariat, assignment=old, reason="Why not.", requested_by=outsider
        )


def test_a_reviewer_of_a_preview_or_one_already_replaced_cannot_be_redrawn(world):
    draw = preview(world)
    old = _main_of(draw, "Benin", world)
    with pytest.raises(DomainError, match="confirmed draw"):
        services.request_redraw(
            actor=world.secretariat, assignment=old, reason="Early.", requested_by=old.reviewer
        )
    services.confirm_draw(actor=world.secretariat, draw=draw)
    services.request_redraw(
        actor=world.secretariat, assignment=old, reason="Once.", requested_by=old.reviewer
    )
    with pytest.raises(DomainError, match="already replaced"):
        services.request_redraw(
            actor=world.secretariat, assignment=old, reason="Twice.", requested_by=old.reviewer
        )


def test_a_redraw_with_no_candidate_left_names_the_constraint_and_changes_nothing(world):
    draw = confirmed(world)
    # In AFR, Benin's same-group reviewer can only be replaced by an AFR State not yet set aside.
    benin = world.reviews["Benin"]
    old = _main_of(draw, "Benin", world, slot="same_group")
    for name in PARTIES["AFR"]:
        state = world.states[name]
        if state.pk not in (old.reviewer_id, benin.state_id):
            PartyStatus.objects.filter(state=state).update(withdrawn_on=datetime.date(2020, 1, 1))
    before = footprint()

    with pytest.raises(DrawRefused) as refused:
        services.request_redraw(
            actor=world.secretariat, assignment=old, reason="Declined.", requested_by=benin.state
        )

    assert refused.value.failures[0].constraint in {"no_same_group", "distinct_reviewers"}
    assert "Benin" in refused.value.messages[0]
    assert footprint() == before


# --- Who may draw -----------------------------------------------------------------------------


@pytest.fixture(params=["official", "inactive secretariat", "anonymous"])
def outsider(request, world):
    if request.param == "official":
        return world.official
    if request.param == "inactive secretariat":
        return SecretariatFactory(status=User.Status.DEACTIVATED)
    return AnonymousUser()


def test_only_the_secretariat_draws_confirms_discards_redraws_and_exports(world, outsider):
    draw = preview(world)
    before = footprint()
    old = _main_of(draw, "Benin", world)
    calls = [
        lambda: services.preview_draw(
            actor=outsider, mechanism=world.mechanism, group=world.group, phase_number=1
        ),
        lambda: services.confirm_draw(actor=outsider, draw=draw),
        lambda: services.discard_draw(actor=outsider, draw=draw),
        lambda: services.request_redraw(
            actor=outsider, assignment=old, reason="r", requested_by=old.reviewer
        ),
        lambda: services.export_draw(actor=outsider, draw=draw, file_format="csv"),
    ]
    for call in calls:
        with pytest.raises(NotAllowed, match="Only the secretariat can draw lots"):
            call()

    assert footprint() == before


# --- Export -----------------------------------------------------------------------------------


def test_the_export_lists_every_assignment_with_the_replaced_ones_and_is_audited(world):
    draw = confirmed(world)
    old = _main_of(draw, "Benin", world)
    services.request_redraw(
        actor=world.secretariat, assignment=old, reason="Declined.", requested_by=old.reviewer
    )

    headers, rows = services.export_draw(actor=world.secretariat, draw=draw, file_format="xlsx")

    assert headers[0] == "State under review" and len(rows) == draw.assignments.count()
    replaced = [row for row in rows if row[8] is False]
    assert len(replaced) == 1
    assert replaced[0][3] == old.reviewer.name and replaced[0][10] == "Declined."
    event = AuditEvent.objects.get(action="draw.exported")
    assert event.data == {"format": "xlsx", "rows": len(rows)}
