"""Benchmark ``orchestrate lint`` against plain Alembic rendering the same revisions offline.

Builds a synthetic workspace (default 100 services x 100 revisions), lints every revision, and
measures side by side, in the same process:

- plain Alembic, the cheapest equivalent: one ``ScriptDirectory`` per service (it loads every
  revision module) and, per revision, the offline render ``<down>:<rev>`` a vanilla ``env.py``
  does (``EnvironmentContext.configure(dialect_name=..., as_sql)`` + ``run_migrations``);
- plain Alembic as a user types it, ``alembic upgrade <down>:<rev> --sql`` per revision, in
  process (``alembic.command.upgrade(config, "down:rev", sql=True)`` with a vanilla offline
  ``env.py``), on a sample of services: every call loads the service's whole history again.

    python -m benchmarks.lint_bench --services 100 --revisions 100
    python -m benchmarks.lint_bench --baseline /tmp/main-checkout --rounds 3

Issue 15 (squawk's rules, 13 more rules, history-aware BC303), --baseline = main before it,
100 x 100, cold cache, whole processes, interleaved, machine shared (load average 8-17 on 2
cores): rounds (baseline, this) = (237, 294), (389, 303), (567, 424) s; medians 389 s vs
303 s, ratio 0.78x: within the noise, never above 1.24x of its pair. Lint alone on a warm
cache, 10 x 100 in process: 9.14 s vs 9.40 s (1.03x).

``--baseline DIR`` (a checkout or ``git archive`` of another orchestrate, e.g. main before a
change) times whole ``lint`` processes of that tree and of this one on the same workspace,
interleaved (the order alternates each round), each with a cold reading cache, and prints the
medians and their ratio; the plain-Alembic comparison is skipped then.

Measured on 2 cores, 100 x 100 (10 tables each): first version 19.0 s (1.90 ms/revision,
1.92x the ScriptDirectory render); now 10.3 s (1.03 ms/revision, lint alone 0.79 ms, 1.02x),
against ~25 ms/revision for `alembic upgrade <down>:<rev> --sql` per revision. What helped:
the per-service syntax-tree cache dropped after each service, `gc.freeze()` while linting (the
collector no longer walks every loaded model), one AST walk per function, compiling the
module from its text (faster than from the tree), cheap text pre-checks before tree walks.
"""
from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.script import ScriptDirectory

from benchmarks.synthetic import build
from orchestrator.lint import lint
from orchestrator.runtime.orchestration import Orchestration

_VANILLA_ENV = """\
from alembic import context

context.configure(url="postgresql://", literal_binds=True,
                  dialect_opts={"paramstyle": "named"},
                  version_table="alembic_version_" + context.config.get_main_option("service"))
with context.begin_transaction():
    context.run_migrations()
"""


def time_lint(root: Path, dialect: str) -> tuple[float, float, int, int]:
    """(seconds to open the workspace and load models, seconds to lint, revisions, findings)."""
    started = time.perf_counter()
    orch = Orchestration.open(root)
    orch.workspace.ownership  # loads every service's models: part of lint's real cost
    loaded = time.perf_counter()
    report = lint(orch, dialect=dialect)
    done = time.perf_counter()
    return loaded - started, done - loaded, len(report.revisions), len(report.findings)


def time_alembic_render(root: Path, dialect: str) -> tuple[float, int]:
    """One ScriptDirectory per service, one offline render per revision from its down rev."""
    started = time.perf_counter()
    count = 0
    for ini in sorted((root / "alembic.ini.d").glob("*.ini")):
        config = Config(str(ini))
        script = ScriptDirectory.from_config(config)
        for sc in reversed(list(script.walk_revisions())):
            start = sc.down_revision if isinstance(sc.down_revision, str) else None

            def steps(_rev: object, _context: object, sc=sc, start=start) -> list:
                return script._upgrade_revs(sc.revision, start)

            buffer = io.StringIO()
            with EnvironmentContext(config, script, fn=steps, as_sql=True,
                                    starting_rev=start, destination_rev=sc.revision) as env:
                env.configure(dialect_name=dialect, literal_binds=True, output_buffer=buffer,
                              dialect_opts={"paramstyle": "named"},
                              version_table=f"alembic_version_{ini.stem}")
                with env.begin_transaction():
                    env.run_migrations()
            count += 1
    return time.perf_counter() - started, count


def time_alembic_command(root: Path, sample: int) -> tuple[float, int]:
    """``alembic upgrade <down>:<rev> --sql`` per revision, for ``sample`` services."""
    plain = Path(tempfile.mkdtemp(prefix="plain-alembic-"))
    try:
        configs = []
        for ini in sorted((root / "alembic.ini.d").glob("*.ini"))[:sample]:
            location = plain / ini.stem
            shutil.copytree(root / "services" / ini.stem / "migrations" / "versions",
                            location / "versions")
            (location / "env.py").write_text(_VANILLA_ENV)
            config = Config(output_buffer=io.StringIO())
            config.set_main_option("script_location", str(location))
            config.set_main_option("service", ini.stem)
            configs.append(config)
        started = time.perf_counter()
        count = 0
        for config in configs:
            script = ScriptDirectory.from_config(config)
            ranges = [(sc.down_revision or "base", sc.revision)
                      for sc in reversed(list(script.walk_revisions()))]
            for down, rev in ranges:
                command.upgrade(config, f"{down}:{rev}", sql=True)
                count += 1
        return time.perf_counter() - started, count
    finally:
        shutil.rmtree(plain, ignore_errors=True)


