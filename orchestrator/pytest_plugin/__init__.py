"""orchestrate's pytest plugin (the ``pytest11`` entry point ``orchestrate``): fixtures for
migration tests across services, and ready-made tests a project opts into with one line.

The guide is docs/testing.md. In short:

- ``orchestrate_workspace``: the workspace (``--orchestrate-root``, else found from pytest's
  root folder), loaded once per session;
- ``orchestrate_database``: a throwaway database, empty, dropped after the test: on the server
  of ``--orchestrate-database-url`` / ``ORCHESTRATE_TEST_DATABASE_URL`` /
  ``orchestrate_database_url`` (ini), a SQLite file in the test's temporary folder by default;
- ``orchestrate_service``: every service of the workspace, one test each (a test or fixture
  that asks for it is parametrised, unless it parametrises it itself);
- ``orchestrate_requirements``: what the service's revisions require of other services,
  applied to the throwaway database; with ``orchestrate_alembic_config`` and
  ``orchestrate_alembic_engine`` it lets pytest-alembic's tests run per service;
- the ready-made tests: ``from orchestrator.pytest_plugin.migration_tests import *``.

Nothing of orchestrate's library is imported until a fixture runs: the plugin is loaded by
every pytest session of an environment orchestrate is installed in.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

    from orchestrator.runtime.orchestration import Orchestration
    from orchestrator.runtime.sequencer import Step
    from orchestrator.workspace.workspace import Workspace

ENV_VAR = "ORCHESTRATE_TEST_DATABASE_URL"
_WORKSPACE = pytest.StashKey["Workspace"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("orchestrate", "orchestrate's migration tests")
    group.addoption("--orchestrate-root", metavar="DIR", default=None,
                    help="The orchestrate workspace to test (default: found from the rootdir).")
    group.addoption("--orchestrate-database-url", metavar="URL", default=None,
                    help="The database server throwaway test databases are created on, e.g. "
                         f"postgresql://postgres@127.0.0.1:5432 (else ${ENV_VAR}, else the "
                         "ini's orchestrate_database_url, else SQLite files).")
    parser.addini("orchestrate_root", "The orchestrate workspace to test.")
    parser.addini("orchestrate_database_url",
                  "The database server throwaway test databases are created on.")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One test per service for whatever asks for ``orchestrate_service``."""
    if "orchestrate_service" not in metafunc.fixturenames:
        return
    if any("orchestrate_service" in _parametrized(mark)
           for mark in metafunc.definition.iter_markers("parametrize")):
        return
    names = _service_order(_workspace(metafunc.config))
    metafunc.parametrize("orchestrate_service", names, ids=names)


def _parametrized(mark: pytest.Mark) -> list[str]:
    names = mark.args[0] if mark.args else mark.kwargs.get("argnames", "")
    return [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)


def _service_order(workspace: Workspace) -> list[str]:
    from orchestrator.workspace.service_graph import ServiceGraph

    return ServiceGraph.build(workspace.services, workspace.metadata, workspace.claims).order


def _workspace(config: pytest.Config) -> Workspace:
    """The workspace under test, loaded once per session (bad configuration: a usage error)."""
    if _WORKSPACE not in config.stash:
        from orchestrator.config.settings import find_root
        from orchestrator.core.errors import OrchestrateError
        from orchestrator.workspace.workspace import Workspace

        given = config.getoption("orchestrate_root") or config.getini("orchestrate_root")
        try:
            root = Path(given).resolve() if given else find_root(config.rootpath)
            config.stash[_WORKSPACE] = Workspace.load(root)
        except OrchestrateError as error:
            raise pytest.UsageError(f"orchestrate: {error.message}") from None
    return config.stash[_WORKSPACE]


def _server_url(config: pytest.Config) -> str | None:
    return (config.getoption("orchestrate_database_url") or os.environ.get(ENV_VAR)
            or config.getini("orchestrate_database_url") or None)


@dataclass
class TestDatabase:
    """A throwaway database and the orchestration of the workspace on it."""

    __test__ = False  # not a test class, whatever its name

    url: URL
    orchestration: Orchestration

    @property
    def sync_url(self) -> str:
        """The URL with a sync driver (for a sync SQLAlchemy engine), password included."""
        from orchestrator.runtime.database import sync_url

        return sync_url(self.url).render_as_string(hide_password=False)

    def run(self, coroutine_function: Any, *args: Any, **kwargs: Any) -> Any:
        """Run one of orchestrate's coroutines (``upgrade``, ``stairway``, ...) on it."""
        import functools

        import anyio

        return anyio.run(functools.partial(coroutine_function, self.orchestration, *args,
                                           **kwargs))


@pytest.fixture(scope="session")
def orchestrate_workspace(pytestconfig: pytest.Config) -> Workspace:
    """The workspace under test (``--orchestrate-root``, else found from pytest's rootdir)."""
    return _workspace(pytestconfig)


@pytest.fixture
def orchestrate_database(pytestconfig: pytest.Config, orchestrate_workspace: Workspace,
                         tmp_path: Path) -> Iterator[TestDatabase]:
    """A new, empty database for this test, dropped afterwards."""
    from orchestrator.runtime.database import async_url
    from orchestrator.runtime.orchestration import Orchestration
    from orchestrator.runtime.throwaway import sqlite_database, throwaway_database

    server = _server_url(pytestconfig)
    if server is None or server.startswith("sqlite"):
        url = sqlite_database(tmp_path)
        yield TestDatabase(url, Orchestration(orchestrate_workspace, url))
        return
    with throwaway_database(server) as text:
        url = async_url(text, "the test database")
        yield TestDatabase(url, Orchestration(orchestrate_workspace, url))


@pytest.fixture
def orchestrate_requirements(orchestrate_service: str,
                             orchestrate_database: TestDatabase) -> list[Step]:
    """Apply what ``orchestrate_service``'s revisions require of other services (and nothing
    of the service): the database its history needs to run alone. Returns the steps."""
    from orchestrator.runtime.migrate import upgrade_requirements

    run = orchestrate_database.run(upgrade_requirements, orchestrate_service)
    return [applied.step for applied in run.applied]


@pytest.fixture
def orchestrate_alembic_config(orchestrate_service: str,
                               orchestrate_workspace: Workspace) -> dict[str, Any]:
    """pytest-alembic's ``alembic_config`` for ``orchestrate_service``: its own ini."""
    return {"file": str(orchestrate_workspace.service(orchestrate_service).ini_path)}


@pytest.fixture
def orchestrate_alembic_engine(orchestrate_requirements: list[Step],
                               orchestrate_database: TestDatabase) -> Iterator[Any]:
    """pytest-alembic's ``alembic_engine``: the throwaway database, the service's requirements
    applied (a sync engine on SQLite, an async one elsewhere, as pytest-alembic takes both)."""
    from sqlalchemy import create_engine
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    url = orchestrate_database.url
    if url.get_backend_name() == "sqlite":
        engine = create_engine(orchestrate_database.sync_url, poolclass=NullPool)
        yield engine
        engine.dispose()
    else:
        yield create_async_engine(url, poolclass=NullPool)  # nothing pooled to dispose
