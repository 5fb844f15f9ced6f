"""The drawing of lots: which States review which, under a mechanism's draw rules.

Pure Python on purpose (no models, no database): the domain layer loads parties and rules, calls
`draw` or `redraw`, and stores what comes back. The same inputs and seed always give the same
result, whatever the order of the input lists, so a draw can be replayed and audited.

How one slot of one review is filled (per_instrument): a main draw picks a reviewer party to the
main instrument; for the instruments of the State under review that this reviewer is not party to,
additional draws of the same slot kind pick extra reviewers, preferring one party to all of them.
Without per_instrument, a single reviewer party to every instrument of the State fills the slot.

The draw is greedy over the reviews in a seeded order, with load balancing; when a pick fails it
restarts from scratch with a derived seed, at most `max_attempts` times, and returns the attempt
with the fewest failures. Every failure names the constraint that left no candidate.
"""

import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from typing import Any, Self

from django.utils.translation import gettext, ngettext


class Slot(StrEnum):
    SAME_GROUP = "same_group"
    OTHER_GROUP = "other_group"
    ANY_GROUP = "any_group"


class Constraint(StrEnum):
    """Why a pick found no candidate: the last filter that emptied the pool."""

    NO_CANDIDATE_PARTY_TO_INSTRUMENT = "no_candidate_party_to_instrument"
    NO_SAME_GROUP = "no_same_group"
    NO_OTHER_GROUP = "no_other_group"
    DISTINCT_REVIEWERS = "distinct_reviewers"
    FORBID_MUTUAL_PAIRS = "forbid_mutual_pairs"
    MAX_REVIEWS_PER_STATE = "max_reviews_per_state"
    MAX_REDRAWS = "max_redraws"


# These depend only on who is party to what: another order of picks cannot avoid them.
_STATIC = frozenset(
    {
        Constraint.NO_CANDIDATE_PARTY_TO_INSTRUMENT,
        Constraint.NO_SAME_GROUP,
        Constraint.NO_OTHER_GROUP,
    }
)


@dataclass(frozen=True)
class DrawRules:
    """The rules of the draw; same field names as `revmod.mechanisms.models.DrawRules`."""

    same_group_reviewers: int
    other_group_reviewers: int
    any_group_reviewers: int = 0
    per_instrument: bool = True
    forbid_mutual_pairs: bool = True
    max_reviews_per_state: int | None = None
    balance_load: bool = True
    max_redraws: int = 2

    def __post_init__(self) -> None:
        counts = (self.same_group_reviewers, self.other_group_reviewers, self.any_group_reviewers)
        if min(counts) < 0 or self.max_redraws < 0 or (self.max_reviews_per_state or 0) < 0:
            raise ValueError("Draw rules cannot hold negative numbers.")

    @classmethod
    def from_model(cls, obj: Any) -> Self:
        return cls(**{f.name: getattr(obj, f.name) for f in fields(cls)})

    @property
    def slots(self) -> tuple[tuple[Slot, int], ...]:
        """Slot kinds in the order they are drawn: the most constrained first."""
        return (
            (Slot.SAME_GROUP, self.same_group_reviewers),
            (Slot.OTHER_GROUP, self.other_group_reviewers),
            (Slot.ANY_GROUP, self.any_group_reviewers),
        )


@dataclass(frozen=True)
class Candidate:
    """A party: its code, its group for the draw and the instruments it is party to."""

    code: str
    group: str
    instruments: frozenset[str]

    def __post_init__(self) -> None:
        object.__setattr__(self, "instruments", frozenset(self.instruments))


@dataclass(frozen=True)
class ReviewToDraw:
    """A review needing reviewers; `state` is the State under review, with its instruments."""

    key: str
    state: Candidate


@dataclass(frozen=True)
class Assignment:
    review: str
    reviewed_state: str
    reviewer: str
    slot: Slot
    instruments: tuple[str, ...]
    additional: bool = False


@dataclass(frozen=True)
class SlotPool:
    """The lot one pick was drawn from: the sorted codes of every eligible candidate."""

    review: str
    slot: Slot
    instruments: tuple[str, ...]
    additional: bool
    candidates: tuple[str, ...]
    chosen: str


