"""Every step of the guide, registered in one place, in the order the menu shows them."""

from __future__ import annotations

from flows.conversation import registry
from flows.steps import (
    afterwards,
    agreement,
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

GUIDE_ORDER = ("contact", "debts", "budget", "plan", "negotiate", "collection", "afterwards")

STEPS = (
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
    agreement.STEP,
)
registry.install(STEPS, GUIDE_ORDER)
