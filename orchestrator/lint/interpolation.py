"""How a revision builds the SQL text it runs: whether values are spliced into it (PF506).

This is about how the revision is written, so it reads the source's syntax tree; what is
spliced is followed through what the module shows of it: assignments (module constants,
local variables), ``for`` loops over literal collections, and the arguments every call of a
helper function passes. A value is safe when it is provably a constant (an identifier from a
module constant, a table name from a literal list) or an integer (``LIMIT {batch_size}``,
``len(...)``, ``int(...)``): neither carries a quote nor an injection. Anything else (a row
read from the database, an environment variable, a parameter some caller fills from a query)
is what bound parameters are for. Only ``upgrade()`` and the helpers it may call are checked:
``downgrade()`` is never run by a release.
"""
from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field

#: Calls whose first argument is SQL text.
_SQL_CALLS = frozenset({"text", "exec_driver_sql"})
#: Builtins that always return an integer (or a bool).
_INT_CALLS = frozenset({"int", "len", "round", "abs", "min", "max", "sum", "bool", "ord"})
#: Builtins that keep a safe value safe.
_SAFE_WRAPPERS = frozenset({"str", "repr", "float", "f", "conv", "quoted_name", "sorted",
                            "tuple", "list", "set", "frozenset", "reversed"})
_MAX_DEPTH = 6


@dataclass
class _Module:
    """What the module shows of its names: assignments, loop targets, function parameters."""

    assignments: dict[str, list[ast.expr]] = field(default_factory=dict)
    #: name -> the iterables a ``for`` loop (or comprehension) takes it from, with the index
    #: into a tuple target (None: the whole item).
    loops: dict[str, list[tuple[ast.expr, int | None]]] = field(default_factory=dict)
    #: name -> (function, parameter position) of every parameter so named.
    parameters: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    #: function name -> every call of it in the module.
    calls: dict[str, list[ast.Call]] = field(default_factory=dict)
    #: Names being followed right now: a name that comes back through a loop or a helper's
    #: caller is as safe as its other sources.
    following: set[str] = field(default_factory=set)


def interpolated_sql(tree: ast.Module) -> Iterator[tuple[ast.Call, str, str]]:
    """``(call, callee, how)`` for every call taking SQL text built from spliced values."""
    module = _index(tree)
    for function in _checked_functions(tree):
        for node in ast.walk(function):
            if isinstance(node, ast.Call) and (name := _sql_callee(node)) is not None:
                argument = node.args[0] if node.args else next(
                    (k.value for k in node.keywords
                     if k.arg in ("text", "sqltext", "statement")), None)
                how = _built(argument, module, 0) if argument is not None else None
                if how:
                    yield node, name, how


def _checked_functions(tree: ast.Module) -> list[ast.AST]:
    """Every module-level function but ``downgrade`` (helpers included), and the module's
    own statements (SQL built at import time)."""
    functions = [node for node in tree.body
                 if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                 and node.name != "downgrade"]
    others = [node for node in tree.body
              if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    return [*functions, *others]


def _sql_callee(call: ast.Call) -> str | None:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else (
        func.id if isinstance(func, ast.Name) else None)
    if name in _SQL_CALLS:
        return name
    if name == "execute" and isinstance(func, ast.Attribute) and isinstance(
            func.value, ast.Name) and func.value.id == "op":
        return name
    return None


def _index(tree: ast.Module) -> _Module:
    module = _Module()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                _assign(module, target, node.value)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and node.value is not None:
            _assign(module, node.target, node.value)
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            _loop(module, node.target, node.iter)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for position, argument in enumerate([*node.args.posonlyargs, *node.args.args]):
                module.parameters.setdefault(argument.arg, []).append((node.name, position))
            for argument in node.args.kwonlyargs:
                module.parameters.setdefault(argument.arg, []).append((node.name, -1))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            module.calls.setdefault(node.func.id, []).append(node)
    return module


def _assign(module: _Module, target: ast.expr, value: ast.expr) -> None:
    if isinstance(target, ast.Name):
        module.assignments.setdefault(target.id, []).append(value)
    elif isinstance(target, (ast.Tuple, ast.List)):
        for index, element in enumerate(target.elts):
            if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts):
                _assign(module, element, value.elts[index])
            elif isinstance(element, ast.Name):
                module.loops.setdefault(element.id, []).append((value, index))


def _loop(module: _Module, target: ast.expr, iterable: ast.expr) -> None:
    if isinstance(target, ast.Name):
        module.loops.setdefault(target.id, []).append((iterable, None))
    elif isinstance(target, (ast.Tuple, ast.List)):
        for index, element in enumerate(target.elts):
            if isinstance(element, ast.Name):
                module.loops.setdefault(element.id, []).append((iterable, index))


