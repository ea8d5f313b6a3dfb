"""Extension points declared as dotted paths (docs/extensions.md), the same under orchestrate and
under vanilla ``alembic -c``; bad declarations are exit 2 naming the key and the file."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import alembic, edit, orchestrate, write

HOOKS = '''"""The example workspace's own hooks (a module at the workspace root)."""
from alembic.operations import ops
from alembic.util import PriorityDispatchResult


def skip_scratch(obj, name, type_, reflected, compare_to):
    return not (type_ == "column" and name.startswith("scratch_"))


def allow_everything(obj, name, type_, reflected, compare_to):
    return True  # can narrow orchestrate's ownership filter, never widen it


def unicode_strings(type_, obj, autogen_context):
    if type_ == "type" and type(obj).__name__ == "String":
        return f"sa.Unicode(length={obj.length})"
    return False


def numbered(context, revision, directives):
    script = directives[0]
    for container in (script.upgrade_ops, script.downgrade_ops):
        for table_ops in container.ops:
            if isinstance(table_ops, ops.ModifyTableOps):
                table_ops.ops[:] = [op for op in table_ops.ops
                                    if getattr(op, "column_name", None) != "dropped_by_hook"
                                    and getattr(getattr(op, "column", None), "name", None)
                                    != "dropped_by_hook"]
    script.rev_id = "feedc0de0001"


def compare_users_audit(autogen_context, upgrade_ops, schemas):
    if "users" in autogen_context.metadata.tables:
        upgrade_ops.ops.append(ops.CreateTableCommentOp("users", "audited"))
    return PriorityDispatchResult.CONTINUE


def setup(plugin):
    plugin.add_autogenerate_comparator(compare_users_audit, "schema")
'''


def declare(root: Path, where: str, key: str, value: str) -> None:
    """Declare an extension point in pyproject (``where == "workspace"``) or a service's ini."""
    if where == "workspace":
        edit(root / "pyproject.toml", "[tool.orchestrate]\n",
             f"[tool.orchestrate]\n{key} = {json.dumps(value)}\n")
    else:
        edit(root / "alembic.ini.d" / f"{where}.ini", "[orchestrate]\n",
             f"[orchestrate]\n{key} = {value}\n")


def add_users_column(root: Path, line: str) -> None:
    edit(root / "services/users/models/users.py", '    sa.Column("last_login_at"',
         f"    {line},\n    sa.Column(\"last_login_at\"")


def changes(root: Path, url: str) -> tuple[int, dict[str, list[tuple]]]:
    outcome = orchestrate(root, "check", "--json", url=url)
    report = json.loads(outcome.stdout)
    return outcome.exit_code, {s["service"]: [(c["operation"], c["table"], c["object"])
                                              for c in s["changes"]]
                               for s in report["services"]}


@pytest.fixture
def hooked(example: Path, db) -> Path:
    write(example / "orchestrate_hooks.py", HOOKS)
    assert orchestrate(example, "upgrade", url=db.url).exit_code == 0
    return example


def test_include_object_narrows_the_ownership_filter_never_widens_it(hooked, db):
    declare(hooked, "workspace", "include_object", "orchestrate_hooks.skip_scratch")
    declare(hooked, "users", "include_object", "orchestrate_hooks.allow_everything")
    add_users_column(hooked, 'sa.Column("scratch_note", sa.Text, nullable=True)')
    code, found = changes(hooked, db.url)
    assert code == 0 and all(not ops for ops in found.values()), found  # no drop of others'
    assert "No new upgrade operations detected" in alembic(
        hooked, "users", "check", url=db.url).stdout

    add_users_column(hooked, 'sa.Column("nickname", sa.String(40), nullable=True)')
    code, found = changes(hooked, db.url)
    assert code == 1 and found["users"] == [("add_column", "users", "nickname")]
    vanilla = alembic(hooked, "users", "check", url=db.url)
    assert "nickname" in vanilla.stderr + vanilla.stdout
    assert "scratch_note" not in vanilla.stderr + vanilla.stdout


def test_render_item_and_process_revision_directives_shape_what_generate_writes(hooked, db):
    declare(hooked, "workspace", "render_item", "orchestrate_hooks.unicode_strings")
    declare(hooked, "users", "process_revision_directives", "orchestrate_hooks:numbered")
    add_users_column(hooked, 'sa.Column("nickname", sa.String(40), nullable=True)')
    add_users_column(hooked, 'sa.Column("dropped_by_hook", sa.Integer, nullable=True)')
    code, found = changes(hooked, db.url)
    assert code == 1 and found["users"] == [("add_column", "users", "nickname")]

    outcome = orchestrate(hooked, "generate", "users", "-m", "nickname", "--json", url=db.url)
    assert outcome.exit_code == 0, outcome.stderr
    written = json.loads(outcome.stdout)["services"][0]["written"]
    assert written["revision"] == "feedc0de0001"
    text = (hooked / written["path"]).read_text()
    assert "sa.Unicode(length=40)" in text and "dropped_by_hook" not in text
    assert orchestrate(hooked, "upgrade", url=db.url).exit_code == 0
    assert "nickname" in db.columns("users")
    code, found = changes(hooked, db.url)
    assert code == 0, found  # the hook keeps leaving dropped_by_hook out


def test_a_comparator_plugin_applies_to_the_service_declaring_it_only(hooked, db):
    declare(hooked, "users", "comparators", "orchestrate_hooks")
    code, found = changes(hooked, db.url)
    assert code == 1
    assert found["users"] == [("create_table_comment", "users", None)]
    assert all(not ops for name, ops in found.items() if name != "users")
    vanilla = alembic(hooked, "users", "check", url=db.url)
    assert "New upgrade operations detected" in vanilla.stderr + vanilla.stdout
    assert "No new upgrade operations detected" in alembic(
        hooked, "orders", "check", url=db.url).stdout


@pytest.mark.parametrize(("where", "key", "value", "says"), [
    ("workspace", "include_object", "no_such_module.keep", "no module named 'no_such_module'"),
    ("users", "render_item", "orchestrate_hooks.absent", "has no attribute 'absent'"),
    ("orders", "process_revision_directives", "orchestrate_hooks", "not a dotted path"),
    ("users", "comparators", "orchestrate_hooks_missing", "no module named"),
])
def test_a_bad_dotted_path_is_exit_2_naming_the_key_and_the_file(example, where, key, value,
                                                                 says, tmp_path):
    write(example / "orchestrate_hooks.py", HOOKS)
    declare(example, where, key, value)
    url = f"sqlite+aiosqlite:///{tmp_path / 'bad.db'}"
    file = "pyproject.toml" if where == "workspace" else f"{where}.ini"
    for command in (("check",), ("upgrade",), ("plan",)):
        outcome = orchestrate(example, *command, url=url)
        assert outcome.exit_code == 2, (command, outcome.stdout, outcome.stderr)
        assert key in outcome.stderr and file in outcome.stderr and says in outcome.stderr
        assert "Traceback" not in outcome.stderr
    service = "users" if where == "workspace" else where
    vanilla = alembic(example, service, "upgrade", "head", url=url)
    assert vanilla.returncode != 0 and key in vanilla.stderr and says in vanilla.stderr
    assert "Traceback" not in vanilla.stderr


def test_a_declaration_of_the_wrong_type_is_exit_2(example):
    edit(example / "pyproject.toml", "[tool.orchestrate]\n",
         "[tool.orchestrate]\ninclude_object = 3\n")
    outcome = orchestrate(example, "services")
    assert outcome.exit_code == 2 and "include_object" in outcome.stderr