_LINT_PROCESS = """\
import sys
sys.dont_write_bytecode = True
from pathlib import Path
from orchestrator.lint import lint
from orchestrator.runtime.orchestration import Orchestration
report = lint(Orchestration.open(Path(sys.argv[1])), dialect=sys.argv[2])
print(len(report.revisions), len(report.findings))
"""


def time_lint_process(tree: Path, root: Path, dialect: str) -> tuple[float, str]:
    """Seconds for one whole ``lint`` process of the orchestrate in ``tree`` (cold cache)."""
    shutil.rmtree(root / ".orchestrate" / "readings", ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"}
    started = time.perf_counter()
    # run from the tree itself: `python -c` puts the working folder first on sys.path
    done = subprocess.run([sys.executable, "-c", _LINT_PROCESS, str(root), dialect], env=env,
                          cwd=tree, capture_output=True, text=True, check=True)
    return time.perf_counter() - started, done.stdout.strip()


def compare(root: Path, baseline: Path, rounds: int, dialect: str) -> None:
    """Interleaved whole-process lint runs of ``baseline`` and of this checkout."""
    here = Path(__file__).resolve().parents[1]
    times: dict[str, list[float]] = {"baseline": [], "this": []}
    for index in range(rounds):
        order = [("baseline", baseline), ("this", here)]
        for name, tree in order if index % 2 == 0 else reversed(order):
            seconds, counts = time_lint_process(tree, root, dialect)
            times[name].append(seconds)
            print(f"  round {index + 1} {name:8} {seconds:8.2f} s  (revisions, findings: "
                  f"{counts})", flush=True)
    base, this = (statistics.median(times[k]) for k in ("baseline", "this"))
    print(f"\nmedian of {rounds}: baseline {base:.2f} s, this checkout {this:.2f} s, "
          f"ratio {this / base:.2f}x (whole processes, cold reading cache)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=100)
    parser.add_argument("--revisions", type=int, default=100)
    parser.add_argument("--tables", type=int, default=10)
    parser.add_argument("--dialect", default="postgresql")
    parser.add_argument("--command-sample", type=int, default=3,
                        help="services timed with `alembic upgrade down:rev --sql` per revision")
    parser.add_argument("--root", type=Path, default=None, help="keep the workspace here")
    parser.add_argument("--baseline", type=Path, default=None,
                        help="another orchestrate tree to compare with (interleaved runs)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds with --baseline")
    args = parser.parse_args()
    sys.dont_write_bytecode = True  # both sides compile every revision from source, as in CI

    root = args.root or Path(tempfile.mkdtemp(prefix="lint-bench-")) / "ws"
    started = time.perf_counter()
    build(root, args.services, args.tables, args.revisions)
    print(f"workspace: {args.services} services x {args.revisions} revisions "
          f"({args.tables} tables each), built in {time.perf_counter() - started:.1f} s: {root}")
    if args.baseline is not None:
        compare(root, args.baseline.resolve(), args.rounds, args.dialect)
        if args.root is None:
            shutil.rmtree(root.parent, ignore_errors=True)
        return

    render_s, rendered = time_alembic_render(root, args.dialect)
    load_s, lint_s, linted, findings = time_lint(root, args.dialect)
    command_s, commanded = time_alembic_command(root, args.command_sample)
    assert linted == rendered, (linted, rendered)
    total = load_s + lint_s
    ms = 1000.0 / linted

    print(f"\norchestrate lint ({args.dialect}), {linted} revisions, {findings} finding(s):")
    print(f"  total              {total:8.2f} s   {total * ms:6.2f} ms/revision")
    print(f"    workspace+models {load_s:8.2f} s")
    print(f"    lint             {lint_s:8.2f} s   {lint_s * ms:6.2f} ms/revision")
    print("plain Alembic, one ScriptDirectory per service + offline render per revision:")
    print(f"  total              {render_s:8.2f} s   {render_s * ms:6.2f} ms/revision")
    per_command = 1000.0 * command_s / max(commanded, 1)
    print(f"plain Alembic, `alembic upgrade <down>:<rev> --sql` per revision "
          f"({commanded} revisions of {args.command_sample} services):")
    print(f"  total              {command_s:8.2f} s   {per_command:6.2f} ms/revision "
          f"(~{per_command * linted / 1000:.0f} s for all {linted})")
    print(f"\nratio lint / ScriptDirectory render:        {total / render_s:5.2f}x "
          f"(lint alone {lint_s / render_s:.2f}x)")
    print(f"ratio lint / `alembic upgrade --sql` each:  "
          f"{total * ms / per_command:5.3f}x")
    if args.root is None:
        shutil.rmtree(root.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
