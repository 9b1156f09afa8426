"""Every step of the guide, registered in one place, in the order the menu shows them."""

from __future__ import annotations

from flows import registry
from flows.steps import (
    afterwards,
    budget,
    collection,
    contact,
    crisis,
    debts,
    language,
    menu,
    negotiate,
    payments,
    plan,
    privacy,
    reminders,
    welcome,
)
from flows.steps.coming_soon import placeholder

GUIDE_ORDER = ("contact", "debts", "budget", "plan", "negotiate", "collection", "afterwards")

_BUILT = (
    welcome.STEP,
    menu.STEP,
    contact.STEP,
    debts.STEP,
    budget.STEP,
    plan.STEP,
    negotiate.STEP,
    collection.STEP,
    afterwards.STEP,
    privacy.STEP,
    reminders.STEP,
    crisis.STEP,
    language.STEP,
    payments.STEP,
)
_PENDING = tuple(
    placeholder(step_id) for step_id in GUIDE_ORDER if step_id not in {step.id for step in _BUILT}
)

registry.install((*_BUILT, *_PENDING), GUIDE_ORDER)
