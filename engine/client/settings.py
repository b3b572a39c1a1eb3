"""Where the backend lives: AWS or the local endpoints, region, bucket, prefix, role, limits.

`BackendSettings` is the one model of it: the experiment's `[backend]` table is read into one
(amts.engine.experiment.config), `sync --backend` builds one, and every client is opened from one.
It validates itself once, when made; a `BackendSettingsError` names the setting, so that the config
reader can add the file and line. Credentials are deliberately absent: AWS uses the standard chain
(profile, environment, SSO, instance role) and the local backend dummy keys, so a settings object
can be logged or shown.

AWS has no defaults for what belongs to the account: the bucket and the data-access role must be
named (a guessed bucket could be someone else's, and an example role ARN only fails after the
parallel data was paid for). The region, unless set, is AWS's own chain's (`aws_region`), so that
AWS_REGION, AWS_DEFAULT_REGION and the profile's region are honoured as every AWS tool does.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from typing import Literal

import botocore.session
from botocore import exceptions as bx

from amts.engine.errors import AmtsError

BackendKind = Literal["local", "aws"]
BACKEND_KINDS: tuple[BackendKind, ...] = ("local", "aws")

# S3 bucket names: 3-63 characters of lowercase letters, digits, dots and hyphens.
_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")
_URL = re.compile(r"^https?://")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")

#: The local backend's own bucket, region and role: it accepts any, nothing is billed.
LOCAL_BUCKET = "amts"
LOCAL_REGION = "us-east-1"
LOCAL_ROLE_ARN = "arn:aws:iam::000000000000:role/amts-local"


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
    region: str = ""  # AWS: "" is the standard chain's (aws_region); local: us-east-1
    profile: str | None = None
    bucket: str = ""  # AWS: required; local: "amts"
    prefix: str = "amts/"
    role_arn: str = ""  # AWS: required; local: a placeholder the local service accepts
    s3_endpoint_url: str | None = None
    translate_endpoint_url: str | None = None
    max_concurrency: int = 8
    max_attempts: int = 5

    def __post_init__(self) -> None:
        if self.kind not in BACKEND_KINDS:
            raise BackendSettingsError("kind", f"backend kind must be 'local' or 'aws', not {self.kind!r}")
        if self.kind == "local":
            for setting, value in (("bucket", LOCAL_BUCKET), ("region", LOCAL_REGION), ("role_arn", LOCAL_ROLE_ARN)):
                if not getattr(self, setting):
                    object.__setattr__(self, setting, value)
        if not self.bucket:
            raise BackendSettingsError(
                "bucket", "the aws backend needs the S3 bucket for its files: name a bucket you own, in "
                          "the same region as Amazon Translate (AMTS never creates buckets on AWS)")
        if not self.role_arn:
            raise BackendSettingsError(
                "role_arn", "the aws backend needs the data-access role batch jobs run as: the ARN of an "
                            "IAM role that trusts translate.amazonaws.com and may read and write the bucket "
                            "(arn:aws:iam::ACCOUNT:role/NAME)")
        if self.region and not _REGION.match(self.region):
            raise BackendSettingsError("region", f"{self.region!r} is not an AWS region (like us-east-1)")
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

    def with_region(self, region: str) -> BackendSettings:
        """These settings with the region resolved (amts.engine.client.service.open_service)."""
        return replace(self, region=region)

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


def aws_region(settings: BackendSettings) -> str:
    """The region to use: the settings' own, else AWS's standard chain ($AWS_REGION,
    $AWS_DEFAULT_REGION, then the profile's `region` in the AWS config file); BackendSettingsError
    when none of them names one. botocore reads only the last two, so $AWS_REGION (which the
    other AWS SDKs read first) is looked at here."""
    if settings.region:
        return settings.region
    region = os.environ.get("AWS_REGION")
    if not region:
        try:
            region = botocore.session.Session(profile=settings.profile).get_config_variable("region")
        except bx.ProfileNotFound:
            raise BackendSettingsError("profile", f"the AWS profile {settings.profile!r} is not in the "
                                                  "AWS config files: add it (aws configure) or choose "
                                                  "another") from None
    if not region:
        raise BackendSettingsError(
            "region", "no AWS region is set: set the region in the settings, or AWS_REGION, or a "
                      "region in the AWS profile (aws configure)")
    if not _REGION.match(region):
        raise BackendSettingsError("region", f"{region!r} (from the AWS environment or profile) is not an AWS "
                                             "region (like us-east-1)")
    return str(region)
