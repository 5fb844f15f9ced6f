"""The demo data set, built only through the domain functions a user's actions call.

It is therefore also a test of them: if a rule refuses what the demo does, the demo fails. The
random choices (which States form which group, who is replaced) come from one seeded generator, so
every build gives the same data.
"""

import datetime
import random
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from revmod.draws import services as draws
from revmod.mechanisms.models import Mechanism, StepDefinition
from revmod.mechanisms.services import load_mechanism, shipped_definitions
from revmod.parties.models import Language, PartyStatus, RegionalGroup, State
from revmod.parties.services import load_reference_data, set_draw_group
from revmod.people import services as people
from revmod.people.models import Nomination, User
from revmod.reviews import services as review_services
from revmod.reviews.models import CountryReview, ReviewStep
from revmod.reviews.queries import annotate_reviews

DEMO_PASSPHRASE = "revmod demo passphrase"  # noqa: S105 (demo accounts only, printed by make run)
DEMO_DOMAIN = "revmod.demo"
SEED = 20201015

# The working language of a State's review in the demo; everyone else works in English.
DEMO_WORKING_LANGUAGE = {
    "ar": "DZA BHR COM DJI EGY IRQ JOR KWT LBN LBY MRT MAR OMN PSE QAT SAU SDN SYR TUN ARE YEM",
    "fr": "BEN BFA BDI CMR CAF TCD COG COD CIV GAB GIN HTI LUX MDG MLI MCO NER SEN TGO FRA BEL",
    "es": "ARG BOL CHL COL CRI CUB DOM ECU SLV GTM HND MEX NIC PAN PRY PER ESP URY VEN GNQ",
    "ru": "RUS BLR KAZ KGZ TJK UZB TKM ARM AZE",
    "zh-hans": "CHN",
}
# The group each party in no regional group is drawn with in the demo (the secretariat's choice in
# reality, made in the admin).
DEMO_DRAW_GROUP = {"EUU": "WEOG", "VAT": "WEOG", "COK": "APG", "NIU": "APG"}
# How far the demo takes the reviews of each group: the share of reviews whose first phase is
# launched, and the furthest step (by position) a launched review may have reached. About 60
# reviews progressing and 129 not started, as the secretariat reported in October 2023.
DEMO_PROGRESS = {1: (0.75, 7), 2: (0.2, 4), 3: (0.0, 0)}
FIRST_NAMES = "Amina Jean Li María Olga Karim Fatou Pedro Anna Chen Samir Claire Ivan Lucía Kofi"
LAST_NAMES = "Haddad Dupont Wang García Petrova Benali Diop Silva Novak Zhang Mansour Martin Ortiz"


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    language: str
    state_code: str


# One account per role; the three officials take part in the review of Morocco.
DEMO_ACCOUNTS = (
    DemoAccount("secretariat", f"secretariat@{DEMO_DOMAIN}", "en", ""),
    DemoAccount(Nomination.Role.FOCAL_POINT, f"focal.point@{DEMO_DOMAIN}", "fr", "MAR"),
    DemoAccount(Nomination.Role.EXPERT, f"expert@{DEMO_DOMAIN}", "ar", "MAR"),
    DemoAccount(Nomination.Role.OBSERVER, f"observer@{DEMO_DOMAIN}", "en", "MAR"),
)


@dataclass
class DemoReport:
    reviews_per_group: dict[int, int] = field(default_factory=dict)
    people: int = 0
    nominations: int = 0
    replaced_focal_points: int = 0
    draws: int = 0
    reviews_per_step: Counter = field(default_factory=Counter)
    accounts: tuple[DemoAccount, ...] = DEMO_ACCOUNTS


def demo_exists() -> bool:
    return User.objects.filter(email=DEMO_ACCOUNTS[0].email).exists()


