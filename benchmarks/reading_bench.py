"""Read every service's history (orchestrate's recorded reading), cold and warm, against
loading the same histories with Alembic's ``ScriptDirectory``.

  Alembic           ``ScriptDirectory.from_config`` and ``walk_revisions`` for each service:
                    every revision module imported, nothing run
  orchestrate cold  ``Workspace.load(root).histories`` with no cached readings: every module
                    imported and its ``upgrade()``/``downgrade()`` run under the recording
                    offline context (operations recorded, raw SQL parsed), the cache written
  orchestrate warm  the same with the cache in place: files hashed, readings taken from it
  + table claims    warm, and every service's table claims decoded from the cached readings
                    (what ownership, ``plan`` and ``graph`` need on top)

Medians of interleaved runs (cold, warm, Alembic, in turn), after one warm-up run each.

    python -m benchmarks.reading_bench                      # 100 services x 100 revisions
    python -m benchmarks.reading_bench --services 10 --revisions 50 --repeat 3
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from alembic.script import ScriptDirectory

from benchmarks.synthetic import build
from orchestrator.workspace.workspace import Workspace


def alembic_once(root: Path) -> float:
    started = time.perf_counter()
    count = 0
    for service in Workspace.load(root).services.values():
        script = ScriptDirectory.from_config(service.alembic_config())
        count += sum(1 for _ in script.walk_revisions())
    assert count
    return time.perf_counter() - started


def orchestrate_once(root: Path, cold: bool, claims: bool = False) -> float:
    if cold:
        shutil.rmtree(root / ".orchestrate" / "readings", ignore_errors=True)
    started = time.perf_counter()
    workspace = Workspace.load(root)
    histories = workspace.histories
    if claims:
        for history in histories.values():
            history.table_claims()
    elapsed = time.perf_counter() - started
    assert sum(len(h.revisions) for h in histories.values())
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=100)
    parser.add_argument("--revisions", type=int, default=100)
    parser.add_argument("--tables", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reading-bench-") as tmp:
        root = build(Path(tmp) / "ws", args.services, args.tables, args.revisions)
        print(f"workspace: {args.services} services x {args.revisions} revisions, "
              f"median of {args.repeat} interleaved runs after one warm-up each")
        alembic_once(root)
        orchestrate_once(root, cold=True)
        runs: dict[str, list[float]] = {"cold": [], "warm": [], "claims": [], "alembic": []}
        for _ in range(args.repeat):
            runs["cold"].append(orchestrate_once(root, cold=True))
            runs["warm"].append(orchestrate_once(root, cold=False))
            runs["claims"].append(orchestrate_once(root, cold=False, claims=True))
            runs["alembic"].append(alembic_once(root))
        median = {key: statistics.median(values) for key, values in runs.items()}
        alembic = median["alembic"]
        print(f"  Alembic      ScriptDirectory      {alembic:8.3f} s")
        print(f"  orchestrate  cold (reads all)     {median['cold']:8.3f} s   "
              f"{median['cold'] / alembic:.2f}x Alembic")
        print(f"  orchestrate  warm (cached)        {median['warm']:8.3f} s   "
              f"{median['warm'] / alembic:.2f}x Alembic")
        print(f"  orchestrate  warm + table claims  {median['claims']:8.3f} s   "
              f"{median['claims'] / alembic:.2f}x Alembic")


if __name__ == "__main__":
    main()
