"""A lint report in the formats CI systems read: SARIF 2.1.0 and GitHub workflow annotations.

SARIF (Static Analysis Results Interchange Format, OASIS, version 2.1.0) is what GitHub code
scanning uploads (``github/codeql-action/upload-sarif``): one run of the ``orchestrate`` tool,
its rules (code, title, fix, the page that documents it, default level), one result per
finding located by the file's path relative to the workspace root (``%SRCROOT%``) and its
line, suppressed findings kept with their in-source suppression and its reason.

GitHub annotations are workflow commands, one per line on stdout:
``::error file=PATH,line=N,title=CODE::message`` (``::warning`` for a warning); GitHub Actions
shows them on the pull request's diff.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from orchestrator.lint.catalog import RULES
from orchestrator.lint.finding import LintFinding
from orchestrator.lint.runner import LintReport

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
#: Where each rule is documented, relative to the orchestrate checkout.
RULES_PAGE = "docs/lint-rules.md"


def to_sarif(report: LintReport, root: Path, version: str) -> dict[str, Any]:
    """The report as one SARIF log (a JSON-ready dict); paths relative to ``root``."""
    codes = sorted(RULES)
    index = {code: position for position, code in enumerate(codes)}
    results = [_result(f, root, index) for f in report.findings]
    results += [_result(f, root, index) for f in report.suppressed]
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {"driver": {
                "name": "orchestrate",
                "semanticVersion": version,
                "rules": [_rule(code) for code in codes],
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": root.resolve().as_uri() + "/"}},
            "columnKind": "unicodeCodePoints",
            "properties": {"dialect": report.dialect, "pg_version": report.pg_version,
                           "revisions": len(report.revisions)},
            "results": results,
        }],
    }


def _rule(code: str) -> dict[str, Any]:
    rule = RULES[code]
    return {
        "id": code,
        "name": "".join(word.capitalize() for word in rule.title.split()
                        if word.isalnum())[:120],
        "shortDescription": {"text": rule.title},
        "help": {"text": f"{rule.fix} ({RULES_PAGE}#{_anchor(code, rule.title)})"},
        "defaultConfiguration": {"level": rule.severity.value},
    }


def _anchor(code: str, title: str) -> str:
    """The heading's anchor as GitHub makes it (lower case, punctuation dropped, dashes)."""
    text = f"{code} {title}".lower()
    kept = "".join(c for c in text if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")


def _result(finding: LintFinding, root: Path, index: dict[str, int]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": index[finding.code],
        "level": finding.severity.value,
        "message": {"text": f"{finding.message}. Fix: {finding.fix}"},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": _relative(finding.path, root).as_posix(),
                                 "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": max(finding.line, 1)},
        }}],
        "partialFingerprints": {
            "orchestrate/v1": f"{finding.service}:{finding.revision}:{finding.code}:"
                              f"{finding.object or ''}"},
        "properties": {"service": finding.service, "revision": finding.revision,
                       "object": finding.object},
    }
    if finding.suppressed_by is not None:
        result["suppressions"] = [{"kind": "inSource", "justification": finding.suppressed_by}]
    return result


def to_github(report: LintReport, root: Path) -> str:
    """One workflow command per unsuppressed finding, and a closing notice with the counts."""
    lines = []
    for finding in report.findings:
        level = "error" if finding.is_error else "warning"
        properties = {"file": _relative(finding.path, root).as_posix(),
                      "line": str(max(finding.line, 1)),
                      "title": f"{finding.code} {RULES[finding.code].title}"}
        fields = ",".join(f"{key}={_escape(value, True)}" for key, value in properties.items())
        lines.append(f"::{level} {fields}::{_escape(finding.message + ' | fix: ' + finding.fix)}")
    lines.append(
        f"::notice title=orchestrate lint::{len(report.revisions)} revision(s) linted for "
        f"{report.dialect}: {len(report.errors)} error(s), {len(report.warnings)} "
        f"warning(s), {len(report.suppressed)} suppressed")
    return "\n".join(lines)


def _escape(text: str, property_value: bool = False) -> str:
    """Escape for a workflow command (data: %, CR, LF; property values also : and ,)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def _relative(path: Path, root: Path) -> Path:
    try:
        return path.resolve().relative_to(root.resolve())
    except ValueError:
        return path


def sarif_text(report: LintReport, root: Path, version: str) -> str:
    return json.dumps(to_sarif(report, root, version), indent=2)
