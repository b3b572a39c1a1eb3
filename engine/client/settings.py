"""Where the backend lives: AWS or the local endpoints, region, bucket, prefix, role, limits.

`BackendSettings` is the one model of it: the experiment's `[backend]` table is read into one
(amts.engine.experiment.config), `sync --backend` builds one, and every client is opened from one.
It validates itself once, when made; a `BackendSettingsError` names the setting, so that the config
reader can add the file and line. Credentials are deliberately absent: AWS uses the standard chain
(profile, environment, SSO, instance role) and the local backend dummy keys, so a settings object
can be logged or shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

from amts.engine.errors import AmtsError

BackendKind = Literal["local", "aws"]
BACKEND_KINDS: tuple[BackendKind, ...] = ("local", "aws")

# S3 bucket names: 3-63 characters of lowercase letters, digits, dots and hyphens.
_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")
_URL = re.compile(r"^https?://")


class BackendSettingsError(AmtsError):
    """A backend setting that cannot work; `setting` is its name (e.g. "bucket")."""

    def __init__(self, setting: str, message: str):
        super().__init__(message)
        self.setting = setting


@dataclass(frozen=True)
class BackendSettings:
    """Configuration of the one client layer; the same code serves both kinds.

    The local kind without endpoints is the embedded local service, started in the work
    directory before use (`is_embedded`; amts.engine.act.backend.open_backend).
    """

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
        if self.kind not in BACKEND_KINDS:
            raise BackendSettingsError("kind", f"backend kind must be 'local' or 'aws', not {self.kind!r}")
        if not _BUCKET_NAME.match(self.bucket):
            raise BackendSettingsError(
                "bucket", f"bucket name {self.bucket!r} is not a valid S3 bucket name "
                          "(3-63 lowercase letters, digits, dots or hyphens)")
        if self.prefix.startswith("/") or "\\" in self.prefix:
            raise BackendSettingsError("prefix", f"S3 prefix {self.prefix!r} must not start with '/' or contain '\\'")
        if self.kind == "aws" and not self.role_arn.startswith("arn:"):
            raise BackendSettingsError("role_arn",
                                       "the data-access role must be an ARN (arn:aws:iam::ACCOUNT:role/NAME)")
        for setting in ("s3_endpoint_url", "translate_endpoint_url"):
            url = getattr(self, setting)
            if url is not None and not _URL.match(url):
                raise BackendSettingsError(setting, f"{url!r} is not an http(s) URL")
        if self.max_concurrency < 1:
            raise BackendSettingsError("max_concurrency",
                                       f"max_concurrency must be at least 1, not {self.max_concurrency}")
        if self.max_attempts < 1:
            raise BackendSettingsError("max_attempts", f"max_attempts must be at least 1, not {self.max_attempts}")
        if self.kind == "local" and bool(self.s3_endpoint_url) != bool(self.translate_endpoint_url):
            raise BackendSettingsError(
                "s3_endpoint_url" if not self.s3_endpoint_url else "translate_endpoint_url",
                "the local backend needs both endpoint URLs (S3 and Translate), or neither "
                "(then it is started in the work directory)")

    @property
    def is_embedded(self) -> bool:
        """The local backend without endpoints: it is to be started in the work directory first
        (amts.engine.act.backend.open_backend does that); the client alone cannot open it."""
        return self.kind == "local" and not self.s3_endpoint_url

    def with_endpoints(self, s3_endpoint_url: str, translate_endpoint_url: str) -> BackendSettings:
        """These settings pointed at running endpoints (the embedded local backend once started)."""
        return replace(self, s3_endpoint_url=s3_endpoint_url, translate_endpoint_url=translate_endpoint_url)

    def key(self, *parts: str) -> str:
        """An S3 key under this prefix: ``key("docs", "a.html")`` → ``"amts/docs/a.html"``."""
        joined = "/".join(p.strip("/") for p in parts if p.strip("/"))
        base = self.prefix if not self.prefix or self.prefix.endswith("/") else self.prefix + "/"
        return base + joined

    def s3_uri(self, key: str = "") -> str:
        """``s3://bucket/key`` for a key of this bucket."""
        return f"s3://{self.bucket}/{key.lstrip('/')}"
