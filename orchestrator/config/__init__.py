"""What a workspace declares: ``[tool.orchestrate]`` in ``pyproject.toml`` (``settings``) and
one Alembic ini per service (``service``). Read and checked; nothing is imported or run."""
