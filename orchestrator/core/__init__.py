"""Small helpers every other package may use; they import nothing else of orchestrate.

``errors`` (the exception classes and their exit codes), ``logs`` (structlog, configured in one
place, and password redaction), ``concurrency`` (task groups), ``gc_tuning`` (paced garbage
collection).
"""
