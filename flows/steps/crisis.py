"""The crisis reply's buttons (carry on later, what can be done today, remind me after all),
valid on any message; the reply itself comes from flows.crisis before any step reads a text."""

from __future__ import annotations

from flows.conversation import crisis
from flows.conversation.nodes import Step

# No node of its own: the user's place in the guide never moves to the crisis reply.
STEP = Step(id="crisis", nodes={}, entry="", global_actions={crisis.ACTION: crisis.on_button})
