"""Where the backend lives: AWS or the local endpoints, region, bucket, prefix, role, limits.

Credentials are deliberately absent: AWS uses the standard chain (profile, environment, SSO,
instance role) and the local backend dummy keys, so a settings object can be logged or shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from amts.engine.errors import AmtsError

BackendKind = Literal["local", "aws"]

# S3 bucket names: 3-63 characters of lowercase letters, digits, dots and hyphens.
_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")


@dataclass(frozen=True)
class BackendSettings:
    """Configuration of the one client layer; the same code serves both kinds."""

    kind: BackendKind
    region: str = "us-east-1"
    profile: str | None = None
    bucket: str = "amts"
    prefix: str = "amts/"
    role_arn: str = "arn:aws:iam::123456789012:role/AmtsTranslate"
    s3_endpoint_url: str | None = None
    translate_endpoint_url: str | None = None
    max_concurrency: int = 8
    max_attempts: int = 5

    def __post_init__(self) -> None:
        if self.kind not in ("local", "aws"):
            raise AmtsError(f"backend kind must be 'local' or 'aws', not {self.kind!r}")
        if not _BUCKET_NAME.match(self.bucket):
            raise AmtsError(
                f"bucket name {self.bucket!r} is not a valid S3 bucket name "
                "(3-63 lowercase letters, digits, dots or hyphens)"
            )
        if self.prefix.startswith("/") or "\\" in self.prefix:
            raise AmtsError(f"S3 prefix {self.prefix!r} must not start with '/' or contain '\\'")
        if self.max_concurrency < 1:
            raise AmtsError(f"max_concurrency must be at least 1, not {self.max_concurrency}")
        if self.max_attempts < 1:
            raise AmtsError(f"max_attempts must be at least 1, not {self.max_attempts}")
        if self.kind == "local" and not (self.s3_endpoint_url and self.translate_endpoint_url):
            raise AmtsError(
                "the local backend needs both endpoint URLs (S3 and Translate): "
                "start it first (amts-tui serve-local) or let the app start it"
            )

    def key(self, *parts: str) -> str:
        """An S3 key under this prefix: ``key("docs", "a.html")`` → ``"amts/docs/a.html"``."""
        joined = "/".join(p.strip("/") for p in parts if p.strip("/"))
        base = self.prefix if not self.prefix or self.prefix.endswith("/") else self.prefix + "/"
        return base + joined

    def s3_uri(self, key: str = "") -> str:
        """``s3://bucket/key`` for a key of this bucket."""
        return f"s3://{self.bucket}/{key.lstrip('/')}"
