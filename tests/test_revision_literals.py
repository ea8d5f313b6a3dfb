"""Revision identifiers read from source: the one-line fast path agrees with Python itself."""
from __future__ import annotations

import ast

import pytest
from support import write

from orchestrator.history.revisions import read_revision_file

VALUES = ['None', '"abc"', "'abc'", '"a#b"  # a comment', '[]', '["users:u1", "orders:o1"]',
          "['users:u1',]", '("u3a", "u3b")', '("u3a",)', '()', '("u3a")', '"it\'s"',
          '"a\\\\b"', '["a" "b"]', '(\n    "u3a",\n    "u3b",\n)']


@pytest.mark.parametrize("value", VALUES)
def test_identifiers_read_as_python_reads_them(tmp_path, value):
    path = write(tmp_path / "r.py", f'revision = "r1"\ndown_revision = {value}\n'
                                    f"requires = []\n")
    expected = ast.literal_eval(value.split("  #")[0])
    expected = (expected,) if isinstance(expected, str) else tuple(expected or ())
    assert read_revision_file("svc", path).down_revisions == expected
