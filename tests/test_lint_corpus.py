"""Every lint rule against the corpus in tests/lint_corpus, file by file, generically.

Each corpus revision marks what lint must report: ``# <- CODE[, CODE]`` at the end of the
flagged line, or ``# ^ CODE`` on the line below it (for a line that is itself a comment). A
``# near-miss: CODE, ...`` header names the rules the file comes close to but must not
trigger, ``# dialect: NAME`` the dialect it is linted for (default postgresql) and
``# pg-version: N`` the PostgreSQL major version (default 13). Findings
must match the markers exactly: same codes, same lines, nothing else; except the rules in
``EVERYWHERE``, which fire on nearly every revision that changes an existing table and are
checked only in the files that mark them or name them as a near miss.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from orchestrator.core.errors import ConfigError, RevisionError, UnknownService
from orchestrator.lint import DEFAULT_DIALECT, RULES, lint_revisions
from orchestrator.lint.runner import Linter
from orchestrator.runtime.orchestration import Orchestration

CORPUS = Path(__file__).parent / "lint_corpus"
_CODES = r"[A-Z]{2}\d{3}(?:\s*,\s*[A-Z]{2}\d{3})*"
_AT_LINE = re.compile(rf"#\s*<-\s*({_CODES})\s*$")
_LINE_ABOVE = re.compile(rf"^\s*#\s*\^\s*({_CODES})\s*$")
_NEAR_MISS = re.compile(rf"^#\s*near-miss:\s*({_CODES})\s*$", re.MULTILINE)
_DIALECT = re.compile(r"^#\s*dialect:\s*(\w+)\s*$", re.MULTILINE)
_PG_VERSION = re.compile(r"^#\s*pg-version:\s*(\d+)\s*$", re.MULTILINE)
_REVISION = re.compile(r"^revision = '([^']+)'$", re.MULTILINE)
#: PG411 (no lock_timeout before an ACCESS EXCLUSIVE lock) is one finding per such revision.
EVERYWHERE = frozenset({"PG411"})


@dataclass(frozen=True)
class Case:
    path: Path
    service: str
    revision: str
    dialect: str
    expected: Counter
    near_misses: frozenset[str]
    pg_version: int = 13

    def checks(self, code: str) -> bool:
        """Whether the case checks findings of rule ``code``."""
        return code not in EVERYWHERE or code in self.near_misses or any(
            c == code for c, _ in self.expected)


def _codes(text: str) -> list[str]:
    return [code.strip() for code in text.split(",")]


def _case(path: Path) -> Case:
    text = path.read_text(encoding="utf-8")
    expected: Counter = Counter()
    for number, line in enumerate(text.splitlines(), 1):
        if (above := _LINE_ABOVE.match(line)) is not None:
            expected.update((code, number - 1) for code in _codes(above.group(1)))
        elif (here := _AT_LINE.search(line)) is not None:
            expected.update((code, number) for code in _codes(here.group(1)))
    near = _NEAR_MISS.search(text)
    dialect = _DIALECT.search(text)
    version = _PG_VERSION.search(text)
    return Case(path, path.parents[2].name, _REVISION.search(text).group(1),
                dialect.group(1) if dialect else DEFAULT_DIALECT, expected,
                frozenset(_codes(near.group(1))) if near else frozenset(),
                int(version.group(1)) if version else 13)


CASES = [_case(p) for p in sorted(CORPUS.glob("corpus_services/*/migrations/versions/*.py"))]


@pytest.fixture(scope="module")
def corpus() -> Orchestration:
    return Orchestration.open(CORPUS)


@pytest.mark.parametrize("case", CASES, ids=[c.path.stem for c in CASES])
def test_corpus_revision_gets_exactly_its_marked_findings(corpus, case):
    findings = [f for f in lint_revisions(corpus, [(case.service, case.revision)],
                                          dialect=case.dialect, pg_version=case.pg_version)
                if case.checks(f.code)]
    found = Counter((f.code, f.line) for f in findings)
    assert found == case.expected, "\n".join(f.message for f in findings)
    assert not case.near_misses & {f.code for f in findings}
    for finding in findings:
        assert "\n" not in finding.message
        assert finding.message.startswith(f"{case.service}:{case.revision} line {finding.line}: ")
        assert finding.fix == RULES[finding.code].fix
        assert finding.severity is RULES[finding.code].severity


def test_every_rule_has_a_revision_it_flags_and_a_near_miss_it_must_not():
    flagged = {code for case in CASES for code, _ in case.expected}
    near = set().union(*(case.near_misses for case in CASES))
    assert set(RULES) - flagged == set(), "rules no corpus revision triggers"
    assert set(RULES) - near == set(), "rules with no near-miss revision"
    assert flagged <= set(RULES) and near <= set(RULES)


def test_suppressions_with_reasons_silence_their_findings_and_keep_the_reason(corpus):
    linter = Linter(corpus.workspace)
    findings, suppressed = linter.run([("alpha", "ds102_suppressed"), ("alpha", "ln_allow_file")])
    assert [f for f in findings if f.code not in EVERYWHERE] == []
    assert sorted((f.revision, f.code, f.line) for f in suppressed) == [
        ("ds102_suppressed", "DS102", 18),
        ("ds102_suppressed", "DS102", 19),
        ("ln_allow_file", "PG401", 18),
        ("ln_allow_file", "PG401", 19),
    ]
    reasons = {f.suppressed_by for f in suppressed}
    assert "notes moved to the CRM, see ticket 812" in reasons
    assert "accounts is only read by the nightly report job" in reasons


def test_docs_list_every_rule_with_its_severity():
    docs = (Path(__file__).parents[1] / "docs" / "lint-rules.md").read_text(encoding="utf-8")
    headings = dict(re.findall(r"^### ([A-Z]{2}\d{3}) .*?\n+\*\*(error|warning)\*\*", docs,
                               re.MULTILINE))
    assert headings == {code: rule.severity.value for code, rule in RULES.items()}


def test_linting_revisions_together_finds_what_linting_each_alone_finds(corpus):
    """One Alembic context serves a whole service, yet no revision sees another's tables."""
    cases = [c for c in CASES if c.dialect == DEFAULT_DIALECT and c.pg_version == 13]
    checks = {c.revision: c for c in cases}
    together = [f for f in lint_revisions(corpus, [(c.service, c.revision) for c in cases])
                if checks[f.revision].checks(f.code)]
    expected = Counter()
    for case in cases:
        expected.update({(case.revision, code, line): count
                         for (code, line), count in case.expected.items()})
    assert Counter((f.revision, f.code, f.line) for f in together) == expected


def test_lint_revisions_rejects_unknown_services_revisions_and_dialects(corpus):
    with pytest.raises(UnknownService, match="unknown service 'gamma'"):
        lint_revisions(corpus, [("gamma", "alpha_base")])
    with pytest.raises(RevisionError, match="service 'alpha' has no revision 'nope'"):
        lint_revisions(corpus, [("alpha", "nope")])
    with pytest.raises(ConfigError, match="unknown lint dialect 'oracle'; choose one of "
                                          "postgresql, sqlite, mysql, mariadb"):
        lint_revisions(corpus, [("alpha", "alpha_base")], dialect="oracle")
