"""What a revision's ``upgrade()``/``downgrade()`` do, read from its source (AST), not run.

Every ``op.<directive>(...)`` call, including those on a ``batch_alter_table`` alias, becomes
an :class:`Operation` whose arguments are bound to Alembic's own signature of that directive,
so positional and keyword spellings read the same. Lint and merge-conflict analysis build on
this one reader.
"""
from __future__ import annotations

import ast
import inspect
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from alembic.operations import BatchOperations, Operations

from orchestrator.core.errors import RevisionError

_TABLE_PARAMS = ("table_name", "source_table", "old_table_name")
_TARGET_PARAMS = ("column_name", "index_name", "constraint_name")
#: Helpers on ``op`` that are not schema or data operations themselves.
_NOT_OPERATIONS = {"f", "batch_alter_table", "inline_literal", "get_context",
                   "implementation_for", "register_operation", "invoke", "run_async"}


@dataclass(frozen=True)
class Operation:
    """One ``op.<name>(...)`` call inside ``upgrade`` or ``downgrade``."""

    name: str
    function: str  # "upgrade" or "downgrade"
    line: int
    args: dict[str, ast.expr] = field(hash=False, compare=False)
    table: str | None = None
    target: str | None = None
    batch: bool = False
    node: ast.Call | None = field(default=None, hash=False, compare=False, repr=False)
    #: Inside an ``if`` or ``try`` of the function: it may not run (an existence guard).
    conditional: bool = False

    @property
    def key(self) -> tuple[str | None, str | None]:
        """(table, object) this operation acts on, for comparisons across revisions."""
        return (self.table, self.target)

    def literal(self, param: str) -> object | None:
        """The value of argument ``param`` when it is a literal (``op.f("x")`` reads as "x")."""
        return literal(self.args.get(param))

    def keyword(self, name: str) -> object | None:
        """A keyword argument, named in the signature (``unique``) or caught by its ``**kw``
        (``postgresql_concurrently``), when literal."""
        if name in self.args:
            return literal(self.args[name])
        extra = self.args.get("kw") or self.args.get("dialect_kw")
        return literal(extra.get(name)) if isinstance(extra, dict) else None


@dataclass
class RevisionSource:
    path: Path
    tree: ast.Module
    text: str
    operations: list[Operation]

    def functions(self) -> dict[str, ast.FunctionDef]:
        return {n.name: n for n in self.tree.body if isinstance(n, ast.FunctionDef)}

    def in_function(self, function: str) -> list[Operation]:
        return [op for op in self.operations if op.function == function]