@dataclass(frozen=True)
class DrawFailure:
    review: str
    state: str
    slot: Slot
    instrument: str
    constraint: Constraint
    group: str = ""
    limit: int | None = None

    @property
    def message(self) -> str:
        """The reason in the active language (computed on reading, so each reader gets theirs)."""
        values = {
            "state": self.state,
            "instrument": self.instrument,
            "group": self.group,
            "limit": self.limit,
        }
        match self.constraint:
            case Constraint.NO_CANDIDATE_PARTY_TO_INSTRUMENT:
                text = gettext("No State other than %(state)s is party to %(instrument)s.")
            case Constraint.NO_SAME_GROUP:
                text = gettext(
                    "No State of the group %(group)s other than %(state)s is party to "
                    "%(instrument)s."
                )
            case Constraint.NO_OTHER_GROUP:
                text = gettext("No State outside the group %(group)s is party to %(instrument)s.")
            case Constraint.DISTINCT_REVIEWERS:
                text = gettext(
                    "Every State eligible to review %(state)s for %(instrument)s already reviews "
                    "it or was set aside by a redraw."
                )
            case Constraint.FORBID_MUTUAL_PAIRS:
                text = gettext(
                    "Every State eligible to review %(state)s for %(instrument)s is reviewed by "
                    "%(state)s, and mutual reviews are not allowed in one phase."
                )
            case Constraint.MAX_REVIEWS_PER_STATE:
                text = ngettext(
                    "Every State eligible to review %(state)s for %(instrument)s already takes "
                    "part in %(limit)s review, the most one State may perform.",
                    "Every State eligible to review %(state)s for %(instrument)s already takes "
                    "part in %(limit)s reviews, the most one State may perform.",
                    self.limit or 0,
                )
            case Constraint.MAX_REDRAWS:
                text = ngettext(
                    "The reviewers of %(state)s have already been redrawn %(limit)s time, the "
                    "most the rules allow.",
                    "The reviewers of %(state)s have already been redrawn %(limit)s times, the "
                    "most the rules allow.",
                    self.limit or 0,
                )
        return text % values


@dataclass(frozen=True)
class Redraw:
    """One reviewer replaced on request: the new assignments (replacement first) and their lots."""

    review: str
    old: str
    reason: str
    assignments: tuple[Assignment, ...]
    pools: tuple[SlotPool, ...]

    @property
    def new(self) -> str:
        return self.assignments[0].reviewer


@dataclass(frozen=True)
class DrawResult:
    """The outcome of a draw. When `ok` is False, `assignments` are partial: do not store them."""

    ok: bool
    assignments: tuple[Assignment, ...]
    pools: tuple[SlotPool, ...]
    failures: tuple[DrawFailure, ...]
    seed: int
    attempts: int
    redraws: tuple[Redraw, ...] = field(default=())

    def of_review(self, key: str) -> tuple[Assignment, ...]:
        return tuple(a for a in self.assignments if a.review == key)


@dataclass(frozen=True)
class RedrawOutcome:
    ok: bool
    result: DrawResult
    redraw: Redraw | None
    failures: tuple[DrawFailure, ...]


_SLOT_ORDER = {slot: index for index, slot in enumerate(Slot)}


def _sorted_assignments(assignments: Iterable[Assignment]) -> tuple[Assignment, ...]:
    return tuple(
        sorted(assignments, key=lambda a: (a.review, _SLOT_ORDER[a.slot], a.additional, a.reviewer))
    )


