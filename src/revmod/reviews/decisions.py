"""Conference decisions on the phase gate (para 10: "unless the Conference decides otherwise").

The secretariat records a decision of the Conference of the Parties that opens or holds a phase
for one group or for every group; `revmod.reviews.gate` then applies it. Recording is the only
write, audited like every other.
"""

import datetime

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from revmod.core import audit
from revmod.core.domain import ALLOWED, DomainError, Verdict, denied
from revmod.mechanisms.models import ConferenceDecision, Mechanism, ReviewGroup
from revmod.people.rules import is_secretariat


def role_to_record_decision(user) -> Verdict:
    if is_secretariat(user):
        return ALLOWED
    return denied(_("Only the secretariat can record a Conference decision."))


@transaction.atomic
def record_conference_decision(
    *,
    actor,
    mechanism: Mechanism,
    phase_number: int,
    effect: str,
    decided_on: datetime.date,
    reference: str,
    group: ReviewGroup | None = None,
    text: str = "",
    at: datetime.datetime | None = None,
) -> ConferenceDecision:
    at = at or timezone.now()
    role_to_record_decision(actor).check()
    if group is not None and group.mechanism_id != mechanism.pk:
        raise DomainError(_("This group belongs to another mechanism."))
    if effect not in ConferenceDecision.Effect.values:
        raise DomainError(_("Choose whether the decision opens or holds the phase."))
    if not mechanism.phases.filter(number=phase_number).exists():
        raise DomainError(
            _("%(mechanism)s has no phase %(number)s.")
            % {"mechanism": mechanism, "number": phase_number}
        )
    if phase_number < 2:
        raise DomainError(_("The first phase has no gate: a decision concerns phase 2 or later."))
    if decided_on > timezone.localdate(at):
        raise DomainError(
            _("The decision date %(date)s is in the future: record a decision once it is taken.")
            % {"date": formats.date_format(decided_on)}
        )
    reference = (reference or "").strip()
    if not reference:
        raise DomainError(_("Give the reference of the decision, e.g. resolution 12/2."))
    duplicate = ConferenceDecision.objects.filter(
        mechanism=mechanism, group=group, phase_number=phase_number, reference=reference
    )
    if duplicate.exists():
        raise DomainError(
            _("The decision %(reference)s on phase %(number)s is already recorded.")
            % {"reference": reference, "number": phase_number}
        )
    decision = ConferenceDecision.objects.create(
        mechanism=mechanism,
        group=group,
        phase_number=phase_number,
        effect=effect,
        decided_on=decided_on,
        reference=reference,
        text=(text or "").strip(),
    )
    audit.record(
        "gate.conference_decision_recorded",
        actor=actor,
        target=decision,
        data={
            "mechanism": mechanism.code,
            "group": group.number if group else None,
            "phase": phase_number,
            "effect": effect,
            "decided_on": decided_on.isoformat(),
            "reference": reference,
        },
        at=at,
    )
    return decision
