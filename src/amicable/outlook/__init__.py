"""What happens next on an account, read from its playbooks and the rules (pure: no Django).

`next_steps(Situation)` gives the portal's "what happens next" timeline as plain items; the portal
adapter (portal/outlook.py) gathers the facts and the template (portal/_outlook.html) words them."""

from .model import Due, Item, PlanFacts, PlannedStep, PromiseFacts, Situation
from .timeline import next_steps

__all__ = ["Due", "Item", "PlanFacts", "PlannedStep", "PromiseFacts", "Situation", "next_steps"]
