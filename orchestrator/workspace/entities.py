"""Database objects a service declares beside its tables, as alembic_utils entities.

Views, materialized views, functions, triggers, policies and extensions have no place in a
SQLAlchemy MetaData. A service declares them in its models package, in any of its modules,
as a module-level list named ``entities`` of alembic_utils objects::

    from alembic_utils.pg_view import PGView

    entities = [PGView(schema="public", signature="active_users",
                       definition="SELECT id, email FROM users WHERE active")]

They are owned like tables (two services declaring one entity is an overlap), compared by
autogenerate (:mod:`orchestrator.runtime.entity_comparison`) and created, replaced and
dropped with alembic_utils' operations. The list found is kept on the service's MetaData
(``metadata.info``), so every consumer of the MetaData, ``env.py`` included, finds it.
"""
from __future__ import annotations

import sys
from collections.abc import Iterable
from types import ModuleType
from typing import Any

from sqlalchemy import MetaData

from orchestrator.config.service import Service
from orchestrator.core.errors import ConfigError
from orchestrator.history.sequence_operations import sequence_key

#: The module-level name a models module declares its entities with.
ATTRIBUTE = "entities"
#: Where the declared entities are kept on the service's MetaData.
INFO_KEY = "orchestrate_entities"


def collect_entities(service: Service, modules: Iterable[ModuleType]) -> list[Any]:
    """The alembic_utils entities the models modules declare, each once, by identity.

    A module-level ``entities`` holding no alembic_utils entity is not a declaration (the name
    is common); one mixing entities with anything else, or two different definitions of one
    entity, is a configuration error naming the module.
    """
    module = sys.modules.get("alembic_utils.replaceable_entity")
    if module is None:  # no models module imported alembic_utils: nothing is declared
        return []
    entity_type = module.ReplaceableEntity
    found: dict[str, tuple[Any, str]] = {}
    for models in modules:
        declared = vars(models).get(ATTRIBUTE)
        if not isinstance(declared, (list, tuple)) or not any(
                isinstance(item, entity_type) for item in declared):
            continue
        for item in declared:
            if not isinstance(item, entity_type):
                raise ConfigError(
                    f"{models.__file__}: service {service.name!r}: `{ATTRIBUTE}` holds "
                    f"{item!r}, which is no alembic_utils entity (PGView, PGMaterializedView, "
                    "PGFunction, PGTrigger, PGPolicy, PGExtension)")
            held = found.get(item.identity)
            if held is not None and _definition(held[0]) != _definition(item):
                raise ConfigError(
                    f"service {service.name!r}: {item.identity} is declared twice with "
                    f"different definitions, in {held[1]} and in {models.__name__}")
            found.setdefault(item.identity, (item, models.__name__))
    return [entity for entity, _ in found.values()]


def _definition(entity: Any) -> tuple:
    return (type(entity), entity.schema, entity.signature, entity.definition)


def declared_entities(metadata: MetaData) -> list[Any]:
    """The entities the service of ``metadata`` declares (none when it declares none)."""
    return list(metadata.info.get(INFO_KEY, ()))


def declared_keys(metadata: MetaData) -> list[str]:
    """The ownership keys of what the MetaData's service declares beside tables: its
    alembic_utils entities and its sequences."""
    return ([entity_key(entity) for entity in declared_entities(metadata)]
            + [sequence_key(s.name, s.schema) for s in metadata._sequences.values()])


def entity_key(entity: Any) -> str:
    """How an entity is named in the ownership registry: ``PGView: public.active_users``."""
    return str(entity.identity)
