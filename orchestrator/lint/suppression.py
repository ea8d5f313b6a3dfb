"""Suppression comments in a revision file: ``# orchestrate: allow DS102 -- reason``.

Scope, decided once and documented in docs/lint-rules.md:

- at the end of a line, it covers the statement that line belongs to (all its lines);
- on a line of its own, it covers the next statement (a whole ``with`` block when that is
  the next statement);
- ``# orchestrate: allow-file CODE -- reason`` anywhere covers the whole file.

Several codes may be listed, separated by commas. The reason after ``--`` is mandatory: a
suppression without one silences nothing and is itself a finding (LN901), as is one that does
not parse or names no known rule (LN902).
"""
from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass

from orchestrator.lint.rule import error, warning

NO_REASON = error(
    "LN901", "a suppression gives no reason",
    "Say why after ` -- `: `# orchestrate: allow DS102 -- column unused since v41, archived`.",
    suppressible=False,
)
MALFORMED = warning(
    "LN902", "a suppression does not parse or names an unknown rule",
    "Write `# orchestrate: allow CODE[, CODE...] -- reason` with codes from "
    "docs/lint-rules.md.",
    suppressible=False,
)
RULES = (NO_REASON, MALFORMED)

_MARKER = re.compile(r"#\s*orchestrate\s*:\s*(?P<body>.*)$", re.IGNORECASE)
_BODY = re.compile(
    r"^(?P<kind>allow-file|allow)\s+(?P<codes>[A-Za-z]+\d+(?:\s*,\s*[A-Za-z]+\d+)*)"
    r"\s*(?:--\s*(?P<reason>.*))?$"
)


@dataclass(frozen=True)
class Suppression:
    codes: frozenset[str]
    reason: str
    line: int  # where the comment is
    first: int  # the lines it covers
    last: int

    def covers(self, code: str, line: int) -> bool:
        return code in self.codes and self.first <= line <= self.last


@dataclass(frozen=True)
class SuppressionProblem:
    rule_code: str
    line: int
    detail: str


def read_suppressions(text: str, tree: ast.Module
                      ) -> tuple[list[Suppression], list[SuppressionProblem]]:
    """Every suppression comment in a revision's source, with the lines it covers."""
    if "orchestrate" not in text:
        return [], []
    comments = _comments(text)
    if not comments:
        return [], []
    spans = sorted(((n.lineno, n.end_lineno or n.lineno) for n in ast.walk(tree)
                    if isinstance(n, ast.stmt)), key=lambda s: (s[0], -s[1]))
    last_line = len(text.splitlines()) or 1
    found: list[Suppression] = []
    problems: list[SuppressionProblem] = []
    for line, comment, trailing in comments:
        marker = _MARKER.search(comment)
        if marker is None:
            continue
        body = marker.group("body").strip()
        parsed = _BODY.match(body)
        if parsed is None:
            problems.append(SuppressionProblem(
                MALFORMED.code, line,
                f"suppression comment {comment.strip()!r} does not read "
                "`# orchestrate: allow CODE[, CODE] -- reason`"))
            continue
        codes = frozenset(c.strip().upper() for c in parsed.group("codes").split(","))
        reason = (parsed.group("reason") or "").strip()
        if not reason:
            problems.append(SuppressionProblem(
                NO_REASON.code, line,
                f"suppression of {', '.join(sorted(codes))} gives no reason after `--`; "
                "it silences nothing until it does"))
            continue
        if parsed.group("kind") == "allow-file":
            first, last = 1, last_line
        elif trailing:
            first, last = _enclosing(spans, line)
        else:
            first, last = _following(spans, line)
        found.append(Suppression(codes, reason, line, first, last))
    return found, problems


def _comments(text: str) -> list[tuple[int, str, bool]]:
    """(line, comment text, whether code precedes it on its line) for every comment."""
    found = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                trailing = bool(token.line[: token.start[1]].strip())
                found.append((token.start[0], token.string, trailing))
    except (tokenize.TokenError, SyntaxError):
        pass
    return found


def _enclosing(spans: list[tuple[int, int]], line: int) -> tuple[int, int]:
    """The innermost statement containing ``line``."""
    containing = [(last - first, first, last) for first, last in spans if first <= line <= last]
    if not containing:
        return line, line
    _, first, last = min(containing)
    return first, last


def _following(spans: list[tuple[int, int]], line: int) -> tuple[int, int]:
    """The outermost statement starting first after ``line``."""
    for first, last in spans:  # sorted by start, then widest first
        if first > line:
            return first, last
    return line, line
