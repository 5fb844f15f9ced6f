"""The drawing of lots, without a database: hand-made cases and properties over random parties."""

import random
from collections import Counter
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from revmod.reviews.draw import (
    Assignment,
    Candidate,
    DrawResult,
    DrawRules,
    ReviewToDraw,
    draw,
    redraw,
)

UNTOC = ("UNTOC", "TIP", "SOM", "FIR")
UNCAC = ("UNCAC",)
GROUPS = ("AFR", "APG", "EEG", "GRULAC", "WEOG")
SLOT_KINDS = ("same_group", "other_group", "any_group")
DRAW_CONSTRAINTS = {
    "no_candidate_party_to_instrument",
    "no_same_group",
    "no_other_group",
    "distinct_reviewers",
    "forbid_mutual_pairs",
    "max_reviews_per_state",
}
UNTOC_RULES = DrawRules(
    same_group_reviewers=1,
    other_group_reviewers=1,
    any_group_reviewers=0,
    per_instrument=True,
    forbid_mutual_pairs=True,
    max_reviews_per_state=None,
    balance_load=True,
    max_redraws=2,
)
UNCAC_RULES = DrawRules(
    same_group_reviewers=1,
    other_group_reviewers=0,
    any_group_reviewers=1,
    per_instrument=False,
)


def party(code: str, group: str, *instruments: str) -> Candidate:
    return Candidate(code=code, group=group, instruments=frozenset(instruments))


def review_of(state: Candidate) -> ReviewToDraw:
    return ReviewToDraw(key=state.code, state=state)


def run(states, rules=UNTOC_RULES, *, under_review=None, order=UNTOC, seed=1, existing=()):
    reviewed = [s for s in states if under_review is None or s.code in under_review]
    return draw(
        [review_of(s) for s in reviewed],
        states,
        rules,
        main_instrument=order[0],
        instrument_order=order,
        seed=seed,
        existing=existing,
    )


def by_slot(result: DrawResult, key: str) -> dict[tuple[str, bool], list[Assignment]]:
    grouped: dict[tuple[str, bool], list[Assignment]] = {}
    for assignment in result.of_review(key):
        grouped.setdefault((assignment.slot, assignment.additional), []).append(assignment)
    return grouped


def violations(result, reviews, candidates, rules, order, existing=()) -> list[str]:
    """Check a successful draw against the rules, from scratch (no code shared with draw.py).

    After a redraw, a replacing main reviewer covers only what its predecessor covered (the
    additional reviewers stay), so "a main pick covers all it can" holds only before redraws."""
    problems = []
    parties = {c.code: c for c in candidates}
    reviews_by_key = {r.key: r for r in reviews}
    seen = set()
    for a in result.assignments:
        review = reviews_by_key.get(a.review)
        if review is None:
            problems.append(f"{a} belongs to no review drawn")
            continue
        state, reviewer = review.state, parties.get(a.reviewer)
        if reviewer is None:
            problems.append(f"{a}: the reviewer is not a candidate")
            continue
        if a.reviewed_state != state.code:
            problems.append(f"{a}: wrong State under review")
        if a.reviewer == state.code:
            problems.append(f"{a}: a State reviews itself")
        if (a.review, a.reviewer) in seen:
            problems.append(f"{a}: the reviewer holds two assignments in one review")
        seen.add((a.review, a.reviewer))
        if not a.instruments:
            problems.append(f"{a}: covers no instrument")
        for instrument in a.instruments:
            if instrument not in reviewer.instruments:
                problems.append(f"{a}: the reviewer is not party to {instrument}")
            if instrument not in state.instruments:
                problems.append(f"{a}: the State under review is not party to {instrument}")
        if a.slot == "same_group" and reviewer.group != state.group:
            problems.append(f"{a}: same-group slot held by another group")
        if a.slot == "other_group" and reviewer.group == state.group:
            problems.append(f"{a}: other-group slot held by the same group")
        if not any(
            p.review == a.review and p.chosen == a.reviewer and a.reviewer in p.candidates
            for p in result.pools
        ):
            problems.append(f"{a}: no pool records this pick")

    counts = {
        "same_group": rules.same_group_reviewers,
        "other_group": rules.other_group_reviewers,
        "any_group": rules.any_group_reviewers,
    }
    for review in reviews:
        state = review.state
        own = [i for i in order if i in state.instruments]
        mine = [a for a in result.assignments if a.review == review.key]
        for slot, wanted in counts.items():
            of_slot = [a for a in mine if a.slot == slot]
            main_picks = [a for a in of_slot if not a.additional]
            if len(main_picks) != wanted:
                problems.append(f"{review.key}: {len(main_picks)} main {slot} picks, not {wanted}")
            if rules.per_instrument:
                for a in main_picks:
                    party_to = {i for i in own if i in parties[a.reviewer].instruments}
                    covers_all = set(a.instruments) == party_to or bool(result.redraws)
                    if order[0] not in a.instruments or not covers_all:
                        problems.append(f"{a}: a main pick must cover all it can, main first")
                for instrument in own:
                    covering = sum(instrument in a.instruments for a in of_slot)
                    if covering != wanted:
                        problems.append(f"{review.key}: {instrument} has {covering} {slot}")
            elif any(a.additional or set(a.instruments) != set(own) for a in of_slot):
                problems.append(f"{review.key}: without per_instrument one pick covers all")

    everything = [*existing, *result.assignments]
    if rules.forbid_mutual_pairs:
        pairs = {(a.reviewer, a.reviewed_state) for a in everything}
        problems += [f"{x} and {y} review each other" for x, y in pairs if (y, x) in pairs]
    if rules.max_reviews_per_state is not None:
        load = Counter(reviewer for reviewer, _ in {(a.reviewer, a.review) for a in everything})
        problems += [
            f"{code} takes part in {n} reviews"
            for code, n in load.items()
            if n > rules.max_reviews_per_state
        ]
    return problems


