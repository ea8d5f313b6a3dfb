"""The extension points a workspace declares, imported and chained with orchestrate's own hooks.

A declaration is a dotted path (``pkg.module.function`` or ``pkg.module:function``; for
``comparators``, a module) written in ``[tool.orchestrate]`` or a service's ini
(:mod:`orchestrator.config.extensions`). :func:`service_extensions` imports them once per
service and :func:`orchestrator.runtime.migration_options.migration_options` chains them into
every Alembic context of the service: online, offline, orchestrate's own comparison and
writer, and vanilla ``alembic -c``. How they chain (docs/extensions.md):

- ``include_object`` / ``include_name``: after orchestrate's ownership filter, which they can
  narrow but never widen: an object is compared when orchestrate's filter and every declared
  hook say so;
- ``render_item``: the service's hooks first, then the workspace's, then orchestrate's; the
  first that returns something other than ``False`` renders the item;
- ``process_revision_directives``: the workspace's, then the service's, in order;
- ``comparators``: a module with ``setup(plugin)`` (Alembic's plugin convention) becomes an
  Alembic plugin named by its dotted path, enabled in this service's contexts only; a module
  without it is imported for what it registers on ``alembic.autogenerate.comparators`` (which
  Alembic applies to every context of the process).
"""
from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Literal

from alembic.runtime.plugins import Plugin, _all_plugins

from orchestrator.config.extensions import Declarations, Declared
from orchestrator.config.service import Service
from orchestrator.core.errors import ConfigError

Hook = Callable[..., Any]


@dataclass(frozen=True)
class ServiceExtensions:
    """One service's hooks, imported, in the order they apply."""

    include_object: tuple[Hook, ...] = ()
    include_name: tuple[Hook, ...] = ()
    render_item: tuple[Hook, ...] = ()
    process_revision_directives: tuple[Hook, ...] = ()
    plugins: tuple[str, ...] = ()

    def includes(self, hooks: tuple[Hook, ...], *args: Any) -> bool:
        return all(hook(*args) for hook in hooks)

    def render(self, type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
        for hook in self.render_item:
            rendered = hook(type_, obj, autogen_context)
            if rendered is not False:
                return rendered
        return False

    def process(self, context: Any, revision: Any, directives: list) -> None:
        for hook in self.process_revision_directives:
            hook(context, revision, directives)


NO_EXTENSIONS = ServiceExtensions()


def service_extensions(service: Service) -> ServiceExtensions:
    """The service's declared hooks, imported (once per declaration); exit 2 when one cannot
    be: the message names the key, the dotted path and the file declaring it."""
    return _resolve(service.extensions) if service.extensions else NO_EXTENSIONS


def require_extensions(services: Iterable[Service]) -> None:
    """Import every declared hook of ``services`` now: exit 2 before any database work."""
    for service in services:
        service_extensions(service)


@functools.lru_cache(maxsize=256)
def _resolve(declared: Declarations) -> ServiceExtensions:
    return ServiceExtensions(
        include_object=tuple(_callable(d) for d in declared.of("include_object")),
        include_name=tuple(_callable(d) for d in declared.of("include_name")),
        render_item=tuple(_callable(d) for d in reversed(declared.of("render_item"))),
        process_revision_directives=tuple(
            _callable(d) for d in declared.of("process_revision_directives")),
        plugins=tuple(dict.fromkeys(
            name for d in declared.of("comparators") if (name := _plugin(d)) is not None)),
    )


def _callable(declared: Declared) -> Hook:
    module_name, sep, attribute = declared.path.partition(":")
    if not sep:
        module_name, _, attribute = declared.path.rpartition(".")
    if not module_name or not attribute:
        raise ConfigError(f"{declared.where}: not a dotted path to a function "
                          "(write package.module.function or package.module:function)")
    module = _import(declared, module_name)
    target = module
    for part in attribute.split("."):
        if not hasattr(target, part):
            raise ConfigError(f"{declared.where}: module {module_name!r} has no attribute "
                              f"{attribute!r}")
        target = getattr(target, part)
    if not callable(target):
        raise ConfigError(f"{declared.where}: {attribute!r} in module {module_name!r} is not "
                          f"callable (a {type(target).__name__})")
    return target


def _plugin(declared: Declared) -> str | None:
    """The Alembic plugin name a ``comparators`` module is enabled under (None: the module
    registers on Alembic's global comparators when imported, and needs no name)."""
    module = _import(declared, declared.path)
    if declared.path in _all_plugins:
        return declared.path
    setup = getattr(module, "setup", None)
    if setup is None:
        return None
    if not callable(setup):
        raise ConfigError(f"{declared.where}: the module's `setup` is not a function; an "
                          "Alembic plugin module defines setup(plugin)")
    try:
        Plugin.setup_plugin_from_module(module, declared.path)
    except Exception as error:
        _all_plugins.pop(declared.path, None)
        raise ConfigError(f"{declared.where}: its setup(plugin) failed: "
                          f"{type(error).__name__}: {error}") from None
    return declared.path


def _import(declared: Declared, module_name: str) -> ModuleType:
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name and (module_name == error.name
                           or module_name.startswith(error.name + ".")):
            raise ConfigError(f"{declared.where}: no module named {error.name!r} (dotted "
                              "paths are imported with the workspace root on sys.path)"
                              ) from None
        raise ConfigError(f"{declared.where}: importing {module_name!r} failed: "
                          f"{type(error).__name__}: {error}") from None
    except Exception as error:
        raise ConfigError(f"{declared.where}: importing {module_name!r} failed: "
                          f"{type(error).__name__}: {error}") from None
