"""The detection matrix (docs/detection.md): each object kind added, changed and removed, one
change at a time, on each backend where the kind exists.

Every step: ``check`` exits 1 naming the object; ``generate`` writes one revision; it upgrades;
a second ``generate`` writes nothing and ``check`` exits 0. Then every revision is downgraded
in turn and reverted (file and models), and after each the database matches the models of the
step before (``check`` exit 0): the downgrades restore exactly what was there.
"""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from model_workspace import ModelWorkspace, postgres, sqlite  # noqa: F401  (a fixture)

MODELS = '''
from alembic_utils.pg_extension import PGExtension
from alembic_utils.pg_function import PGFunction
from alembic_utils.pg_materialized_view import PGMaterializedView
from alembic_utils.pg_policy import PGPolicy
from alembic_utils.pg_trigger import PGTrigger
from alembic_utils.pg_view import PGView

metadata = sa.MetaData(naming_convention={{"ck": "ck_%(table_name)s_%(constraint_name)s"}})

products = sa.Table(
    "products", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("price", sa.Integer, nullable=False),
    sa.Column("name", sa.String(50), nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
{extra})

{module}
'''


@dataclass(frozen=True)
class Case:
    """An object kind: the models' extra lines at each step, and the name check must show."""

    name: str
    backends: tuple[str, ...]
    steps: tuple[str | None, ...]  # before, added, changed (None: no such change), removed
    shows: str
    #: Where the steps' lines go: into the table's definition, or after it in the module.
    module: bool = False

    def models(self, step: str) -> str:
        return MODELS.format(extra="" if self.module else step,
                             module=step if self.module else "")


CHECK = '    sa.CheckConstraint({}, name="sane"),\n'
PARTIAL = '    sa.Index("ix_cheap", "price"{}),\n'
WHERE = ', postgresql_where=sa.text("{0}"), sqlite_where=sa.text("{0}")'
EXPRESSION = '    sa.Index("ix_lower", sa.text("{}")),\n'
IDENTITY = '    sa.Column("number", sa.Integer{}, nullable=False),\n'
COLUMN_COMMENT = '    sa.Column("note", sa.String(20){}),\n'
VIEW = 'entities = [{}(schema="public", signature="cheap", definition="{}")]'
FUNCTION = ('entities = [PGFunction(schema="public", signature="with_tax(p integer)", '
            'definition="RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT p * {} $$")]')
TOUCH = ('PGFunction(schema="public", signature="touch()", definition="RETURNS trigger '
         'LANGUAGE plpgsql AS $$ BEGIN NEW.price = abs(NEW.price); RETURN NEW; END $$")')
TRIGGER = ('PGTrigger(schema="public", signature="products_touch", on_entity="public.products", '
           'definition="BEFORE {} ON public.products FOR EACH ROW EXECUTE FUNCTION '
           'public.touch()")')
POLICY = ('entities = [PGPolicy(schema="public", signature="cheap_only", '
          'on_entity="public.products", definition="AS PERMISSIVE FOR SELECT TO public '
          'USING (price < {})")]')
SEQUENCE = 'numbers = sa.Sequence("numbers", start=100{}, metadata=metadata)'
EXTENSION = 'entities = [PGExtension(schema="public", signature="pg_trgm")]'

