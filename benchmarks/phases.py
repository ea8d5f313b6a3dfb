"""Run an ``orchestrate`` command as a process, with timers around its phases.

The command runs exactly as the console script runs it (``orchestrator.cli.process``), with
timers wrapped around what it does: importing the command line, loading the models,
reflecting, comparing (every garbage collection timed too, wherever it happens), and from
the end of the command to the end of the process. ``other`` is the rest of the wall time: the
interpreter's start, the library's imports, reading revisions and the state, rendering.

``--teardown`` ends the process as a plain Python program does (``sys.exit``: the heap torn
down), for the before/after of the fast exit.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: Executed by ``python -c`` in the measured process.
_WRAPPER = r"""
import gc, json, os, sys, time
marks = {}
gc_seconds = [0.0]
_gc_started = [0.0]
def _gc(phase, info):
    if phase == "start":
        _gc_started[0] = time.time()
    else:
        gc_seconds[0] += time.time() - _gc_started[0]
gc.callbacks.append(_gc)
import orchestrator.cli.process as process
marks["cli imported"] = time.time()

def timed(name, function, is_async=False):
    if is_async:
        async def wrapper(*args, **kwargs):
            started = time.time()
            try:
                return await function(*args, **kwargs)
            finally:
                marks[name] = marks.get(name, 0.0) + time.time() - started
    else:
        def wrapper(*args, **kwargs):
            started = time.time()
            try:
                return function(*args, **kwargs)
            finally:
                marks[name] = marks.get(name, 0.0) + time.time() - started
    return wrapper

def patch_workspace(module):
    from functools import cached_property
    prop = cached_property(timed("models", module.Workspace.metadata.func))
    prop.__set_name__(module.Workspace, "metadata")
    module.Workspace.metadata = prop

def patch_autodetect(module):
    module.reflect = timed("reflection", module.reflect, True)
    module._changes = timed("comparison", module._changes, True)

# Patched when the command imports them (importing them here would time their imports wrongly)
import importlib.abc, importlib.machinery
PATCHES = {"orchestrator.workspace.workspace": patch_workspace,
           "orchestrator.autogenerate.autodetect": patch_autodetect}

class Patching(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name not in PATCHES:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        execute = spec.loader.exec_module
        def exec_module(module):
            execute(module)
            PATCHES[name](module)
        spec.loader.exec_module = exec_module
        return spec

sys.meta_path.insert(0, Patching())
teardown = os.environ.get("BENCH_TEARDOWN") == "1"
original_exit = process.fast_exit

def ending(code):
    marks["command done"] = time.time()
    marks["gc"] = gc_seconds[0]
    with open(os.environ["BENCH_OUT"], "w") as out:
        json.dump(marks, out)
    if teardown:
        sys.exit(code)
    original_exit(code)

process.fast_exit = ending
sys.argv = ["orchestrate", *sys.argv[1:]]
process.run_process()
"""

PHASES = ("cli imports", "models", "reflection", "comparison", "gc", "exit", "other")


def run(args: list[str], env: dict[str, str] | None = None, teardown: bool = False,
        ok_codes: tuple[int, ...] = (0,)) -> dict[str, float]:
    """Seconds per phase of ``orchestrate ARGS`` as one process, and ``total``."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "marks.json"
        environment = {**os.environ, **(env or {}), "BENCH_OUT": str(out),
                       "BENCH_TEARDOWN": "1" if teardown else "0"}
        started = time.time()
        done = subprocess.run([sys.executable, "-c", _WRAPPER, *args], env=environment,
                              capture_output=True, text=True)
        total = time.time() - started
        if done.returncode not in ok_codes:
            raise SystemExit(f"orchestrate {' '.join(args)} exited {done.returncode}: "
                             f"{done.stdout[-2000:]}{done.stderr[-2000:]}")
        marks = json.loads(out.read_text())
    phases = {
        "cli imports": marks["cli imported"] - started,
        "models": marks.get("models", 0.0),
        "reflection": marks.get("reflection", 0.0),
        "comparison": marks.get("comparison", 0.0),
        "gc": marks["gc"],
        "exit": total - (marks["command done"] - started),
    }
    phases["other"] = total - sum(phases.values()) + phases["gc"]  # gc overlaps the others
    phases["total"] = total
    return phases
