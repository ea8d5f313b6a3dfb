"""Fleets: one release over many databases with the same services (tenant or shard each).

``manifest`` reads a fleet's declaration and lists its databases (declared, or from catalog
queries); ``plan`` reads where each stands, grouped by identical state; ``run`` applies a
release train to each, with a canary wave, bounded concurrency and a failure budget, every
database under its own ledger and lock; ``status`` reads the ledgers back.
"""