def failure_problems(result, reviews, candidates, rules, order) -> list[str]:
    """A failed draw must name a known constraint, a review and an instrument; the failures that
    depend only on who is party to what must be true of the inputs."""
    problems = []
    if not result.failures:
        problems.append("ok is False but no failure is reported")
    reviews_by_key = {r.key: r for r in reviews}
    for f in result.failures:
        if f.constraint not in DRAW_CONSTRAINTS or f.slot not in SLOT_KINDS:
            problems.append(f"{f}: unknown constraint or slot")
        if f.review not in reviews_by_key or f.instrument not in order or not f.message:
            problems.append(f"{f}: does not name its review and instrument")
            continue
        state = reviews_by_key[f.review].state
        own = [i for i in order if i in state.instruments]
        needed = [f.instrument] if rules.per_instrument else own[: own.index(f.instrument) + 1]
        able = [
            c
            for c in candidates
            if c.code != state.code and all(i in c.instruments for i in needed)
        ]
        if f.constraint == "no_candidate_party_to_instrument" and able:
            problems.append(f"{f}: yet {able[0].code} is party")
        if f.constraint == "no_same_group" and any(c.group == state.group for c in able):
            problems.append(f"{f}: yet a State of the group is party")
        if f.constraint == "no_other_group" and any(c.group != state.group for c in able):
            problems.append(f"{f}: yet a State of another group is party")
    return problems


@st.composite
def draw_cases(draw_):
    order = draw_(st.sampled_from([UNTOC, UNCAC]))
    groups = GROUPS[: draw_(st.integers(1, 5))]
    states = []
    for number in range(draw_(st.integers(2, 14))):
        instruments = set()
        # Protocols only for parties to the convention, as in the real world.
        if draw_(st.integers(0, 9)) < 8:
            instruments = {order[0]} | {p for p in order[1:] if draw_(st.booleans())}
        states.append(party(f"S{number:02d}", draw_(st.sampled_from(groups)), *instruments))
    reviews = [review_of(s) for s in states if order[0] in s.instruments and draw_(st.booleans())]
    rules = DrawRules(
        same_group_reviewers=draw_(st.integers(0, 2)),
        other_group_reviewers=draw_(st.integers(0, 2)),
        any_group_reviewers=draw_(st.integers(0, 1)),
        per_instrument=draw_(st.booleans()),
        forbid_mutual_pairs=draw_(st.booleans()),
        max_reviews_per_state=draw_(st.none() | st.integers(0, 5)),
        balance_load=draw_(st.booleans()),
        max_redraws=draw_(st.integers(0, 3)),
    )
    seed = draw_(st.integers(0, 2**32))
    return order, states, reviews, rules, seed


