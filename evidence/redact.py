"""Remove secrets from evidence bytes before they are hashed and kept.

Evidence is JSON (API responses), HCL, YAML or log text, so redaction works on
bytes with patterns that fit all of them rather than on a parsed document:

- the value of any field whose *name* says it holds a secret (``SecretAccessKey``,
  ``SessionToken``, ``MasterUserPassword``, ``aws_secret_access_key = …``,
  ``password: …``), as a JSON member (also inside JSON held in a string) or a
  ``name = value`` / ``name: value`` assignment;
- the value of a ``{"Key": <secret name>, "Value": …}`` pair (tags, environment
  variables, parameters);
- PEM private keys, wherever they appear;
- STS session tokens recognisable by their prefix, even without a field name;
- the password part of ``scheme://user:password@host`` URLs.

Names are matched after lower-casing and dropping ``_``/``-``, by suffix, so
``password`` and ``db_password`` are secrets while ``password_enabled`` and
``password_last_used`` (credential-report columns) are not. Redaction is
idempotent: redacting redacted bytes changes nothing.
"""

from __future__ import annotations

import re

REDACTED = b"[REDACTED]"

# Normalised field names (lower case, no separators) ending in one of these hold secrets.
_SECRET_SUFFIXES = (
    b"password",
    b"passwd",
    b"passphrase",
    b"secretaccesskey",
    b"secretkey",
    b"sessiontoken",
    b"securitytoken",
    b"privatekey",
    b"clientsecret",
    b"secretstring",
    b"secretbinary",
    b"apikey",
    b"authtoken",
)

_PEM = re.compile(
    rb"-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY-----.*?-----END \1PRIVATE KEY-----",
    re.DOTALL,
)
# A JSON member with a string value: "name": "value" (escapes allowed in the value).
_JSON_MEMBER = re.compile(rb'"([A-Za-z0-9_.\-]{1,80})"(\s*:\s*)"((?:[^"\\]|\\.)*)"')
# The same inside a JSON document held in a JSON string: \"name\": \"value\".
_ESCAPED_MEMBER = re.compile(rb'\\"([A-Za-z0-9_.\-]{1,80})\\"(\s*:\s*)\\"((?:(?!\\").)*)\\"')
# name = value, name: value, NAME=value (ini, HCL, YAML, env files, log text).
_ASSIGNMENT = re.compile(
    rb"(?<![A-Za-z0-9_\-])([A-Za-z0-9_.\-]{1,80})([ \t]*[=:][ \t]*)"
    rb"(\"[^\"\r\n]*\"|'[^'\r\n]*'|[^\s\"',;}{]+)"
)
# A name/value pair whose name says secret: tags, environment variables, parameters.
_PAIR = re.compile(
    rb'("(?:Key|Name|ParameterKey|ParameterName)"\s*:\s*")([A-Za-z0-9_.\-/: ]{1,128})'
    rb'("\s*,\s*"(?:Value|ParameterValue)"\s*:\s*")((?:[^"\\]|\\.)*)(")'
)
_STS_TOKEN = re.compile(rb"(?:FQoGZXIvYXdz|FwoGZXIvYXdz|IQoJb3JpZ2lu)[A-Za-z0-9/+=%]{16,}")
_URL_PASSWORD = re.compile(rb"([a-z][a-z0-9+.\-]*://[^\s:/@\"']+:)([^\s@/\"']+)(@)")


def is_secret_name(name: bytes | str) -> bool:
    """Whether a field called ``name`` holds a secret."""
    raw = name.encode() if isinstance(name, str) else name
    normalised = raw.lower().replace(b"_", b"").replace(b"-", b"").replace(b".", b"")
    return normalised.endswith(_SECRET_SUFFIXES)


def _member(match: re.Match[bytes]) -> bytes:
    name, sep, value = match.group(1), match.group(2), match.group(3)
    if not is_secret_name(name) or not value or value == REDACTED:
        return match.group(0)
    quote = match.group(0)[: match.group(0).index(name)]  # '"' or '\\"'
    return quote + name + quote + sep + quote + REDACTED + quote


def _assignment(match: re.Match[bytes]) -> bytes:
    name, sep, value = match.group(1), match.group(2), match.group(3)
    if not is_secret_name(name) or value.strip(b"\"'") in (b"", REDACTED):
        return match.group(0)
    if value[:1] in (b'"', b"'"):
        return name + sep + value[:1] + REDACTED + value[:1]
    return name + sep + REDACTED


def _pair(match: re.Match[bytes]) -> bytes:
    if not is_secret_name(match.group(2).rsplit(b"/", 1)[-1]) or match.group(4) in (b"", REDACTED):
        return match.group(0)
    return match.group(1) + match.group(2) + match.group(3) + REDACTED + match.group(5)


def _may_name_a_secret(data: bytes) -> bool:
    """A necessary condition for any field name in ``data`` to be a secret's: some secret
    suffix occurs in the normalised text. Checked in C over the whole buffer, it spares
    the per-member callbacks on evidence that names no secret at all (most of it)."""
    normalised = data.lower().replace(b"_", b"").replace(b"-", b"").replace(b".", b"")
    return any(suffix in normalised for suffix in _SECRET_SUFFIXES)


def redact(data: bytes) -> bytes:
    """``data`` with every secret value replaced by ``[REDACTED]``."""
    data = _PEM.sub(rb"-----BEGIN \1PRIVATE KEY-----[REDACTED]-----END \1PRIVATE KEY-----", data)
    if _may_name_a_secret(data):
        data = _JSON_MEMBER.sub(_member, data)
        data = _ESCAPED_MEMBER.sub(_member, data)
        data = _PAIR.sub(_pair, data)
        data = _ASSIGNMENT.sub(_assignment, data)
    data = _STS_TOKEN.sub(REDACTED, data)
    return _URL_PASSWORD.sub(rb"\1" + REDACTED + rb"\3", data)
