"""Revisions as files: each service's history and the global revision DAG.

``revisions`` reads a service's revision files (identifiers, links, messages, ``requires``);
``operations`` reads what a revision's ``upgrade()``/``downgrade()`` do; ``revision_graph`` joins
every service's history into one DAG of ``(service, revision)`` nodes; ``conflicts`` compares
the branches of one service. No database, no models.
"""
