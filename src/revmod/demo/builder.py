"""The demo data set, built only through the domain functions a user's actions call.

It is therefore also a test of them: if a rule refuses what the demo does, the demo fails. The
random choices (which States form which group, who is replaced) come from one seeded generator, so
every build gives the same data.
"""

import datetime
import random
from dataclasses import dataclass, field

from django.db import transaction

from revmod.mechanisms.models import Mechanism
from revmod.mechanisms.services import load_mechanism, shipped_definitions
from revmod.parties.models import Language, PartyStatus, State
from revmod.parties.services import load_reference_data
from revmod.people import services as people
from revmod.people.models import Nomination, User
from revmod.reviews.services import create_review

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
        self.create_demo_officials(next(r for r in reviews if r.state.code == "MAR"))
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
                    create_review(
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

    def nominate(self, person, review, role, day, note):
        self.report.nominations += 1
        return people.nominate(
            actor=self.secretariat,
            person=person,
            state=review.state,
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


def _midday(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)


@transaction.atomic
def build_demo() -> DemoReport:
    return _Builder().build()
