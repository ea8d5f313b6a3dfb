"""Models compared with the database, and revisions written from the difference.

``reflection`` (one snapshot of the database for every service), ``autodetect`` (each service
compared by Alembic against it), ``drift`` (what the database holds that no revision creates),
``unstable_types``, ``requirements`` (cross-service ``requires`` from new foreign keys),
``writer`` (a revision file through Alembic), ``generate`` and ``check`` (the two commands).
"""