def _built(node: ast.expr, module: _Module, depth: int) -> str | None:
    """How ``node`` splices values that are not provably constant into a string; None when
    it does not (a plain string, or only constants and integers spliced)."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(node, ast.JoinedStr):
        unsafe = [v for v in node.values if isinstance(v, ast.FormattedValue)
                  and not _safe_formatted(v, module, depth)]
        return "an f-string" if unsafe else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and _stringy(node.left):
        return None if _safe(node.right, module, depth) else "% formatting"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and (
            node.func.attr == "format" and _stringy(node.func.value)):
        values = [*node.args, *(k.value for k in node.keywords)]
        return None if all(_safe(v, module, depth) for v in values) else ".format()"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        for side in (node.left, node.right):
            inner = _built(side, module, depth + 1)
            if inner:
                return inner
        if (_stringy(node.left) or _stringy(node.right)) and not (
                _safe(node.left, module, depth) and _safe(node.right, module, depth)):
            return "string concatenation"
        return None
    if isinstance(node, ast.Name):
        for value in module.assignments.get(node.id, []):
            inner = _built(value, module, depth + 1)
            if inner:
                return inner
    return None


def _safe_formatted(value: ast.FormattedValue, module: _Module, depth: int) -> bool:
    spec = value.format_spec
    if isinstance(spec, ast.JoinedStr) and spec.values and all(
            isinstance(v, ast.Constant) for v in spec.values):
        text = "".join(str(v.value) for v in spec.values)
        if text and text[-1] in "dnxXobeEfFgG%":  # a number format: anything else raises
            return True
    return _safe(value.value, module, depth)


def _safe(node: ast.expr, module: _Module, depth: int) -> bool:
    """Whether ``node`` is provably a constant or an integer."""
    if depth > _MAX_DEPTH:
        return False
    depth += 1
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(_safe(e, module, depth) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(_safe(v, module, depth) for v in (*node.keys, *node.values) if v is not None)
    if isinstance(node, ast.JoinedStr):
        return all(_safe_formatted(v, module, depth) if isinstance(v, ast.FormattedValue)
                   else True for v in node.values)
    if isinstance(node, ast.BinOp):
        return _safe(node.left, module, depth) and _safe(node.right, module, depth)
    if isinstance(node, ast.UnaryOp):
        return _safe(node.operand, module, depth)
    if isinstance(node, ast.IfExp):
        return _safe(node.body, module, depth) and _safe(node.orelse, module, depth)
    if isinstance(node, ast.Subscript):
        return _safe(node.value, module, depth)
    if isinstance(node, ast.Call):
        return _safe_call(node, module, depth)
    if isinstance(node, ast.Name):
        return _safe_name(node.id, module, depth)
    return False


def _safe_call(node: ast.Call, module: _Module, depth: int) -> bool:
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else (
        func.id if isinstance(func, ast.Name) else None)
    if name in _INT_CALLS:
        return True
    arguments = [*node.args, *(k.value for k in node.keywords)]
    if name in _SAFE_WRAPPERS:
        return all(_safe(a, module, depth) for a in arguments)
    if isinstance(func, ast.Attribute) and name in ("join", "format", "upper", "lower",
                                                     "strip", "replace", "items", "keys",
                                                     "values"):
        return _safe(func.value, module, depth) and all(
            _safe(a, module, depth) for a in arguments)
    return False


def _safe_name(name: str, module: _Module, depth: int) -> bool:
    if name in module.following:
        return True
    module.following.add(name)
    try:
        return _safe_sources(name, module, depth)
    finally:
        module.following.discard(name)


def _safe_sources(name: str, module: _Module, depth: int) -> bool:
    sources = 0
    for value in module.assignments.get(name, []):
        sources += 1
        if not _safe(value, module, depth):
            return False
    for iterable, _index_in_item in module.loops.get(name, []):
        sources += 1
        if not _safe_iterable(iterable, module, depth):
            return False
    for function, position in module.parameters.get(name, []):
        callers = module.calls.get(function, [])
        if not callers:
            return False
        for call in callers:
            sources += 1
            argument = next((k.value for k in call.keywords if k.arg == name), None)
            if argument is None and 0 <= position < len(call.args):
                argument = call.args[position]
            if argument is not None and not _safe(argument, module, depth):
                return False
    return sources > 0


def _safe_iterable(node: ast.expr, module: _Module, depth: int) -> bool:
    """A loop over constants: a literal collection, a constant name, ``range(...)``,
    ``enumerate``/``zip``/``.items()`` of those."""
    if isinstance(node, ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else (
            func.id if isinstance(func, ast.Name) else None)
        if name == "range":
            return True
        if name in ("enumerate", "zip", "sorted", "reversed", "list", "tuple", "set"):
            return all(_safe_iterable(a, module, depth) for a in node.args)
        if name in ("items", "keys", "values") and isinstance(func, ast.Attribute):
            return _safe(func.value, module, depth)
        return False
    return _safe(node, module, depth)


def _stringy(node: ast.expr) -> bool:
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str))
