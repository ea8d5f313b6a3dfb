"""Scaffolding: a new workspace (``orchestrate init``) and a new service (``new-service``).

Every file is written from the templates beside this module (``templates/``), the one source
of the layout: the bundled example's services, the benchmarks' synthetic workspaces and the
tests' workspaces are laid out from the same files (tests/test_scaffold.py keeps the example
equal to them). Nothing is ever overwritten: every path is checked before the first is written,
and an existing file is refused by name (exit 2). Two existing files are extended instead,
never rewritten: a ``pyproject.toml`` without ``[tool.orchestrate]`` gets the section appended,
a ``.gitignore`` gets ``.orchestrate/`` appended.
"""
from __future__ import annotations

import keyword
import os
import string
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from orchestrator.config.service import declared_services, is_valid_name
from orchestrator.config.settings import Settings, load_settings
from orchestrator.core.errors import ConfigError, WouldOverwrite

#: What ``.gitignore`` must hold: the embedded database and the readings cache.
STATE_IGNORE = ".orchestrate/"


def template(file: str, **values: str) -> str:
    """The text of ``templates/<file>``, with ``$key`` replaced by ``values``."""
    text = resources.files(__package__).joinpath("templates", file).read_text(encoding="utf-8")
    return string.Template(text).substitute(values) if values else text


def service_ini(name: str, tables: Sequence[str] = (), depends_on: Sequence[str] = (), *,
                services_dir: str = "services", ini_dir: str = "alembic.ini.d") -> str:
    """A service's Alembic ini with its ``[orchestrate]`` section; folders relative to the
    workspace root, as ``[tool.orchestrate]`` names them."""
    extra = "".join(f"{key} = {', '.join(items)}\n"
                    for key, items in (("tables", tables), ("depends_on", depends_on)) if items)
    return template(
        "service.ini.tmpl", name=name, extra=extra, ini_path=f"{ini_dir}/{name}.ini",
        to_root=_relative(".", ini_dir), to_services=_relative(services_dir, ini_dir),
        models=_models(services_dir, name),
    )


def service_files(name: str, services_dir: str = "services") -> dict[str, str]:
    """A service's own files (package, models, env.py, revision template), by path relative
    to its folder."""
    return {
        "__init__.py": template("service_init.py.tmpl", name=name),
        "models/__init__.py": template("models_init.py.tmpl", name=name,
                                       models=_models(services_dir, name)),
        "migrations/env.py": template("env.py.tmpl", name=name),
        "migrations/script.py.mako": template("script.py.mako"),
    }


@dataclass
class Scaffold:
    """What a scaffolding command wrote: new files and folders, and files it appended to."""

    root: Path
    created: list[Path] = field(default_factory=list)
    appended: list[Path] = field(default_factory=list)
    service: str | None = None

    def to_dict(self) -> dict:
        return {"service": self.service,
                "created": [p.relative_to(self.root).as_posix() for p in self.created],
                "appended": [p.relative_to(self.root).as_posix() for p in self.appended]}


def init_workspace(root: Path) -> Scaffold:
    """Make ``root`` a workspace: ``[tool.orchestrate]``, the ini folder, the services package,
    the shared naming convention (``shared_db``) and ``.orchestrate/`` in ``.gitignore``."""
    root = root.resolve()
    if root.exists() and not root.is_dir():
        raise ConfigError(f"{root}: not a folder; init makes a workspace in a folder")
    pyproject = root / "pyproject.toml"
    section = template("pyproject.toml.tmpl")
    appends: dict[Path, str] = {}
    if pyproject.is_file():
        text = pyproject.read_text(encoding="utf-8")
        if "orchestrate" in _toml(pyproject, text).get("tool", {}):
            raise WouldOverwrite(pyproject, "it has a [tool.orchestrate] table already: this "
                                 "folder is a workspace; add services with "
                                 "`orchestrate new-service NAME`")
        appends[pyproject] = ("\n" if text and not text.endswith("\n") else "") + "\n" + section
        _toml(pyproject, text + appends[pyproject])  # the result must still be valid TOML
    gitignore = root / ".gitignore"
    if gitignore.is_file():
        text = gitignore.read_text(encoding="utf-8")
        if STATE_IGNORE not in {line.strip() for line in text.splitlines()}:
            appends[gitignore] = ("\n" if text and not text.endswith("\n") else "") + (
                f"# orchestrate's embedded database and caches\n{STATE_IGNORE}\n")
    files = {
        **({} if pyproject.is_file() else {pyproject: section}),
        **({} if gitignore.is_file() else {gitignore: f"{STATE_IGNORE}\n"}),
        root / "services" / "__init__.py": template("services_init.py.tmpl"),
        root / "shared_db" / "__init__.py": template("shared_db_init.py.tmpl"),
        root / "shared_db" / "naming.py": template("naming.py.tmpl"),
    }
    return _write(root, files, [root / "alembic.ini.d"], appends)


