"""The database and what is done to it.

``database`` (URLs, async engines), ``state`` (each service's applied revisions),
``orchestration`` (one invocation: workspace + URL), ``sequencer`` (targets to ordered steps),
``migration_options`` and ``server_defaults`` (how every Alembic context of a service is
configured), ``executor`` and ``revision_step`` (apply steps, one transaction each), ``lock``
(one runner per database; ``postgres_lock``, ``sqlite_lock`` per backend), ``migrate`` (upgrade and downgrade), ``envrunner`` (what each
service's ``env.py`` runs for vanilla ``alembic -c``).
"""
