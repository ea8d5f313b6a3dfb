"""Every lint rule, by code: the rule families in report order, plus lint's own rules."""
from __future__ import annotations

from orchestrator.lint import (
    compatibility,
    data_dependent,
    destructive,
    identifiers,
    locking,
    nontransactional,
    ownership,
    pitfalls,
    rendering,
    suppression,
    transactions,
)
from orchestrator.lint.rule import Rule

#: Modules with ``RULES`` and ``check(context)``, run in this order on every revision.
FAMILIES = (ownership, destructive, data_dependent, compatibility, locking, transactions,
            identifiers, pitfalls, nontransactional)

RULES: dict[str, Rule] = {
    rule.code: rule
    for module in (*FAMILIES, suppression, rendering)
    for rule in module.RULES
}
