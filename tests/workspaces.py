"""Small custom workspaces for tests: services, tables and revisions in a few lines each.

    ws = MiniWorkspace(tmp_path / "ws")
    ws.service("users", {"users": None})
    ws.service("orders", {"orders": "users.id"})          # orders.ref_id -> users.id
    ws.revision("users", "u1", ops=[create("users")])
    ws.revision("orders", "o1", requires=["users:u1"], ops=[create("orders", "users.id")])

Each service gets a models package (a foreign key to another service's table goes through a
stub table, and ``tables =`` in the ini keeps the stub unowned, as the example's orders does),
a plain Alembic ini with an [orchestrate] section, the env.py shim and revision files. An op
is a pair of source lines ``(upgrade, downgrade)``.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from orchestrator.workspace.scaffold import service_ini

Op = tuple[str, str]


def create(table: str, fk: str | None = None) -> Op:
    """``CREATE TABLE table (id, ref_id -> fk)``; on PostgreSQL the foreign key's target must
    exist, so a wrong order fails."""
    ref = (f"        sa.Column('ref_id', sa.Integer(), sa.ForeignKey({fk!r}), nullable=True),\n"
           if fk else "")
    return (f"    op.create_table(\n        {table!r},\n"
            "        sa.Column('id', sa.Integer(), primary_key=True),\n"
            f"{ref}    )", f"    op.drop_table({table!r})")


def copy_count(into: str, source: str, key: int) -> Op:
    """Insert row ``key`` into ``into`` counting ``source``'s rows: fails on any backend unless
    ``source`` exists. Keys must differ per table."""
    return (f"    op.execute('INSERT INTO {into} (id) SELECT {key} + 0 * count(*) FROM {source}')",
            f"    op.execute('DELETE FROM {into} WHERE id = {key}')")


class MiniWorkspace:
    def __init__(self, root: Path) -> None:
        self.root = root
        _write(root / "pyproject.toml",
               '[tool.orchestrate]\nservices_dir = "services"\nini_dir = "alembic.ini.d"\n')
        _write(root / "services" / "__init__.py", "")

    def service(self, name: str, tables: Mapping[str, str | None],
                depends_on: Sequence[str] = ()) -> None:
        """A service owning ``tables`` ({table: foreign key target such as "users.id"})."""
        base = self.root / "services" / name
        _write(base / "__init__.py", "")
        lines = ["import sqlalchemy as sa", "", "metadata = sa.MetaData()", ""]
        stubs = sorted({fk.rsplit(".", 1)[0] for fk in tables.values() if fk} - set(tables))
        for stub in stubs:
            lines.append(f"sa.Table({stub!r}, metadata, sa.Column('id', sa.Integer, "
                         "primary_key=True))  # another service's: a stub")
        for table, fk in tables.items():
            ref = f", sa.Column('ref_id', sa.Integer, sa.ForeignKey({fk!r}))" if fk else ""
            lines.append(f"sa.Table({table!r}, metadata, sa.Column('id', sa.Integer, "
                         f"primary_key=True){ref})")
        _write(base / "models" / "__init__.py", "\n".join(lines) + "\n")
        _write(base / "migrations" / "env.py",
               "from orchestrator.envrunner import run_env\n\nrun_env()\n")
        (base / "migrations" / "versions").mkdir(parents=True, exist_ok=True)
        _write(self.root / "alembic.ini.d" / f"{name}.ini",
               service_ini(name, tables, depends_on))

    def revision(self, service: str, rev: str, down: str | Sequence[str] | None = None,
                 requires: Iterable[str] = (), ops: Sequence[Op] = (),
                 message: str | None = None, depends_on: str | None = None) -> Path:
        """Write ``services/<service>/migrations/versions/<rev>.py``; returns its path."""
        down_value = tuple(down) if isinstance(down, (list, tuple)) else down
        upgrade = "\n".join(up for up, _ in ops) or "    pass"
        downgrade = "\n".join(down_op for _, down_op in reversed(ops)) or "    pass"
        path = self.root / "services" / service / "migrations" / "versions" / f"{rev}.py"
        _write(path, (
            f'"""{message or f"{service} {rev}"}\n\nRevision ID: {rev}\n"""\n'
            "from alembic import op\nimport sqlalchemy as sa\n\n"
            f"revision = {rev!r}\ndown_revision = {down_value!r}\nbranch_labels = None\n"
            f"depends_on = {depends_on!r}\nrequires = {list(requires)!r}\n\n\n"
            f"def upgrade() -> None:\n{upgrade}\n\n\ndef downgrade() -> None:\n{downgrade}\n"
        ))
        return path

    def path(self, service: str, rev: str) -> Path:
        return self.root / "services" / service / "migrations" / "versions" / f"{rev}.py"


def interleaved(root: Path) -> MiniWorkspace:
    """users, orders and invoices whose histories only apply in one interleaved order.

    users: u1 -> u2 -> (u3a | u3b) -> um (a merge);  orders: o1 -> o2 -> o3;  invoices: i1.
    o1 requires u1, u2 requires o1, o2 requires u2, u3b requires o2, o3 requires um,
    i1 requires o1. Each revision touches what it requires (a foreign key or a SELECT), so a
    wrong order fails in the database itself. The order orchestrate picks (users rank before
    orders before invoices in the service graph, so u3a goes as soon as it is ready):
    u1 o1 u2 u3a o2 u3b um o3 i1.
    """
    ws = MiniWorkspace(root)
    ws.service("users", {"users": None, "user_stats": None, "user_tags": None,
                         "user_flags": None})
    ws.service("orders", {"orders": "users.id", "order_notes": None})
    ws.service("invoices", {"invoices": "orders.id"})
    ws.revision("users", "u1", ops=[create("users")], message="create users")
    ws.revision("orders", "o1", requires=["users:u1"], ops=[create("orders", "users.id")],
                message="create orders")
    ws.revision("users", "u2", "u1", requires=["orders:o1"],
                ops=[create("user_stats"), copy_count("user_stats", "orders", 1)],
                message="user stats from orders")
    ws.revision("users", "u3a", "u2", ops=[create("user_tags")], message="user tags")
    ws.revision("orders", "o2", "o1", requires=["users:u2"],
                ops=[create("order_notes"), copy_count("order_notes", "user_stats", 1)],
                message="order notes from user stats")
    ws.revision("users", "u3b", "u2", requires=["orders:o2"],
                ops=[create("user_flags"), copy_count("user_flags", "order_notes", 1)],
                message="user flags from order notes")
    ws.revision("users", "um", ["u3a", "u3b"], ops=[copy_count("user_tags", "user_flags", 1)],
                message="merge tags and flags")
    ws.revision("orders", "o3", "o2", requires=["users:um"],
                ops=[copy_count("order_notes", "user_tags", 2)], message="notes from tags")
    ws.revision("invoices", "i1", requires=["orders:o1"],
                ops=[create("invoices", "orders.id")], message="create invoices")
    return ws


INTERLEAVED_ORDER = ["users:u1", "orders:o1", "users:u2", "users:u3a", "orders:o2",
                     "users:u3b", "users:um", "orders:o3", "invoices:i1"]


def _write(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
