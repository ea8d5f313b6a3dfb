""""did you mean" (difflib) for each kind of name a user types: commands, services, revisions
(full ids and prefixes), and the keys of [tool.orchestrate] and of an ini's [orchestrate]."""
from __future__ import annotations

from pathlib import Path

from support import edit, orchestrate

ORDERS_INITIAL = "b7e3d90f1c56"


def lines(stderr: str) -> list[str]:
    return [line.strip() for line in stderr.splitlines()]


def test_a_mistyped_command(example: Path) -> None:
    outcome = orchestrate(example, "upgarde")
    assert outcome.exit_code == 2
    assert lines(outcome.stderr)[:2] == ["error: no such command 'upgarde'",
                                         "did you mean: upgrade?"]


def test_a_mistyped_service(example: Path) -> None:
    outcome = orchestrate(example, "history", "ordres")
    assert outcome.exit_code == 2
    assert lines(outcome.stderr)[:2] == ["error: unknown service 'ordres'",
                                         "did you mean: orders?"]


def test_a_mistyped_revision_prefix(example: Path, tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}"
    outcome = orchestrate(example, "upgrade", "orders@b7e3d9f0", url=url)  # two digits swapped
    assert outcome.exit_code == 2
    first, suggestion = lines(outcome.stderr)[:2]
    assert first == "error: service 'orders' has no revision 'b7e3d9f0'"
    assert suggestion == f"did you mean: {ORDERS_INITIAL}?"
    lint = orchestrate(example, "lint", "orders", "--since", "b7e3d0")
    assert lint.exit_code == 2 and f"did you mean: {ORDERS_INITIAL}?" in lines(lint.stderr)


def test_nothing_close_suggests_nothing(example: Path) -> None:
    outcome = orchestrate(example, "lint", "orders", "--since", "ffff0000")
    assert outcome.exit_code == 2 and "did you mean" not in outcome.stderr


def test_a_mistyped_workspace_setting(example: Path) -> None:
    edit(example / "pyproject.toml", "concurrency = 8", "concurency = 8")
    outcome = orchestrate(example, "services")
    assert outcome.exit_code == 2
    first, suggestion, known = lines(outcome.stderr)[:3]
    assert first == f"error: {example / 'pyproject.toml'}: [tool.orchestrate] has unknown key " \
        "'concurency'"
    assert suggestion == "did you mean: concurrency?"
    assert known.startswith("known keys: ") and "services_dir" in known


def test_mistyped_service_settings(example: Path) -> None:
    ini = example / "alembic.ini.d" / "orders.ini"
    edit(ini, "tables = orders, order_lines", "tabels = orders, order_lines\nversion_tabel = x")
    outcome = orchestrate(example, "services")
    assert outcome.exit_code == 2
    first, tables, version_table = lines(outcome.stderr)[:3]
    assert first == f"error: {ini}: [orchestrate] has unknown keys 'tabels', 'version_tabel'"
    assert tables == "'tabels': did you mean: tables?"
    assert version_table.startswith("'version_tabel': did you mean: version_table")


def test_shell_completion_is_clicks(example: Path) -> None:
    """docs/commands.md: `eval "$(_ORCHESTRATE_COMPLETE=bash_source orchestrate)"`."""
    from click.testing import CliRunner
    from support import write

    from orchestrator.cli import main

    def complete(words: str) -> list[str]:
        env = {"_ORCHESTRATE_COMPLETE": "bash_complete", "COMP_WORDS": words,
               "COMP_CWORD": str(len(words.split(" ")) - 1)}
        result = CliRunner().invoke(main, [], env=env, prog_name="orchestrate")
        return [line.split(",", 1)[1] for line in result.stdout.splitlines()]

    assert complete("orchestrate pl") == ["plan"]
    assert complete("orchestrate new") == ["new-service"]
    assert "--database-url" in complete("orchestrate upgrade --d")
    source = CliRunner().invoke(main, [], env={"_ORCHESTRATE_COMPLETE": "bash_source"},
                                prog_name="orchestrate")
    assert "_orchestrate_completion()" in source.stdout
    # the workspace's own names, read from its files (--root before or after the command)
    root = f"--root {example}"
    assert complete(f"orchestrate {root} history o") == ["orders"]
    assert complete(f"orchestrate lint {root} ") == [
        "invoices", "orders", "products", "tenants", "users"]
    assert complete(f"orchestrate upgrade {root} h") == ["head", "heads"]
    write(example / "trains" / "spring.toml", "[targets]\nusers = 'head'\n")
    write(example / "fleets" / "tenants.toml", "[databases]\na = 'sqlite:///a.db'\n")
    assert complete(f"orchestrate train run {root} s") == ["spring"]
    assert complete(f"orchestrate fleet run {root} t") == ["tenants"]
    assert complete(f"orchestrate fleet run {root} tenants s") == ["spring"]


def test_a_mistyped_train_its_keys_and_a_mistyped_fleet(example: Path) -> None:
    from support import write

    write(example / "trains" / "spring.toml", "[targets]\nusers = 'head'\n")
    train = orchestrate(example, "train", "plan", "sprnig")
    assert train.exit_code == 2 and "did you mean: spring?" in lines(train.stderr)
    write(example / "trains" / "autumn.toml", "descripton = 'x'\n[targets]\nusers = 'head'\n")
    key = orchestrate(example, "train", "plan", "autumn")
    assert key.exit_code == 2 and "did you mean: description?" in lines(key.stderr)
    write(example / "fleets" / "tenants.toml", "[databases]\na = 'sqlite:///a.db'\n")
    fleet = orchestrate(example, "fleet", "plan", "tenant")
    assert fleet.exit_code == 2
    assert lines(fleet.stderr)[:2] == ["error: no fleet 'tenant'", "did you mean: tenants?"]