class _Builder:
    def __init__(self):
        self.random = random.Random(SEED)
        self.report = DemoReport()
        self.serial = 0
        self.tokens: dict[int, str] = {}

    def build(self) -> DemoReport:
        # The first secretariat account is created the way `revmod createsuperuser` does: every
        # later account is invited by it.
        self.secretariat = User.objects.create_superuser(
            email=DEMO_ACCOUNTS[0].email, password=DEMO_PASSPHRASE, full_name="Demo Secretariat"
        )
        load_reference_data(actor=self.secretariat)
        for path in shipped_definitions():
            load_mechanism(path, actor=self.secretariat)
        self.mechanism = Mechanism.objects.get(code="untoc")
        self.languages = {language.code: language for language in Language.objects.all()}
        reviews = self.create_reviews()
        for review in reviews:
            self.nominate_officials(review)
        morocco = next(r for r in reviews if r.state.code == "MAR")
        self.create_demo_officials(morocco)
        # Which reviews have started is decided first: only their reviewing States nominate.
        started = [
            review
            for review in reviews
            if review == morocco or self.random.random() < DEMO_PROGRESS[review.group.number][0]
        ]
        self.draw_reviewing_states(started)
        # The demo secretariat account follows the first group: its "my reviews" is not empty.
        review_services.assign_officer(
            actor=self.secretariat,
            reviews=[review for review in reviews if review.group.number == 1],
            officer=self.secretariat,
        )
        for review in started:
            self.progress(review, morocco=review == morocco)
        self.report.reviews_per_step = _reviews_per_step()
        return self.report

    def create_reviews(self):
        groups = list(self.mechanism.groups.order_by("number"))
        convention = self.mechanism.instruments.order_by("mechanisminstrument__order").first()
        # Groups are formed by lot among the parties to the convention when the first group starts.
        parties = sorted(
            PartyStatus.objects.on(groups[-1].starts_on)
            .filter(instrument=convention)
            .values_list("state_id", flat=True)
        )
        self.random.shuffle(parties)
        states = State.objects.in_bulk(parties)
        reviews, start = [], 0
        for group in groups:
            members = parties[start : start + group.foreseen_reviews]
            start += group.foreseen_reviews
            for code in sorted(members):
                language = self.working_language(code)
                reviews.append(
                    review_services.create_review(
                        actor=self.secretariat,
                        mechanism=self.mechanism,
                        group=group,
                        state=states[code],
                        working_languages=[self.languages[language]],
                        at=_midday(group.starts_on - datetime.timedelta(days=30)),
                    )
                )
            self.report.reviews_per_group[group.number] = len(members)
        return reviews

    def working_language(self, state_code: str) -> str:
        for language, codes in DEMO_WORKING_LANGUAGE.items():
            if state_code in codes.split():
                return language
        return "en"

    def person(self, state, language: str, email: str | None = None, name: str | None = None):
        self.serial += 1
        name = name or (
            f"{self.random.choice(FIRST_NAMES.split())} {self.random.choice(LAST_NAMES.split())}"
        )
        email = email or f"official{self.serial:04d}.{state.code.lower()}@{DEMO_DOMAIN}"
        user, token = people.invite_user(
            actor=self.secretariat,
            email=email,
            full_name=name,
            state=state,
            preferred_language=language,
            mechanism=self.mechanism,
        )
        self.report.people += 1
        self.tokens[user.pk] = token
        return user

    def note(self, state, day: datetime.date, suffix: str):
        return people.register_note_verbale(
            actor=self.secretariat,
            state=state,
            reference=f"NV/{state.code}/{day:%Y}/{suffix}",
            dated_on=day - datetime.timedelta(days=3),
            received_on=day,
        )

    def nominate(self, person, review, role, day, note, state=None):
        self.report.nominations += 1
        return people.nominate(
            actor=self.secretariat,
            person=person,
            state=state or review.state,
            review=review,
            role=role,
            starts_on=day,
            note_verbale=note,
        )

    def nominate_officials(self, review):
        if review.state.code == "MAR":
            return  # the demo accounts hold Morocco's nominations
        state, language = review.state, self.working_language(review.state.code)
        day = review.group.starts_on + datetime.timedelta(days=self.random.randint(3, 40))
        note = self.note(state, day, "1")
        self.nominate(self.person(state, language), review, Nomination.Role.FOCAL_POINT, day, note)
        for _expert in range(self.random.randint(1, 3)):
            self.nominate(self.person(state, language), review, Nomination.Role.EXPERT, day, note)
        # Repeated changes of nominated officials are one of the secretariat's challenges.
        if self.random.random() < 0.2:
            later = day + datetime.timedelta(days=self.random.randint(60, 400))
            people.replace_focal_point(
                actor=self.secretariat,
                review=review,
                state=state,
                new_person=self.person(state, language),
                starts_on=later,
                note_verbale=self.note(state, later, "2"),
            )
            self.report.replaced_focal_points += 1

    def create_demo_officials(self, review):
        day = review.group.starts_on + datetime.timedelta(days=10)
        note = self.note(review.state, day, "1")
        names = {
            "focal_point": "Nadia Benjelloun",
            "expert": "Youssef Alaoui",
            "observer": "Sara Idrissi",
        }
        for account in DEMO_ACCOUNTS[1:]:
            user = self.person(review.state, account.language, account.email, names[account.role])
            self.activate(user, account.language)
            self.nominate(user, review, account.role, day, note)

    def activate(self, user, language):
        people.activate_account(raw_token=self.tokens[user.pk], password=DEMO_PASSPHRASE)
        people.submit_profile(
            actor=user,
            user=user,
            full_name=user.full_name,
            organization="Ministry of Justice",
            languages=[language, "en"] if language != "en" else ["en"],
            preferred_language=language,
        )
        people.approve_profile(actor=self.secretariat, user=user)

    def draw_reviewing_states(self, started):
        for state in State.objects.filter(regional_group__isnull=True, code__in=DEMO_DRAW_GROUP):
            group = RegionalGroup.objects.get(code=DEMO_DRAW_GROUP[state.code])
            set_draw_group(actor=self.secretariat, state=state, group=group)
        for group in self.mechanism.groups.order_by("number"):
            drawn_on = group.starts_on + datetime.timedelta(days=14)
            draw = draws.preview_draw(
                actor=self.secretariat,
                mechanism=self.mechanism,
                group=group,
                phase_number=1,
                seed=SEED + group.number,
                at=_midday(drawn_on),
            )
            draws.confirm_draw(actor=self.secretariat, draw=draw, at=_midday(drawn_on))
            self.report.draws += 1
            for review in (review for review in started if review.group == group):
                for reviewer in draws.reviewing_states(review, 1):
                    self.nominate_reviewer(review, reviewer, drawn_on)

    def nominate_reviewer(self, review, reviewer: State, drawn_on: datetime.date):
        """A reviewing State's focal point for its own review also acts for it as a reviewer."""
        day = drawn_on + datetime.timedelta(days=self.random.randint(10, 40))
        focal_point = (
            Nomination.objects.filter(state=reviewer, role=Nomination.Role.FOCAL_POINT)
            .order_by("starts_on", "pk")
            .values_list("person", flat=True)
            .first()
        )
        person = (
            User.objects.get(pk=focal_point)
            if focal_point
            else self.person(reviewer, self.working_language(reviewer.code))
        )
        note = self.note(reviewer, day, f"R{review.state.code}")
        self.nominate(person, review, Nomination.Role.FOCAL_POINT, day, note, state=reviewer)

    def progress(self, review, *, morocco: bool):
        """Launch the review's first phase and take it some steps further, each step acted on by
        the people the step definition names, on days between the group's start and today."""
        furthest = DEMO_PROGRESS[review.group.number][1]
        day = review.group.starts_on + datetime.timedelta(days=self.random.randint(60, 150))
        phase = review_services.launch_phase(
            actor=self.secretariat,
            review=review,
            phase_number=1,
            starts_on=day,
            at=_midday(day),
        )
        steps = list(phase.steps.select_related("definition").order_by("definition__order"))
        # Morocco stops at the self-assessment, so that the demo expert has a draft to write.
        codes = [step.definition.code for step in steps]
        stop = codes.index("self_assessment") if morocco else self.random.randint(0, furthest)
        today = timezone.localdate()
        for step in steps[:stop]:
            step.refresh_from_db()
            day += datetime.timedelta(days=self.random.randint(15, 120))
            if step.status != ReviewStep.Status.OPEN or day >= today:
                return
            self.act(review, step, day)

    def act(self, review, step, day: datetime.date):
        owner = step.definition.submitted_by
        if owner == StepDefinition.SubmittedBy.SECRETARIAT:
            if step.definition.optional and self.random.random() < 0.5:
                review_services.skip_step(
                    actor=self.secretariat,
                    step=step,
                    reason="Agreed with the focal points by email.",
                    at=_midday(day),
                )
            else:
                review_services.complete_step(actor=self.secretariat, step=step, at=_midday(day))
            return
        if owner == StepDefinition.SubmittedBy.STATE_UNDER_REVIEW:
            states = [review.state]
        else:
            states = list(draws.reviewing_states(review, 1))
        for state in states:
            in_force = Nomination.objects.active_on(day).filter(review=review, state=state)
            focal_point = in_force.get(role=Nomination.Role.FOCAL_POINT).person
            expert = in_force.filter(role=Nomination.Role.EXPERT).first()
            review_services.submit_for_clearance(
                actor=expert.person if expert else focal_point, step=step, at=_midday(day)
            )
            review_services.clear_and_submit(
                actor=focal_point, step=step, at=_midday(day) + datetime.timedelta(hours=3)
            )


def _reviews_per_step() -> Counter:
    """How many reviews are at each step ("not_started" or "completed" outside a phase)."""
    codes = dict(StepDefinition.objects.values_list("pk", "code"))
    rows = annotate_reviews(CountryReview.objects.all()).values_list(
        "progress", "current_step_definition_id"
    )
    return Counter(
        codes[step] if progress == CountryReview.Progress.PROGRESSING else progress
        for progress, step in rows
    )


def _midday(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)


@transaction.atomic
def build_demo() -> DemoReport:
    return _Builder().build()
