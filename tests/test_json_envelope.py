"""Every command's ``--json`` is the one envelope (docs/json.md), valid against its schema in
docs/schemas/, on success and on error alike; the global options go before or after the command.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import click
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from support import REPO, orchestrate

from orchestrator.cli import main

SCHEMAS = REPO / "docs" / "schemas"


def all_commands(group: click.Group = main, prefix: str = "") -> list[str]:
    found = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found += all_commands(command, f"{prefix}{name} ")
        else:
            found.append(f"{prefix}{name}")
    return found


def schema_file(command: str | None) -> Path:
    return SCHEMAS / f"{(command or 'error').replace(' ', '-')}.json"


@pytest.fixture(scope="module")
def registry() -> Registry:
    return schema_registry()


def schema_registry() -> Registry:
    """Every schema of docs/schemas/, checked, by its ``$id``."""
    resources = []
    for path in sorted(SCHEMAS.glob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(contents)
        resources.append((contents["$id"], Resource.from_contents(contents)))
    return Registry().with_resources(resources)


def validated(registry: Registry, stdout: str) -> dict:
    """The document, after checking it against its command's schema (every error listed)."""
    document = json.loads(stdout)
    schema = json.loads(schema_file(document["command"]).read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema, registry=registry)
    problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                for e in validator.iter_errors(document)]
    assert not problems, f"{document['command']}: " + "; ".join(problems)
    return document


def run_json(root: Path, *args: str, url: str | None = None, registry: Registry) -> dict:
    outcome = orchestrate(root, *args, "--json", url=url)
    document = validated(registry, outcome.stdout)
    assert document["exit_code"] == outcome.exit_code
    assert document["ok"] == (outcome.exit_code == 0)
    return document


def test_every_command_has_a_schema_and_a_documented_section() -> None:
    guide = (REPO / "docs" / "json.md").read_text(encoding="utf-8")
    for command in all_commands():
        assert schema_file(command).is_file(), f"add {schema_file(command).name} for {command}"
        assert f"`{command}`" in guide, f"docs/json.md says nothing of {command}"


#: Each command as the scenario below runs it successfully; ``train resume`` needs a stopped
#: train: test_a_failed_step_then_resume; ``init`` an empty folder: test_init.
SUCCESS_RUNS: list[tuple[str, ...]] = [
    ("heads",), ("services",), ("history",), ("current",), ("stamp", "--all-heads", "--sql"),
    ("stamp", "users@head"), ("stamp", "users@base"), ("adopt", "--dry-run"), ("graph",), ("graph", "--revisions"), ("lint",),
    ("plan",), ("plan", "--sql"), ("upgrade", "--sql"), ("train", "plan", "first-release"),
    ("train", "run", "first-release", "--dry-run"), ("train", "run", "first-release", "--sql"),
    ("train", "run", "first-release"), ("train", "status", "first-release"), ("check", "--drift"), ("generate", "-m", "nothing"),
    ("merge", "--all"), ("downgrade", "users@base", "--cascade"), ("upgrade",), ("plan",),
    ("new-service", "payments"), ("plan",),
    ("fleet", "plan", "f"), ("fleet", "run", "f", "first-release"),
    ("fleet", "status", "f", "first-release"),
]

#: One bad input per command: each is exit 2 with the error in ``errors``.
ERROR_RUNS: list[tuple[str, ...]] = [
    ("heads", "nosuch"), ("services", "--bogus"), ("current", "extra"),
    ("stamp", "users@feedfacecafe"), ("adopt", "extra"),
    ("generate", "--baseline", "users"), ("history", "nosuch"),
    ("graph", "--format", "dot"), ("lint", "--dialect", "oracle"), ("plan", "--sql", "extra"),
    ("upgrade", "nosuch"), ("downgrade", "orders"), ("train", "plan", "no-such-train"),
    ("train", "run", "no-such-train"), ("train", "resume", "no-such-train"),
    ("train", "resolve", "first-release", "--applied"),
    ("train", "status", "bad/name"), ("check", "nosuch"), ("generate", "nosuch", "-m", "x"),
    ("merge",), ("fleet", "plan", "nosuch"), ("fleet", "run", "nosuch", "first-release"),
    ("fleet", "status", "f", "bad/name"), ("init",), ("new-service", "orders"),
]


def command_of(args: tuple[str, ...]) -> str:
    return " ".join(args[:2]) if args[0] in ("train", "fleet") else args[0]


def test_the_scenarios_cover_every_command() -> None:
    commands = set(all_commands())
    # train resume and train resolve succeed only after a failure: test_trains has them
    assert {command_of(a) for a in SUCCESS_RUNS} | {"train resume", "train resolve", "init"} \
        == commands
    assert {command_of(a) for a in ERROR_RUNS} == commands


def declare_fleet(root: Path, folder: Path) -> None:
    """Fleet ``f``: two SQLite databases of their own."""
    from support import write

    shutil.copytree(REPO / "trains", root / "trains")
    databases = "".join(f'{name} = "sqlite+aiosqlite:///{folder / name}.db"\n'
                        for name in ("f1", "f2"))
    write(root / "fleets" / "f.toml", f"[databases]\n{databases}")


