"""Secrets hidden from everything orchestrate shows: one function, :func:`redact`.

A database URL can hold a secret in three places, and users write all of them:

- the userinfo: ``postgresql://app:s3cret@db/app``, percent-encoded or not; an unencoded ``@``
  or ``/`` inside the password (``app:p@ss/word@db``) is common and fools URL parsers, which
  split at the first ``@`` and show the rest of the password as the host;
- query parameters the drivers read: ``?password=...``, ``sslpassword``, ``sslkey``, tokens,
  API keys, signatures;
- and the same ``key=value`` pairs written libpq-style in free text (``password=... host=...``).

:func:`redact` takes a URL (SQLAlchemy's ``URL`` or text) or any text holding URLs, such as an
error message or a log line, and hides every one of them. Userinfo is hidden from its first
``:`` up to the **last** ``@`` of the URL: a superset of wherever the password can be, so a
password is never shown in part (a ``@`` later in the path or a plain query value makes it hide
more than needed, never less). Every output path goes through it: plan, history, train plan,
errors, log lines.
"""
from __future__ import annotations

import re
from typing import Any

MASK = "***"

#: Query parameters (and libpq keywords) whose value is a secret, compared case-insensitively.
SECRET_KEYS = frozenset({
    "password", "passwd", "pwd", "pass", "sslpassword", "sslkey", "sslcrl_password",
    "token", "access_token", "auth_token", "refresh_token", "id_token", "session_token",
    "security_token", "api_key", "apikey", "secret", "client_secret", "private_key",
    "access_key", "secret_key", "aws_secret_access_key", "aws_session_token", "credentials",
    "sig", "signature", "jwt", "auth", "authorization",
})
#: Words that make any key a secret one (``db_password``, ``x-api-token``, ...).
_SECRET_WORDS = ("password", "passwd", "secret", "token", "apikey", "api_key", "credential",
                 "private_key", "signature")

_URL = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.\-]*://)(?P<rest>\S*)")
_KEY_VALUE = re.compile(r"(?P<key>(?<![A-Za-z0-9_\-])[A-Za-z_][A-Za-z0-9_\-]*)"
                        r"(?P<eq>\s*=\s*)(?P<value>'[^']*'|\"[^\"]*\"|[^\s&'\"]+)")


def is_secret_key(key: str) -> bool:
    lowered = key.lower()
    return lowered in SECRET_KEYS or any(word in lowered for word in _SECRET_WORDS)


def redact(value: Any) -> str:
    """``value`` (a URL, or text holding URLs and ``key=value`` pairs) with every secret hidden.

    A SQLAlchemy ``URL`` is rendered with its password hidden by SQLAlchemy, then goes the way
    of any other text (its query parameters), so there is one way secrets are found.
    """
    text = _render_url(value) if _is_sqlalchemy_url(value) else str(value)
    text = _KEY_VALUE.sub(_hide_value, text)
    return _URL.sub(_hide_userinfo, text)


def redact_data(value: Any) -> Any:
    """Every string inside ``value`` (dicts, lists, tuples) redacted; for structured logs."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: redact_data(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(redact_data(item) for item in value)
    if _is_sqlalchemy_url(value):
        return redact(value)
    return value


def _hide_value(match: re.Match[str]) -> str:
    if not is_secret_key(match["key"]):
        return match[0]
    return f"{match['key']}{match['eq']}{MASK}"


def _hide_userinfo(match: re.Match[str]) -> str:
    rest = match["rest"]
    at = rest.rfind("@")
    if at == -1:
        return match[0]
    userinfo = rest[:at]
    user, colon, _password = userinfo.partition(":")
    if not colon:
        return match[0]
    return f"{match['scheme']}{user}:{MASK}{rest[at:]}"


def _is_sqlalchemy_url(value: Any) -> bool:
    return type(value).__name__ == "URL" and hasattr(value, "render_as_string")


def _render_url(url: Any) -> str:
    return url.render_as_string(hide_password=True)
