"""Who may see and run the drawing of lots: the secretariat alone, on the pages and in the admin.
The domain functions check the same predicate."""

import rules

from revmod.people.rules import is_secretariat

rules.add_perm("draws.run_draw", is_secretariat)
# The admin shows the draws read-only; writes go through revmod.draws.services.
rules.add_perm("draws", is_secretariat)
for model_name in ["draw", "assignment", "redraw"]:
    rules.add_perm(f"draws.view_{model_name}", is_secretariat)
