"""Build synthetic workspaces laid out as DESIGN.md says: N services x M tables x R revisions.

The files every service has (ini, env.py, revision template, naming convention) come from
the templates of ``orchestrate new-service`` (orchestrator.workspace.scaffold).

Every table has indexes, a unique constraint, server defaults and a foreign key (to the
previous table of its service; the first table of each service points at the first table of
the previous service, which makes a cross-service edge and a ``requires``). Revision 1 of a
service creates its tables; revisions 2..R each add one column, and the models match the
head, so a fully upgraded database has no pending model changes.

    python -m benchmarks.synthetic /tmp/ws --services 20 --tables 25 --revisions 1
"""
from __future__ import annotations

import argparse
import hashlib
import textwrap
from pathlib import Path

from orchestrator.workspace.scaffold import service_files, service_ini, template


def service_name(index: int) -> str:
    return f"s{index:03d}"


def table_name(service: int, table: int) -> str:
    return f"{service_name(service)}_t{table:03d}"


def revision_id(service: int, number: int) -> str:
    return hashlib.sha1(f"{service}-{number}".encode()).hexdigest()[:12]


def extra_column(number: int) -> str:
    return f"c{number:03d}"


def build(root: Path, services: int, tables: int, revisions: int = 1,
          cross_service: bool = True) -> Path:
    """Write the workspace under ``root`` (created) and return ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(textwrap.dedent("""\
        [tool.orchestrate]
        services_dir = "services"
        ini_dir = "alembic.ini.d"
        """))
    _write(root / "synth_shared" / "__init__.py", template("naming.py.tmpl"))
    _write(root / "services" / "__init__.py", "")
    for s in range(services):
        _service(root, s, tables, revisions, cross_service and s > 0)
    return root


def _service(root: Path, s: int, tables: int, revisions: int, cross: bool) -> None:
    name = service_name(s)
    base = root / "services" / name
    _write(base / "__init__.py", "")
    _write(base / "models" / "__init__.py",
           "from synth_shared import make_metadata\n\nmetadata = make_metadata()\n")
    extras: dict[int, list[str]] = {}
    for number in range(2, revisions + 1):
        extras.setdefault((number - 2) % tables, []).append(extra_column(number))
    lines = ["import sqlalchemy as sa\n", "from services.%s.models import metadata\n" % name]
    if cross:
        prev = service_name(s - 1)
        lines.append(f"from services.{prev}.models.tables import {table_name(s - 1, 0)} as upstream\n")
    for t in range(tables):
        target = "upstream.c.id" if t == 0 and cross else (
            f"'{table_name(s, t - 1)}.id'" if t > 0 else None)
        lines.append(_model_table(table_name(s, t), target, extras.get(t, [])))
    _write(base / "models" / "tables.py", "\n".join(lines))
    for path in ("migrations/env.py", "migrations/script.py.mako"):
        _write(base / path, service_files(name)[path])
    versions = base / "migrations" / "versions"
    versions.mkdir(parents=True, exist_ok=True)
    requires = [f"{service_name(s - 1)}:{revision_id(s - 1, 1)}"] if cross else []
    creates = []
    for t in range(tables):
        fk_target = (f"{table_name(s - 1, 0)}.id" if t == 0 and cross
                     else f"{table_name(s, t - 1)}.id" if t > 0 else None)
        creates.append(_create_table(table_name(s, t), fk_target))
    drops = [f"    op.drop_table({table_name(s, t)!r})" for t in reversed(range(tables))]
    _write(versions / f"{revision_id(s, 1)}_initial.py",
           _revision(revision_id(s, 1), None, "initial", requires,
                     "\n".join(creates), "\n".join(drops)))
    for number in range(2, revisions + 1):
        table = table_name(s, (number - 2) % tables)
        column = extra_column(number)
        up = f"    op.add_column({table!r}, sa.Column({column!r}, sa.String(length=20), nullable=True))"
        down = (f"    with op.batch_alter_table({table!r}) as batch:\n"
                f"        batch.drop_column({column!r})")
        _write(versions / f"{revision_id(s, number)}_add_{column}.py",
               _revision(revision_id(s, number), revision_id(s, number - 1),
                         f"add {column} to {table}", [], up, down))
    _write(root / "alembic.ini.d" / f"{name}.ini", service_ini(name))


def _model_table(name: str, fk_target: str | None, extras: list[str]) -> str:
    fk = (f"    sa.Column('parent_id', sa.Integer, sa.ForeignKey({fk_target}), nullable=True),\n"
          if fk_target else "")
    extra = "".join(f"    sa.Column({c!r}, sa.String(20), nullable=True),\n" for c in extras)
    return (
        f"{name} = sa.Table(\n    {name!r},\n    metadata,\n"
        "    sa.Column('id', sa.Integer, primary_key=True),\n"
        "    sa.Column('tenant_id', sa.String(36), nullable=False, index=True),\n"
        "    sa.Column('code', sa.String(32), nullable=False, unique=True),\n"
        "    sa.Column('name', sa.String(100), nullable=False),\n"
        "    sa.Column('status', sa.String(16), nullable=False, server_default='new'),\n"
        "    sa.Column('amount', sa.Numeric(12, 2), nullable=False, server_default='0'),\n"
        "    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False,\n"
        "              server_default=sa.text('CURRENT_TIMESTAMP')),\n"
        f"{fk}{extra})\n"
    )


def _create_table(name: str, fk_target: str | None) -> str:
    fk_col = ("        sa.Column('parent_id', sa.Integer(), nullable=True),\n"
              if fk_target else "")
    fk = (f"        sa.ForeignKeyConstraint(['parent_id'], [{fk_target!r}], "
          f"name=op.f('fk_{name}_parent_id_{fk_target.split('.')[0]}')),\n" if fk_target else "")
    return (
        f"    op.create_table(\n        {name!r},\n"
        "        sa.Column('id', sa.Integer(), nullable=False),\n"
        "        sa.Column('tenant_id', sa.String(length=36), nullable=False),\n"
        "        sa.Column('code', sa.String(length=32), nullable=False),\n"
        "        sa.Column('name', sa.String(length=100), nullable=False),\n"
        "        sa.Column('status', sa.String(length=16), server_default='new', nullable=False),\n"
        "        sa.Column('amount', sa.Numeric(precision=12, scale=2), server_default='0', "
        "nullable=False),\n"
        "        sa.Column('created_at', sa.DateTime(timezone=True), "
        "server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),\n"
        f"{fk_col}{fk}"
        f"        sa.PrimaryKeyConstraint('id', name=op.f('pk_{name}')),\n"
        f"        sa.UniqueConstraint('code', name=op.f('uq_{name}_code')),\n"
        "    )\n"
        f"    op.create_index(op.f('ix_{name}_tenant_id'), {name!r}, ['tenant_id'], unique=False)"
    )


def _revision(rev: str, down: str | None, message: str, requires: list[str], upgrade: str,
              downgrade: str) -> str:
    return (
        f'"""{message}\n\nRevision ID: {rev}\nRevises: {down or ""}\n'
        'Create Date: 2026-01-01 00:00:00\n\n"""\n'
        "from alembic import op\nimport sqlalchemy as sa\n\n"
        f"revision = {rev!r}\ndown_revision = {down!r}\nbranch_labels = None\n"
        f"depends_on = None\nrequires = {requires!r}\n\n\n"
        f"def upgrade() -> None:\n{upgrade}\n\n\ndef downgrade() -> None:\n{downgrade}\n"
    )


def _write(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--services", type=int, default=20)
    parser.add_argument("--tables", type=int, default=25)
    parser.add_argument("--revisions", type=int, default=1)
    args = parser.parse_args()
    build(args.root, args.services, args.tables, args.revisions)
    print(args.root)


if __name__ == "__main__":
    main()
