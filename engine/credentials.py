"""AWS credentials never reach a message, a report or a state file: `scrub_secrets` removes them.

Two nets. The values themselves: whatever the environment holds in the credential variables
(access key id, secret key, session token), also percent-encoded as in a presigned URL. And
their shapes, for credentials that came from a profile or SSO instead: access key ids, 40-char
secret keys, long base64 session tokens, and the token header or query parameter of a request
that a service echoes back (S3's SignatureDoesNotMatch quotes the whole canonical request).
"""

from __future__ import annotations

import os
import re
from urllib.parse import quote

CREDENTIAL_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                        "AWS_SECURITY_TOKEN")
_MIN_SCRUBBED_VALUE = 12  # shorter values (the local backend's "testing") are not secrets

_ACCESS_KEY_ID = re.compile(r"\b(?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{12,}\b")
# A secret key: 40 base64 characters with both cases (a 40-hex git SHA has no capitals).
_SECRET_LIKE = re.compile(r"(?<![A-Za-z0-9/+])(?=[A-Za-z0-9/+]*[a-z])(?=[A-Za-z0-9/+]*[A-Z])"
                          r"[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])")
# A session token: hundreds of base64 characters in one run.
_TOKEN_LIKE = re.compile(r"[A-Za-z0-9/+]{100,}={0,2}")
# The token as a request carries it: a header line or a presigned URL's query parameter.
_TOKEN_FIELD = re.compile(r"(?i)(x-amz-security-token\s*[:=]\s*)[^\s&\"'<]+")
MASK = "***"


def scrub_secrets(text: str) -> str:
    """``text`` with every AWS credential (by value or by shape) replaced with ``***``."""
    for name in CREDENTIAL_VARIABLES:
        value = os.environ.get(name, "")
        if len(value) >= _MIN_SCRUBBED_VALUE:
            text = text.replace(value, MASK).replace(quote(value, safe=""), MASK)
    text = _TOKEN_FIELD.sub(lambda m: m.group(1) + MASK, text)
    text = _TOKEN_LIKE.sub(MASK, text)
    return _SECRET_LIKE.sub(MASK, _ACCESS_KEY_ID.sub(MASK, text))