class _Board:
    """The state of one attempt: who reviews whom so far, and the picks and failures made."""

    def __init__(
        self,
        candidates: tuple[Candidate, ...],
        rules: DrawRules,
        rng: random.Random,
        taken: Iterable[Assignment],
    ) -> None:
        self.candidates = candidates
        self.party_to: dict[str, list[Candidate]] = defaultdict(list)
        for candidate in candidates:
            for instrument in candidate.instruments:
                self.party_to[instrument].append(candidate)
        self.rules = rules
        self.rng = rng
        self.reviews_of: dict[str, set[str]] = defaultdict(set)  # reviewer -> review keys
        self.members: dict[str, set[str]] = defaultdict(set)  # review key -> reviewers
        self.pairs: set[tuple[str, str]] = set()  # (reviewer, reviewed State)
        self.assignments: list[Assignment] = []
        self.pools: list[SlotPool] = []
        self.failures: list[DrawFailure] = []
        for assignment in taken:
            self._record(assignment)

    def _record(self, a: Assignment) -> None:
        self.reviews_of[a.reviewer].add(a.review)
        self.members[a.review].add(a.reviewer)
        self.pairs.add((a.reviewer, a.reviewed_state))

    def _eligible(
        self,
        review: ReviewToDraw,
        slot: Slot,
        exclude: frozenset[str],
        *,
        all_of: Sequence[str] = (),
        any_of: Sequence[str] = (),
    ) -> tuple[list[Candidate], Constraint | None, str]:
        """Apply the filters in order; on an empty pool, say which filter emptied it (and for
        which instrument, when it was the party filter)."""
        state = review.state
        if all_of:
            pool = [c for c in self.party_to.get(all_of[0], ()) if c.code != state.code]
            if not pool:
                return [], Constraint.NO_CANDIDATE_PARTY_TO_INSTRUMENT, all_of[0]
            for instrument in all_of[1:]:
                pool = [c for c in pool if instrument in c.instruments]
                if not pool:
                    return [], Constraint.NO_CANDIDATE_PARTY_TO_INSTRUMENT, instrument
        else:
            pool = [
                c
                for c in self.candidates
                if c.code != state.code and not c.instruments.isdisjoint(any_of)
            ]
            if not pool:
                return [], Constraint.NO_CANDIDATE_PARTY_TO_INSTRUMENT, any_of[0]
        unavailable = self.members[review.key] | exclude
        same, other = slot == Slot.SAME_GROUP, slot == Slot.OTHER_GROUP
        mutual, pairs = self.rules.forbid_mutual_pairs, self.pairs
        cap, load = self.rules.max_reviews_per_state, self.reviews_of
        # All the remaining filters in one pass: the common case, where some candidate is left.
        eligible = [
            c
            for c in pool
            if (not same or c.group == state.group)
            and (not other or c.group != state.group)
            and c.code not in unavailable
            and not (mutual and (state.code, c.code) in pairs)
            and (cap is None or len(load[c.code]) < cap)
        ]
        if eligible:
            return eligible, None, ""
        # Only on failure: replay them one by one, in order, to find the one that emptied the pool.
        steps: list[tuple[Constraint, Callable[[Candidate], bool]]] = [
            (Constraint.NO_SAME_GROUP, lambda c: not same or c.group == state.group),
            (Constraint.NO_OTHER_GROUP, lambda c: not other or c.group != state.group),
            (Constraint.DISTINCT_REVIEWERS, lambda c: c.code not in unavailable),
            (
                Constraint.FORBID_MUTUAL_PAIRS,
                lambda c: not mutual or (state.code, c.code) not in pairs,
            ),
            (Constraint.MAX_REVIEWS_PER_STATE, lambda c: cap is None or len(load[c.code]) < cap),
        ]
        for index, (constraint, keep) in enumerate(steps):
            pool = [c for c in pool if keep(c)]
            if not pool:
                passed = [ok for _, ok in steps[: index + 1]]
                return [], constraint, self._blocking_instrument(state, passed, all_of)
        raise AssertionError("unreachable: the one-pass filter and the replay disagree")

    def _blocking_instrument(
        self, state: Candidate, keeps: Sequence[Callable[[Candidate], bool]], all_of: Sequence[str]
    ) -> str:
        """With several instruments to be party to at once, name the first one that no State
        passing the filters is party to together with the earlier ones ("" when there is none)."""
        if len(all_of) < 2:
            return all_of[0] if all_of else ""
        pool = [c for c in self.candidates if c.code != state.code and all(ok(c) for ok in keeps)]
        for instrument in all_of:
            pool = [c for c in pool if instrument in c.instruments]
            if not pool:
                return instrument
        return ""

    def _fail(
        self, review: ReviewToDraw, slot: Slot, instrument: str, constraint: Constraint
    ) -> None:
        limit = None
        if constraint == Constraint.MAX_REVIEWS_PER_STATE:
            limit = self.rules.max_reviews_per_state
        self.failures.append(
            DrawFailure(
                review=review.key,
                state=review.state.code,
                slot=slot,
                instrument=instrument,
                constraint=constraint,
                group=review.state.group,
                limit=limit,
            )
        )

    def _pick(
        self,
        review: ReviewToDraw,
        slot: Slot,
        pool: list[Candidate],
        covers: Sequence[str],
        additional: bool,
    ) -> Candidate:
        if additional:
            # "Party to all of them if possible": only the candidates covering the most count.
            best = max(sum(i in c.instruments for i in covers) for c in pool)
            pool = [c for c in pool if sum(i in c.instruments for i in covers) == best]
        lot = pool
        if self.rules.balance_load:
            fewest = min(len(self.reviews_of[c.code]) for c in pool)
            lot = [c for c in pool if len(self.reviews_of[c.code]) == fewest]
        chosen = self.rng.choice(lot)
        covered = tuple(i for i in covers if i in chosen.instruments)
        assignment = Assignment(
            review=review.key,
            reviewed_state=review.state.code,
            reviewer=chosen.code,
            slot=slot,
            instruments=covered,
            additional=additional,
        )
        self._record(assignment)
        self.assignments.append(assignment)
        self.pools.append(
            SlotPool(
                review=review.key,
                slot=slot,
                instruments=covered,
                additional=additional,
                candidates=tuple(c.code for c in pool),
                chosen=chosen.code,
            )
        )
        return chosen

    def cover(
        self,
        review: ReviewToDraw,
        slot: Slot,
        instruments: tuple[str, ...],
        *,
        main: bool,
        exclude: frozenset[str] = frozenset(),
    ) -> None:
        """Fill one slot for these instruments (the first being the main one when `main`)."""
        remaining = list(instruments)
        if main:
            all_of = instruments[:1] if self.rules.per_instrument else instruments
            pool, constraint, instrument = self._eligible(review, slot, exclude, all_of=all_of)
            if constraint is not None:
                self._fail(review, slot, instrument or instruments[0], constraint)
                return
            chosen = self._pick(review, slot, pool, instruments, additional=False)
            remaining = [i for i in instruments if i not in chosen.instruments]
        while remaining:
            pool, constraint, _ = self._eligible(review, slot, exclude, any_of=remaining)
            if constraint is not None:
                # Nobody can take any of them: say, per instrument, what stood in the way.
                for instrument in remaining:
                    _, constraint, _ = self._eligible(review, slot, exclude, all_of=(instrument,))
                    # A narrower pool than the one that just came out empty is empty too.
                    assert constraint is not None
                    self._fail(review, slot, instrument, constraint)
                return
            chosen = self._pick(review, slot, pool, remaining, additional=True)
            remaining = [i for i in remaining if i not in chosen.instruments]


