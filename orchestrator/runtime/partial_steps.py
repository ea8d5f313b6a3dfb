"""Steps left partly applied (``partial`` in the ledger) stop every further step.

On a database without transactional DDL a failed step can stay half-applied
(``runtime.committed``). Applying anything more on top (``train resume``, ``train run``,
``orchestrate upgrade``/``downgrade``) would run its committed statements again, or build on a
schema nobody checked; so each of them refuses while a partial step is unresolved, naming it,
what committed, and the two ways out: ``orchestrate train resolve NAME --applied`` (the person
finished the step by hand: it is recorded in the version table) or ``--reverted`` (they undid
it: the train applies it again). A revision that declares ``idempotent = True`` (module
level; every statement safe to run twice: ``IF NOT EXISTS``, guards) is simply run again: its
partial step is recorded as reverted by the runner that re-runs it.
"""
from __future__ import annotations

from sqlalchemy.engine import Connection

from orchestrator.core.errors import PartialStepUnresolved
from orchestrator.core.logs import get_logger
from orchestrator.runtime.executor import Executor
from orchestrator.runtime.ledger import Ledger, StepRecord
from orchestrator.runtime.lock import Runner

log = get_logger()
#: The module-level flag of a revision safe to run again after a partial failure.
IDEMPOTENT = "idempotent"


def refuse_partial_steps(connection: Connection, executor: Executor, runner: Runner,
                         command: str) -> list[str]:
    """Under the lock, before anything is applied: raise :class:`PartialStepUnresolved` for
    a partial step not resolved yet; those of idempotent revisions are recorded as reverted
    (run again) instead. Returns a note per step so recorded."""
    notes: list[str] = []
    with connection.begin():
        ledger = Ledger(connection)
        for step in ledger.partial_steps():
            if not idempotent(executor, step):
                raise PartialStepUnresolved(f"{command} refused: {describe_partial(step)}")
            ledger.resolve(step, "reverted", runner)
            notes.append(f"step {step.position} of train {step.train!r} ({step.service} "
                         f"{step.revision}) was partly applied; its revision declares "
                         "idempotent = True, so it runs again")
    for note in notes:
        log.warning("a partly applied step runs again", note=note)
    return notes


def idempotent(executor: Executor, step: StepRecord) -> bool:
    if step.service not in executor.workspace.services:
        return False
    revision = executor.script(step.service).get_revision(step.revision)
    return revision is not None and getattr(revision.module, IDEMPOTENT, False) is True


def describe_partial(step: StepRecord) -> str:
    committed = ("; ".join(f"line {line}: {' '.join(sql.split())[:120]}" if line else sql
                           for line, sql in step.statements)
                 or "which statements committed is unknown (its runner stopped)")
    return (
        f"step {step.position} of train {step.train!r} ({step.service} "
        f"{step.revision}) is partly applied on this database. Committed: {committed}. Fix the "
        "database by hand, then either `orchestrate train resolve "
        f"{step.train} --applied` (you finished the step: it is recorded as applied) or "
        f"`orchestrate train resolve {step.train} --reverted` (you undid it: the train runs "
        "it again). A revision whose statements are all safe to run twice can declare "
        "`idempotent = True` instead"
    )
