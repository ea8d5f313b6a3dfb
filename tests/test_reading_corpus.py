"""A corpus of revisions written in the styles of real projects (loops, helper functions,
module constants, raw SQL blocks, data migrations through ``op.get_bind()``, merges, batch
blocks, plugin and custom operations), each with the operations it must read as, in
``reading_corpus/expected.json``: ``[directive, table, object]`` per call (the object a column,
index or constraint, or a renamed table's new name), followed by ``["sql:<verb>", table,
object]`` for each statement the call runs (raw SQL, plugin operations); ``stop`` is the line
where reading stops when the revision reads rows or fails."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from orchestrator.history.reading import FunctionReading
from orchestrator.history.recording import RevisionReader

CORPUS = Path(__file__).parent / "reading_corpus"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))


def _operations(function: FunctionReading | None) -> list[list]:
    found: list[list] = []
    for call in function.calls if function is not None else []:
        table = f"{call.schema}.{call.table}" if call.schema and call.table else call.table
        found.append([call.name, table, call.new_name if call.name == "rename_table"
                      else call.target])
        for statement in call.sql:
            found.append([f"sql:{statement.verb}", statement.table, statement.name])
    return found


def test_the_corpus_has_sixty_revisions_or_more():
    files = sorted(p.name for p in (CORPUS / "versions").glob("*.py"))
    assert len(files) >= 60 and files == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_reading_equals_the_expected_operations(name):
    expected = EXPECTED[name]
    reader = RevisionReader(expected["dialect"])
    with reader.session():
        reading = reader.read(CORPUS / "versions" / name)
    assert reading.failure is None, reading.failure
    assert reading.metadata.message and reading.metadata.create_date
    assert _operations(reading.upgrade) == expected["upgrade"]
    if "downgrade" in expected:
        assert _operations(reading.downgrade) == expected["downgrade"]
    else:
        assert reading.downgrade is None
    stop = reading.upgrade.stop
    assert (stop.line if stop else None) == expected.get("stop"), stop