def read_operations(path: Path) -> RevisionSource:
    """Parse ``path`` and list its operations in source order."""
    try:
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text, filename=str(path))
    except SyntaxError as error:
        raise RevisionError(f"{path}:{error.lineno}: not valid Python: {error.msg}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise RevisionError(f"{path}: cannot be read: {error}") from None
    operations: list[Operation] = []
    tables = _module_tables(tree)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in ("upgrade", "downgrade"):
            _collect(node, node.name, operations, tables)
    return RevisionSource(path, tree, text, operations)


def _module_tables(tree: ast.Module) -> dict[str, str]:
    """``statuses = sa.table("invoice_statuses", ...)`` at module level: name -> table."""
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            table = table_name(node.value)
            for target in targets:
                if table and isinstance(target, ast.Name):
                    found[target.id] = table
    return found


def _collect(function: ast.FunctionDef, name: str, out: list[Operation],
             tables: dict[str, str]) -> None:
    batches: dict[str, str | None] = {}
    calls: list[ast.Call] = []
    guards: list[ast.stmt] = []
    for node in ast.walk(function):
        if isinstance(node, ast.Call):
            calls.append(node)
        elif isinstance(node, (ast.If, ast.Try, ast.TryStar)):
            guards.append(node)
        elif isinstance(node, ast.With):
            for item in node.items:
                call = item.context_expr
                if (isinstance(call, ast.Call) and _is_op(call.func, "batch_alter_table")
                        and isinstance(item.optional_vars, ast.Name)):
                    table = literal(_bind(Operations.batch_alter_table, call).get("table_name"))
                    batches[item.optional_vars.id] = table if isinstance(table, str) else None
    conditional = {id(inner) for block in guards
                   for inner in ast.walk(block) if isinstance(inner, ast.Call)}
    for call in sorted(calls, key=lambda c: (c.lineno, c.col_offset)):
        func = call.func
        if not isinstance(func, ast.Attribute) or not isinstance(func.value, ast.Name):
            continue
        owner = func.value.id
        if func.attr in _NOT_OPERATIONS:
            continue
        guarded = id(call) in conditional
        if owner == "op" and hasattr(Operations, func.attr):
            out.append(_operation(Operations, call, func.attr, name, None, False, guarded,
                                  tables))
        elif owner in batches and hasattr(BatchOperations, func.attr):
            out.append(_operation(BatchOperations, call, func.attr, name, batches[owner], True,
                                  guarded, tables))


def _operation(kind: type, call: ast.Call, directive: str, function: str,
               batch_table: str | None, batch: bool, conditional: bool,
               tables: dict[str, str]) -> Operation:
    args = _bind(getattr(kind, directive), call)
    table = batch_table if batch else None
    if table is None:
        for param in _TABLE_PARAMS:
            value = literal(args.get(param))
            if isinstance(value, str):
                table = value
                break
    if table is None and directive == "bulk_insert":
        given = args.get("table")
        table = tables.get(given.id) if isinstance(given, ast.Name) else table_name(given)
    target = None
    for param in _TARGET_PARAMS:
        value = literal(args.get(param))
        if isinstance(value, str):
            target = value
            break
    if directive == "add_column":
        target = column_name(args.get("column"))
    elif directive == "rename_table":
        new = literal(args.get("new_table_name"))
        target = new if isinstance(new, str) else None
    return Operation(directive, function, call.lineno, args, table, target, batch, call,
                     conditional)


@cache
def _signature(method: object) -> inspect.Signature:
    return inspect.signature(method)


def _bind(method: object, call: ast.Call) -> dict[str, ast.expr]:
    """Map the call's arguments to parameter names; ``*columns`` become a list, ``**kw`` a dict."""
    params = [p for p in _signature(method).parameters.values() if p.name != "self"]
    bound: dict[str, object] = {}
    positional = list(call.args)
    for param in params:
        if not positional:
            break
        if param.kind is inspect.Parameter.VAR_POSITIONAL:
            bound[param.name] = positional
            positional = []
        elif param.kind in (inspect.Parameter.POSITIONAL_ONLY,
                            inspect.Parameter.POSITIONAL_OR_KEYWORD):
            bound[param.name] = positional.pop(0)
    names = {p.name for p in params}
    var_kw = next((p.name for p in params if p.kind is inspect.Parameter.VAR_KEYWORD), None)
    for keyword in call.keywords:
        if keyword.arg is None:
            continue
        if keyword.arg in names or var_kw is None:
            bound[keyword.arg] = keyword.value
        else:
            bound.setdefault(var_kw, {})[keyword.arg] = keyword.value  # type: ignore[index]
    return bound  # type: ignore[return-value]


def literal(node: object) -> object | None:
    """A literal value from an expression, seeing through ``op.f("name")``; else None."""
    if node is None or isinstance(node, (list, dict)):
        return None
    if isinstance(node, ast.Call) and _is_op(node.func, "f") and node.args:
        return literal(node.args[0])
    try:
        return ast.literal_eval(node)  # type: ignore[arg-type]
    except (ValueError, TypeError, SyntaxError, RecursionError):
        return None


def column_name(node: object) -> str | None:
    """The name of ``sa.Column("name", ...)``."""
    if isinstance(node, ast.Call) and _callee(node.func) == "Column" and node.args:
        value = literal(node.args[0])
        return value if isinstance(value, str) else None
    return None


def table_name(node: object) -> str | None:
    """The name of ``sa.table("name", ...)`` or ``sa.Table("name", ...)``."""
    if isinstance(node, ast.Call) and _callee(node.func) in ("table", "Table") and node.args:
        value = literal(node.args[0])
        return value if isinstance(value, str) else None
    return None


def table_columns(op: Operation) -> list[ast.Call]:
    """The ``Column(...)`` calls of a ``create_table``."""
    items = op.args.get("columns")
    if not isinstance(items, list):
        return []
    return [c for c in items if isinstance(c, ast.Call) and _callee(c.func) == "Column"]


def _callee(func: ast.expr) -> str | None:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def _is_op(func: ast.expr, attr: str) -> bool:
    return (isinstance(func, ast.Attribute) and func.attr == attr
            and isinstance(func.value, ast.Name) and func.value.id == "op")