def new_service(root: Path, name: str) -> Scaffold:
    """Add service ``name`` to the workspace at ``root``: its package with a models package
    on the shared naming convention, a two-line ``env.py``, the revision template (with
    ``requires``), an empty ``versions/`` and its ini."""
    settings = load_settings(root)
    _check_new_name(settings, name)
    if not (settings.root / "shared_db" / "__init__.py").is_file():
        raise ConfigError(
            f"{settings.root / 'shared_db'}: no such package; a new service's models build "
            "their MetaData with shared_db.make_metadata() (the workspace's naming "
            "convention)\n`orchestrate init` writes it in a new workspace; in an existing one, "
            "add a shared_db package defining make_metadata()")
    services_dir = settings.services_dir.relative_to(settings.root).as_posix()
    ini_dir = os.path.relpath(settings.ini_dir, settings.root).replace(os.sep, "/")
    folder = settings.services_dir / name
    files = {folder / path: text for path, text in service_files(name, services_dir).items()}
    package = settings.services_dir / "__init__.py"
    if not package.is_file():
        files[package] = template("services_init.py.tmpl")
    files[settings.ini_dir / f"{name}.ini"] = service_ini(name, services_dir=services_dir,
                                                          ini_dir=ini_dir)
    scaffold = _write(settings.root, files, [folder / "migrations" / "versions"], {})
    scaffold.service = name
    return scaffold


def _check_new_name(settings: Settings, name: str) -> None:
    if not is_valid_name(name) or keyword.iskeyword(name):
        raise ConfigError(
            f"{name!r} cannot name a service\nit becomes a Python package and part of the "
            f"version table's name (alembic_version_{name}): use letters, digits and '_', "
            "not starting with a digit, and no Python keyword")
    ini = declared_services(settings.ini_dir).get(name)
    if ini is not None:
        raise WouldOverwrite(ini, f"it declares service {name!r} already")


def _write(root: Path, files: dict[Path, str], folders: list[Path],
           appends: dict[Path, str]) -> Scaffold:
    """Check that no file or folder exists, then write them all (and the appends)."""
    for path in [*files, *folders]:
        if path.exists() or path.is_symlink():
            raise WouldOverwrite(path, "it exists already; nothing was written")
    scaffold = Scaffold(root)
    for path, text in files.items():
        _make_parents(path.parent, root, scaffold)
        path.write_text(text, encoding="utf-8")
        scaffold.created.append(path)
    for folder in folders:
        _make_parents(folder, root, scaffold)
    for path, text in appends.items():
        with path.open("a", encoding="utf-8") as handle:
            handle.write(text)
        scaffold.appended.append(path)
    return scaffold


def _make_parents(folder: Path, root: Path, scaffold: Scaffold) -> None:
    missing = [p for p in (folder, *folder.parents) if not p.exists() and p.is_relative_to(root)]
    folder.mkdir(parents=True, exist_ok=True)
    scaffold.created += [p for p in reversed(missing) if p != root]


def _toml(path: Path, text: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None


def _relative(target: str, start: str) -> str:
    return Path(os.path.relpath(target, start)).as_posix()


def _models(services_dir: str, name: str) -> str:
    """The module path of a service's models (the services folder is a package of the root)."""
    return ".".join([*Path(services_dir).parts, name, "models"])