CASES = [
    Case("check constraint", ("postgresql", "sqlite"),
         ("", CHECK.format('"price > 0"'),
          CHECK.format('"price > 0 AND status IN (\'new\', \'sold\') AND name <> \'\'"'), ""),
         "ck_products_sane"),
    Case("partial index predicate", ("postgresql", "sqlite"),
         (PARTIAL.format(""), PARTIAL.format(WHERE.format("price < 10")),
          PARTIAL.format(WHERE.format("price < 20 AND status = 'new'")), PARTIAL.format("")),
         "ix_cheap"),
    Case("expression index", ("postgresql",),
         ("", EXPRESSION.format("lower(name)"), EXPRESSION.format("lower(name || status)"), ""),
         "ix_lower"),
    Case("identity column", ("postgresql",),
         (IDENTITY.format(""), IDENTITY.format(", sa.Identity(start=5)"),
          IDENTITY.format(", sa.Identity(start=5, increment=2)"), IDENTITY.format("")),
         "number"),
    Case("column comment", ("postgresql",),
         (COLUMN_COMMENT.format(""), COLUMN_COMMENT.format(', comment="as printed"'),
          COLUMN_COMMENT.format(', comment="as sold"'), COLUMN_COMMENT.format("")),
         "note"),
    Case("table comment", ("postgresql",),
         ("", '    comment="what we sell",\n', '    comment="what we sold",\n', ""),
         "products"),
    Case("view", ("postgresql",),
         ("", VIEW.format("PGView", "SELECT id FROM products WHERE price < 10"),
          VIEW.format("PGView", "SELECT id, price FROM products WHERE price < 20"), ""),
         "PGView: public.cheap", module=True),
    Case("materialized view", ("postgresql",),
         ("", VIEW.format("PGMaterializedView", "SELECT id FROM products WHERE price < 10"),
          VIEW.format("PGMaterializedView", "SELECT id, price FROM products WHERE price < 20"),
          ""),
         "PGMaterializedView: public.cheap", module=True),
    Case("function", ("postgresql",),
         ("", FUNCTION.format(2), FUNCTION.format(3), ""),
         "PGFunction: public.with_tax(p integer)", module=True),
    Case("trigger", ("postgresql",),
         (f"entities = [{TOUCH}]", f"entities = [{TOUCH}, {TRIGGER.format('UPDATE')}]",
          f"entities = [{TOUCH}, {TRIGGER.format('INSERT OR UPDATE')}]", f"entities = [{TOUCH}]"),
         "PGTrigger: public.products_touch False public.products", module=True),
    Case("policy", ("postgresql",),
         ("", POLICY.format(10), POLICY.format(20), ""),
         "PGPolicy: public.cheap_only public.products", module=True),
    Case("sequence", ("postgresql",),
         ("", SEQUENCE.format(""), SEQUENCE.format(", increment=5, cycle=True"), ""),
         "numbers", module=True),
    Case("extension", ("postgresql",), ("", EXTENSION, None, ""),
         "PGExtension: pg_trgm", module=True),
]
PARAMS = [pytest.param(case, backend, id=f"{case.name}-{backend}",
                       marks=[pytest.mark.postgres] if backend == "postgresql" else [])
          for case in CASES for backend in case.backends]


@pytest.fixture
def database(request, tmp_path):
    backend = request.node.callspec.params["backend"]
    if backend == "sqlite":
        return sqlite(tmp_path)
    return request.getfixturevalue("postgres")


def named(report: dict, name: str) -> bool:
    """Whether a change of the report names ``name`` (its table or its object)."""
    return any(name in (change["table"], change["object"])
               for service in report["services"] for change in service["changes"])


def revision_id(path) -> str:
    return path.name.split("_")[0]


@pytest.mark.parametrize("case, backend", PARAMS)
def test_added_changed_removed(case: Case, backend: str, database, tmp_path):
    ws = ModelWorkspace(tmp_path / "ws")
    steps = [(label, step) for label, step in zip(("before", "added", "changed", "removed"),
                                                  case.steps) if step is not None]
    ws.service("shop", case.models(steps[0][1]))
    written = ws.generate("start", database)
    ws.run("upgrade", db=database)
    for label, step in steps[1:]:
        ws.models("shop", case.models(step))
        code, report = ws.check(database)
        assert code == 1 and named(report, case.shows), (label, report["services"][0]["changes"])
        new = ws.generate(label, database)
        assert len(new) == 1, label
        written += new
        ws.run("upgrade", db=database)
        assert ws.generate("again", database) == [], label
        assert ws.check(database)[0] == 0, label
    for (label, _), (_, previous) in zip(reversed(steps[1:]), reversed(steps[:-1])):
        newest = written.pop()
        ws.run("downgrade", f"shop@{revision_id(written[-1])}", db=database)
        newest.unlink()  # the change reverted, as a developer would
        ws.models("shop", case.models(previous))
        code, report = ws.check(database)
        assert code == 0, (f"downgrade of {label}", report["services"][0]["changes"])