def _instruments_of(
    review: ReviewToDraw, main_instrument: str, order: Sequence[str]
) -> tuple[str, ...]:
    if main_instrument not in review.state.instruments:
        raise ValueError(
            f"{review.state.code} (review {review.key}) is not party to {main_instrument}."
        )
    others = (i for i in order if i != main_instrument and i in review.state.instruments)
    return (main_instrument, *others)


def _unique_candidates(candidates: Iterable[Candidate]) -> tuple[Candidate, ...]:
    ordered = tuple(sorted(candidates, key=lambda c: c.code))
    if len({c.code for c in ordered}) != len(ordered):
        raise ValueError("Each candidate must appear once.")
    return ordered


def draw(
    reviews: Sequence[ReviewToDraw],
    candidates: Sequence[Candidate],
    rules: DrawRules,
    *,
    main_instrument: str,
    instrument_order: Sequence[str],
    seed: int,
    existing: Sequence[Assignment] = (),
    max_attempts: int = 20,
) -> DrawResult:
    """Draw the reviewers of `reviews` among `candidates` (all parties; a State never reviews
    itself). `existing` are earlier assignments of the same phase: they count towards the cap
    and the mutual pairs."""
    if main_instrument not in instrument_order:
        raise ValueError(f"The main instrument {main_instrument} is not in the instrument order.")
    ordered_reviews = sorted(reviews, key=lambda r: r.key)
    keys = {r.key for r in ordered_reviews}
    if len(keys) != len(ordered_reviews):
        raise ValueError("Each review must appear once.")
    if any(a.review in keys for a in existing):
        raise ValueError("Existing assignments must belong to other reviews than those drawn.")
    pool = _unique_candidates(candidates)
    plans = [(r, _instruments_of(r, main_instrument, instrument_order)) for r in ordered_reviews]
    taken = _sorted_assignments(existing)

    best: DrawResult | None = None
    for attempt in range(max(1, max_attempts)):
        # Attempt 0 uses the seed itself; restarts derive theirs from it (str seeds are stable).
        rng = random.Random(seed if attempt == 0 else f"{seed}/{attempt}")
        board = _Board(pool, rules, rng, taken)
        order = list(plans)
        rng.shuffle(order)
        for slot, count in rules.slots:
            for _ in range(count):
                for review, instruments in order:
                    board.cover(review, slot, instruments, main=True)
        result = DrawResult(
            ok=not board.failures,
            assignments=_sorted_assignments(board.assignments),
            pools=tuple(board.pools),
            failures=tuple(board.failures),
            seed=seed,
            attempts=attempt + 1,
        )
        if best is None or len(result.failures) < len(best.failures):
            best = result
        if result.ok or all(f.constraint in _STATIC for f in result.failures):
            break
    assert best is not None
    return replace(best, attempts=attempt + 1)