def test_every_command_on_success(example: Path, db, registry: Registry, tmp_path: Path
                                  ) -> None:
    from support import accept_example_seed_rows

    declare_fleet(example, tmp_path)
    accept_example_seed_rows(example)
    for args in SUCCESS_RUNS:
        document = run_json(example, *args, url=db.url, registry=registry)
        assert document["command"] == command_of(args)
        assert document["exit_code"] == 0 and document["errors"] == [], (args, document)
        text = json.dumps(document)
        assert str(example) not in text, f"{args}: a path is not relative to the workspace"
        if document["command"] in ("plan", "services", "history"):
            assert document["database"]["dialect"] == db.backend
        if "--sql" in args:
            assert document["verdict"] == "sql" or document["command"] == "plan"
            assert document["sql"].strip(), args
        for service in document.get("services", []):
            assert "name" not in service, f"{args}: a service is `service`, never `name`"
    assert document["command"] == "fleet status" and document["counts"] == {"succeeded": 2}


def test_every_command_on_bad_input(example: Path, registry: Registry, tmp_path: Path
                                    ) -> None:
    declare_fleet(example, tmp_path)
    for args in ERROR_RUNS:
        document = run_json(example, *args, registry=registry)
        assert document["command"] == command_of(args), args
        assert document["exit_code"] == 2 and document["verdict"] == "error", (args, document)
        (error,) = document["errors"]
        assert error["message"] and "Traceback" not in json.dumps(error), args


def test_a_failed_step_then_resume(example: Path, db, registry: Registry) -> None:
    """A database failure is exit 3 in the envelope; ``train resume`` then completes."""
    from support import write, write_revision

    head = orchestrate(example, "heads", "tenants", "--json")
    (tenants,) = json.loads(head.stdout)["services"]
    broken = write_revision(example, "tenants", "c0c0c0c0c0c0", tenants["heads"][0]["revision"],
                            'op.execute("UPDATE no_such_table SET x = 1")')
    write(example / "trains" / "t.toml", '[targets]\ntenants = "head"\n')
    failed = run_json(example, "train", "run", "t", url=db.url, registry=registry)
    assert failed["exit_code"] == 3 and failed["errors"][0]["code"] == "train-step-failed"
    assert "Background on this error" not in json.dumps(failed)
    broken.write_text(broken.read_text().replace(
        'op.execute("UPDATE no_such_table SET x = 1")', "pass"))
    resumed = run_json(example, "train", "resume", "t", url=db.url, registry=registry)
    assert resumed["exit_code"] == 0 and resumed["kind"] == "resume"
    assert resumed["applied"][-1]["revision"] == "c0c0c0c0c0c0"


def test_init(tmp_path: Path, registry: Registry) -> None:
    document = run_json(tmp_path / "new", "init", registry=registry)
    assert document["verdict"] == "created" and "pyproject.toml" in document["created"]


def test_unknown_command_is_an_error_envelope_too(example: Path, registry: Registry) -> None:
    document = run_json(example, "pln", registry=registry)
    assert document["command"] is None and document["exit_code"] == 2
    assert document["errors"][0]["message"] == "no such command 'pln'"
    assert "did you mean: plan?" in document["errors"][0]["details"]


def test_a_refusal_with_a_payload_keeps_both(example: Path, registry: Registry) -> None:
    """merge's conflicts: exit 1, the conflicts in the payload, the refusal in ``errors``."""
    from test_branches import ORDERS_BASE, revision

    add = "op.add_column('orders', sa.Column('gift_note', sa.Text(), nullable=True))"
    for rev in ("a1a1a1a1a1a1", "b2b2b2b2b2b2"):
        revision(example, "orders", rev, ORDERS_BASE, add, "op.drop_column('orders', 'gift_note')")
    document = run_json(example, "merge", "orders", registry=registry)
    assert document["exit_code"] == 1 and document["verdict"] == "conflicts"
    assert len(document["conflicts"]) == 1
    assert document["errors"][0]["code"] == "merge-conflict"


@pytest.mark.parametrize("place", ["before", "after", "between"])
def test_global_options_before_or_after_the_command(example: Path, tmp_path: Path,
                                                    place: str) -> None:
    from click.testing import CliRunner

    url = f"sqlite+aiosqlite:///{tmp_path / 'g.db'}"
    options = ["--root", str(example), "--database-url", url, "--json", "-v",
               "--color", "never", "--log-format", "plain"]
    argv = {"before": [*options, "train", "status", "x"],
            "after": ["train", "status", "x", *options],
            "between": ["train", *options, "status", "x"]}[place]
    shutil.copytree(REPO / "trains", example / "trains")
    (example / "trains" / "x.toml").write_text('[targets]\nusers = "head"\n')
    result = CliRunner().invoke(main, argv, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["command"] == "train status" and document["state"] == "never-run"
    assert document["database"]["url"] == url


def test_the_option_nearest_the_command_wins(example: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    first, second = (f"sqlite+aiosqlite:///{tmp_path / name}" for name in ("1.db", "2.db"))
    result = CliRunner().invoke(main, ["--database-url", first, "--root", str(example),
                                       "plan", "--database-url", second, "--json"])
    assert json.loads(result.stdout)["database"]["url"] == second


def test_json_with_sql_puts_the_sql_in_the_document(example: Path, registry: Registry) -> None:
    document = run_json(example, "upgrade", "--sql", registry=registry)
    assert document["sql"].lstrip().startswith("--") or "CREATE TABLE" in document["sql"]
    assert document["applied"] == [] and [s["position"] for s in document["steps"]] == [
        1, 2, 3, 4, 5]
