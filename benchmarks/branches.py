"""`orchestrate heads` and `orchestrate merge` against plain Alembic, measured side by side.

Builds a synthetic workspace (N services x M tables x R revisions), forks every service (a
sibling of its last revision adds a column to another table: two heads, no conflict), then
times, best of ``--repeat`` runs each:

- heads: ``find_heads()`` on a freshly loaded workspace, versus Alembic's
  ``ScriptDirectory.from_config(...).get_heads()`` for every service (what ``alembic -c
  <service>.ini heads`` does, minus the process start-up);
- merge: ``merge_services()`` for every service (conflict analysis of both branches, then the
  merge revision written), versus ``alembic.command.merge`` for every service (writing only,
  no analysis). The merge revisions are removed after each run.

    python -m benchmarks.branches --services 40 --tables 5 --revisions 25
"""
from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory

from benchmarks import synthetic
from orchestrator import branches
from orchestrator.core.logs import configure_logging
from orchestrator.runtime.orchestration import Orchestration
from orchestrator.workspace.workspace import Workspace


def fork(root: Path, services: int, revisions: int) -> None:
    """Give every service a second head: a sibling of its last revision."""
    for s in range(services):
        name = synthetic.service_name(s)
        rev = hashlib.sha1(f"fork-{s}".encode()).hexdigest()[:12]
        table = synthetic.table_name(s, 0)
        down = synthetic.revision_id(s, revisions - 1)
        path = root / "services" / name / "migrations" / "versions" / f"{rev}_fork.py"
        path.write_text(synthetic._revision(
            rev, down, "forked", [],
            f"    op.add_column({table!r}, sa.Column('forked', sa.String(20), nullable=True))",
            f"    op.drop_column({table!r}, 'forked')",
        ), encoding="utf-8")


def best(repeat: int, run: Callable[[], object], after: Callable[[], None] = lambda: None
         ) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
        after()
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=40)
    parser.add_argument("--tables", type=int, default=5)
    parser.add_argument("--revisions", type=int, default=25)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.revisions < 2:
        parser.error("--revisions must be at least 2 (the fork is a sibling of the last one)")
    sys.dont_write_bytecode = True
    configure_logging("plain")
    with tempfile.TemporaryDirectory() as tmp:
        root = synthetic.build(Path(tmp) / "ws", args.services, args.tables, args.revisions)
        fork(root, args.services, args.revisions)
        configs = {n: s.alembic_config() for n, s in Workspace.load(root).services.items()}
        for config in configs.values():  # Alembic prints "Generating ..." per file otherwise
            config.cmd_opts = argparse.Namespace(quiet=True)
        heads = {n: ScriptDirectory.from_config(c).get_heads() for n, c in configs.items()}
        assert all(len(h) == 2 for h in heads.values()), heads
        versions = sorted(root.glob("services/*/migrations/versions/*.py"))

        def clean() -> None:
            for path in set(root.glob("services/*/migrations/versions/*.py")) - set(versions):
                path.unlink()

        def orchestrate_heads() -> None:
            reports = branches.find_heads(Orchestration.open(root))
            assert all(r.forked for r in reports)

        def alembic_heads() -> None:
            for config in configs.values():
                ScriptDirectory.from_config(config).get_heads()

        def orchestrate_merge() -> None:
            results = branches.merge_services(Orchestration.open(root))
            assert all(r.revision for r in results)

        def alembic_merge() -> None:
            for name, config in configs.items():
                command.merge(config, list(heads[name]), message="merge")

        rows = [
            ("heads", best(args.repeat, orchestrate_heads), best(args.repeat, alembic_heads)),
            ("merge", best(args.repeat, orchestrate_merge, clean),
             best(args.repeat, alembic_merge, clean)),
        ]
    total = args.services * (args.revisions + 1)
    print(f"{args.services} services x {args.tables} tables x {args.revisions} revisions "
          f"+ 1 fork each ({total} revision files), best of {args.repeat}")
    print(f"{'command':<8} {'orchestrate':>12} {'alembic':>10} {'ratio':>7}")
    for name, ours, theirs in rows:
        print(f"{name:<8} {ours * 1000:>10.1f}ms {theirs * 1000:>8.1f}ms "
              f"{ours / theirs:>6.2f}x")
    print("ratio < 1: orchestrate is faster; its merge also analyses both branches for "
          "conflicts, which Alembic's does not")


if __name__ == "__main__":
    main()