def draw_case(order, states, reviews, rules, seed, existing=()):
    return draw(
        reviews,
        states,
        rules,
        main_instrument=order[0],
        instrument_order=order,
        seed=seed,
        existing=existing,
    )


PROPERTY_SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(draw_cases())
def test_every_draw_meets_every_rule_or_names_the_constraint_it_could_not_meet(case):
    order, states, reviews, rules, seed = case
    result = draw_case(order, states, reviews, rules, seed)
    if result.ok:
        assert result.failures == ()
        assert violations(result, reviews, states, rules, order) == []
    else:
        assert failure_problems(result, reviews, states, rules, order) == []
    assert 1 <= result.attempts <= 20


@PROPERTY_SETTINGS
@given(draw_cases())
def test_a_draw_after_an_earlier_draw_of_the_phase_respects_its_caps_and_mutual_pairs(case):
    order, states, reviews, rules, seed = case
    first, second = reviews[: len(reviews) // 2], reviews[len(reviews) // 2 :]
    earlier = draw_case(order, states, first, rules, seed)
    existing = earlier.assignments if earlier.ok else ()
    result = draw_case(order, states, second, rules, seed + 1, existing)
    if result.ok:
        assert violations(result, second, states, rules, order, existing) == []
    else:
        assert failure_problems(result, second, states, rules, order) == []


@PROPERTY_SETTINGS
@given(draw_cases(), st.randoms(use_true_random=False))
def test_the_same_seed_gives_the_same_draw_whatever_the_order_of_the_inputs(case, shuffler):
    order, states, reviews, rules, seed = case
    result = draw_case(order, states, reviews, rules, seed)
    assert draw_case(order, states, reviews, rules, seed) == result
    shuffled_states, shuffled_reviews = list(states), list(reviews)
    shuffler.shuffle(shuffled_states)
    shuffler.shuffle(shuffled_reviews)
    assert draw_case(order, shuffled_states, shuffled_reviews, rules, seed) == result


@PROPERTY_SETTINGS
@given(draw_cases(), st.integers(0, 1000), st.integers(0, 2**32))
def test_a_redraw_keeps_every_rule_and_never_brings_back_the_replaced_state(case, pick, seed):
    order, states, reviews, rules, draw_seed = case
    result = draw_case(order, states, reviews, rules, draw_seed)
    if not result.ok or not result.assignments:
        return
    old = result.assignments[pick % len(result.assignments)]
    review = next(r for r in reviews if r.key == old.review)
    outcome = redraw(
        result, review, old.reviewer, reason="asked", seed=seed, rules=rules, candidates=states
    )
    if rules.max_redraws == 0:
        assert [f.constraint for f in outcome.failures] == ["max_redraws"]
    if not outcome.ok:
        assert outcome.result == result
        assert all(f.review == review.key for f in outcome.failures)
        assert {f.constraint for f in outcome.failures} <= DRAW_CONSTRAINTS | {"max_redraws"}
        return
    assert outcome.redraw is not None and outcome.redraw.new != old.reviewer
    assert old.reviewer not in {a.reviewer for a in outcome.result.of_review(review.key)}
    assert violations(outcome.result, reviews, states, rules, order) == []


def test_a_state_never_reviews_itself_even_when_it_alone_in_its_group_is_party_to_a_protocol():
    states = [
        party("GHA", "AFR", "UNTOC", "FIR"),
        party("KEN", "AFR", "UNTOC"),
        party("NGA", "AFR", "UNTOC"),
        party("FRA", "WEOG", "UNTOC", "FIR"),
        party("ITA", "WEOG", "UNTOC"),
    ]
    # Mutual pairs allowed: otherwise FRA, the only other-group party to FIR, may be out of reach.
    rules = DrawRules(1, 1, forbid_mutual_pairs=False)
    for seed in range(30):
        result = run(states, rules, seed=seed)
        assert all(a.reviewer != a.reviewed_state for a in result.assignments)
        fir = [f for f in result.failures if f.review == "GHA" and f.instrument == "FIR"]
        assert [(f.slot, f.constraint) for f in fir] == [("same_group", "no_same_group")]


def test_untoc_rules_give_each_instrument_one_reviewer_of_the_own_group_and_one_of_another():
    states = [party(f"A{n}", "AFR", *UNTOC) for n in range(6)]
    states += [party(f"W{n}", "WEOG", *UNTOC) for n in range(6)]
    result = run(states, seed=7)
    assert result.ok
    groups = {s.code: s.group for s in states}
    for state in states:
        slots = by_slot(result, state.code)
        assert set(slots) == {("same_group", False), ("other_group", False)}
        (same,), (other,) = slots[("same_group", False)], slots[("other_group", False)]
        assert groups[same.reviewer] == state.group != groups[other.reviewer]
        assert same.instruments == other.instruments == UNTOC


def test_an_additional_draw_covers_the_protocol_the_drawn_same_group_reviewer_is_not_party_to():
    states = [
        party("GHA", "AFR", "UNTOC", "FIR"),
        party("KEN", "AFR", "UNTOC"),
        party("NGA", "AFR", "UNTOC", "FIR"),
        party("FRA", "WEOG", "UNTOC", "FIR"),
    ]
    # NGA already reviews another State, so load balancing makes KEN the main pick every time.
    earlier = Assignment("ZAF", "ZAF", "NGA", "same_group", ("UNTOC",))
    for seed in range(20):
        result = run(states, under_review={"GHA"}, seed=seed, existing=[earlier])
        assert result.ok
        slots = by_slot(result, "GHA")
        assert [(a.reviewer, a.instruments) for a in slots[("same_group", False)]] == [
            ("KEN", ("UNTOC",))
        ]
        assert [(a.reviewer, a.instruments) for a in slots[("same_group", True)]] == [
            ("NGA", ("FIR",))
        ]
        assert [(a.reviewer, a.instruments) for a in slots[("other_group", False)]] == [
            ("FRA", ("UNTOC", "FIR"))
        ]
        pools = {(p.slot, p.additional): p.candidates for p in result.pools}
        assert pools[("same_group", False)] == ("KEN", "NGA")
        assert pools[("same_group", True)] == ("NGA",)


def test_an_additional_draw_is_split_when_no_single_state_is_party_to_all_missing_protocols():
    states = [
        party("GHA", "AFR", "UNTOC", "TIP", "FIR"),
        party("KEN", "AFR", "UNTOC"),
        party("NGA", "AFR", "UNTOC", "TIP"),
        party("SEN", "AFR", "UNTOC", "FIR"),
        party("FRA", "WEOG", "UNTOC", "TIP", "FIR"),
    ]
    earlier = [
        Assignment("ZAF", "ZAF", "NGA", "same_group", ("UNTOC",)),
        Assignment("ZAF", "ZAF", "SEN", "other_group", ("UNTOC",)),
    ]
    result = run(states, under_review={"GHA"}, seed=3, existing=earlier)
    assert result.ok
    slots = by_slot(result, "GHA")
    assert [(a.reviewer, a.instruments) for a in slots[("same_group", False)]] == [
        ("KEN", ("UNTOC",))
    ]
    assert sorted((a.reviewer, a.instruments) for a in slots[("same_group", True)]) == [
        ("NGA", ("TIP",)),
        ("SEN", ("FIR",)),
    ]


def test_uncac_rules_give_one_reviewer_of_the_own_group_and_one_of_any_group():
    states = [party(f"A{n}", "AFR", "UNCAC") for n in range(4)]
    states += [party(f"P{n}", "APG", "UNCAC") for n in range(4)]
    states.append(party("XXX", "APG"))  # not a party: never drawn
    result = run(states, UNCAC_RULES, under_review={s.code for s in states[:8]}, order=UNCAC)
    assert result.ok
    groups = {s.code: s.group for s in states}
    for state in states[:8]:
        slots = by_slot(result, state.code)
        assert set(slots) == {("same_group", False), ("any_group", False)}
        (same,), (anyone,) = slots[("same_group", False)], slots[("any_group", False)]
        assert groups[same.reviewer] == state.group
        assert anyone.reviewer not in {same.reviewer, state.code, "XXX"}
        assert same.instruments == anyone.instruments == ("UNCAC",)


def test_a_group_with_a_single_state_fails_at_once_with_no_same_group_reviewer():
    states = [party("ISL", "WEOG", "UNTOC"), party("GHA", "AFR", "UNTOC")]
    result = run(states, under_review={"ISL"}, seed=5)
    assert not result.ok
    (failure,) = result.failures
    assert (failure.review, failure.slot, failure.instrument, failure.constraint) == (
        "ISL",
        "same_group",
        "UNTOC",
        "no_same_group",
    )
    assert "WEOG" in failure.message and "UNTOC" in failure.message
    # Nothing else could change who is party to what: no restart was tried.
    assert result.attempts == 1


def test_a_cap_of_zero_reviews_fails_every_review_with_the_cap_as_the_reason():
    states = [party(f"A{n}", "AFR", "UNTOC") for n in range(3)]
    states += [party(f"W{n}", "WEOG", "UNTOC") for n in range(3)]
    rules = DrawRules(1, 1, max_reviews_per_state=0)
    result = run(states, rules)
    assert not result.ok and result.assignments == ()
    assert {f.constraint for f in result.failures} == {"max_reviews_per_state"}
    assert {f.review for f in result.failures} == {s.code for s in states}
    assert "0" in result.failures[0].message
    assert result.attempts == 20


def test_the_reason_given_is_the_last_filter_that_removed_the_remaining_candidates():
    states = [party("GHA", "AFR", "UNTOC"), party("KEN", "AFR", "UNTOC")]
    rules = DrawRules(1, 0, max_reviews_per_state=1)
    capped = Assignment("ZAF", "ZAF", "KEN", "same_group", ("UNTOC",))
    result = run(states, rules, under_review={"GHA"}, existing=[capped])
    assert [f.constraint for f in result.failures] == ["max_reviews_per_state"]
    # GHA reviewing KEN rules KEN out earlier in the chain than the cap does.
    mutual = Assignment("KEN-review", "KEN", "GHA", "same_group", ("UNTOC",))
    result = run(states, rules, under_review={"GHA"}, existing=[capped, mutual])
    assert [f.constraint for f in result.failures] == ["forbid_mutual_pairs"]


def test_mutual_pairs_are_avoided_when_possible_and_reported_when_not():
    trio = [party(code, "EEG", "UNTOC") for code in ("POL", "ROU", "SVK")]
    rules = DrawRules(1, 0, forbid_mutual_pairs=True)
    for seed in range(30):
        result = run(trio, rules, seed=seed)
        assert result.ok
        pairs = {(a.reviewer, a.reviewed_state) for a in result.assignments}
        assert not any((y, x) in pairs for x, y in pairs)

    pair = [party("POL", "EEG", "UNTOC"), party("ROU", "EEG", "UNTOC")]
    result = run(pair, rules, seed=1)
    assert not result.ok
    assert [f.constraint for f in result.failures] == ["forbid_mutual_pairs"]
    assert result.failures[0].state in result.failures[0].message
    allowed = DrawRules(1, 0, forbid_mutual_pairs=False)
    assert {(a.reviewer, a.reviewed_state) for a in run(pair, allowed).assignments} == {
        ("POL", "ROU"),
        ("ROU", "POL"),
    }


def test_a_redraw_replaces_the_reviewer_with_another_eligible_state_and_records_why():
    states = [party(code, "AFR", *UNTOC) for code in ("GHA", "KEN", "NGA", "SEN")]
    states += [party(code, "WEOG", *UNTOC) for code in ("FRA", "ITA", "ESP")]
    result = run(states, seed=11)
    assert result.ok
    ghana = review_of(states[0])
    (old,) = by_slot(result, "GHA")[("same_group", False)]
    outcome = redraw(
        result,
        ghana,
        old.reviewer,
        reason="conflict of interest",
        seed=2,
        rules=UNTOC_RULES,
        candidates=states,
    )
    assert outcome.ok and outcome.redraw is not None
    record = outcome.redraw
    assert (record.review, record.old, record.reason) == (
        "GHA",
        old.reviewer,
        "conflict of interest",
    )
    assert record.new not in {old.reviewer, "GHA"}
    assert record.new in {"KEN", "NGA", "SEN"}
    assert old.reviewer not in record.pools[0].candidates
    assert record.new in record.pools[0].candidates
    (new,) = by_slot(outcome.result, "GHA")[("same_group", False)]
    assert (new.reviewer, new.instruments) == (record.new, UNTOC)
    assert outcome.result.redraws == (record,)
    assert (
        violations(outcome.result, [review_of(s) for s in states], states, UNTOC_RULES, UNTOC) == []
    )


def test_redraws_beyond_max_redraws_are_refused_and_the_draw_is_kept():
    states = [party(f"A{n}", "AFR", "UNTOC") for n in range(6)]
    rules = DrawRules(1, 0, max_redraws=1)
    result = run(states, rules, seed=4)
    review = review_of(states[0])
    first = redraw(
        result,
        review,
        result.of_review("A0")[0].reviewer,
        reason="r",
        seed=1,
        rules=rules,
        candidates=states,
    )
    assert first.ok
    second = redraw(
        first.result,
        review,
        first.result.of_review("A0")[0].reviewer,
        reason="r",
        seed=1,
        rules=rules,
        candidates=states,
    )
    assert not second.ok and second.result == first.result
    (failure,) = second.failures
    assert (failure.review, failure.constraint, failure.limit) == ("A0", "max_redraws", 1)
    assert "1" in failure.message


def test_a_redraw_never_brings_back_a_state_set_aside_and_fails_when_none_is_left():
    states = [party(code, "AFR", "UNTOC") for code in ("GHA", "KEN", "NGA")]
    rules = DrawRules(1, 0, forbid_mutual_pairs=False, max_redraws=5)
    result = run(states, rules, under_review={"GHA"}, seed=0)
    ghana = review_of(states[0])
    first_reviewer = result.of_review("GHA")[0].reviewer
    first = redraw(
        result, ghana, first_reviewer, reason="r", seed=0, rules=rules, candidates=states
    )
    assert first.ok and first.redraw is not None
    assert first.redraw.new == ({"KEN", "NGA"} - {first_reviewer}).pop()
    second = redraw(
        first.result, ghana, first.redraw.new, reason="r", seed=0, rules=rules, candidates=states
    )
    assert not second.ok
    assert [f.constraint for f in second.failures] == ["distinct_reviewers"]


def test_draw_rules_are_read_from_the_model_fields():
    row = SimpleNamespace(
        same_group_reviewers=1,
        other_group_reviewers=1,
        any_group_reviewers=0,
        per_instrument=True,
        forbid_mutual_pairs=False,
        max_reviews_per_state=3,
        balance_load=False,
        max_redraws=4,
        cadence="per_group",
    )
    assert DrawRules.from_model(row) == DrawRules(1, 1, 0, True, False, 3, False, 4)


def test_inconsistent_inputs_are_refused_rather_than_drawn():
    ghana = party("GHA", "AFR", "UNTOC")
    with pytest.raises(ValueError, match="once"):
        run([ghana, ghana])
    with pytest.raises(ValueError, match="not party to UNTOC"):
        run([party("GHA", "AFR", "TIP"), party("KEN", "AFR", "UNTOC")])
    with pytest.raises(ValueError, match="negative"):
        DrawRules(-1, 1)


def test_a_full_draw_of_190_states_with_a_tight_cap_meets_every_rule():
    rng = random.Random(0)
    states = []
    for group, size in zip(GROUPS, (54, 53, 23, 33, 27), strict=True):
        for n in range(size):
            protocols = [
                p
                for p, share in zip(UNTOC[1:], (0.9, 0.77, 0.6), strict=True)
                if rng.random() < share
            ]
            states.append(party(f"{group}{n:02d}", group, "UNTOC", *protocols))
    rules = DrawRules(1, 1, max_reviews_per_state=4)
    result = run(states, rules, seed=2024)
    assert result.ok
    assert violations(result, [review_of(s) for s in states], states, rules, UNTOC) == []