def redraw(
    result: DrawResult,
    review: ReviewToDraw,
    reviewer: str,
    *,
    reason: str,
    seed: int,
    rules: DrawRules,
    candidates: Sequence[Candidate],
    existing: Sequence[Assignment] = (),
) -> RedrawOutcome:
    """Replace `reviewer` of `review` by lot, for the same slot and instruments. The replaced
    State (and any State replaced earlier in this review) is not drawn again; the new reviewer
    may need additional reviewers for instruments it is not party to."""
    old = next(
        (a for a in result.assignments if a.review == review.key and a.reviewer == reviewer), None
    )
    if old is None:
        raise ValueError(f"{reviewer} is not a reviewer of review {review.key}.")
    earlier = [r for r in result.redraws if r.review == review.key]
    if len(earlier) >= rules.max_redraws:
        failure = DrawFailure(
            review=review.key,
            state=review.state.code,
            slot=old.slot,
            instrument=old.instruments[0],
            constraint=Constraint.MAX_REDRAWS,
            group=review.state.group,
            limit=rules.max_redraws,
        )
        return RedrawOutcome(ok=False, result=result, redraw=None, failures=(failure,))
    kept = tuple(a for a in result.assignments if a != old)
    board = _Board(_unique_candidates(candidates), rules, random.Random(seed), (*existing, *kept))
    set_aside = frozenset({reviewer, *(r.old for r in earlier)})
    board.cover(review, old.slot, old.instruments, main=not old.additional, exclude=set_aside)
    if board.failures:
        return RedrawOutcome(ok=False, result=result, redraw=None, failures=tuple(board.failures))
    record = Redraw(
        review=review.key,
        old=reviewer,
        reason=reason,
        assignments=tuple(board.assignments),
        pools=tuple(board.pools),
    )
    new_result = replace(
        result,
        assignments=_sorted_assignments((*kept, *board.assignments)),
        pools=(*result.pools, *board.pools),
        redraws=(*result.redraws, record),
    )
    return RedrawOutcome(ok=True, result=new_result, redraw=record, failures=())
