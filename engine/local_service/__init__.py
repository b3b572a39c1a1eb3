"""The local backend: moto's S3 and our Amazon-Translate-compatible endpoint on 127.0.0.1.

    with start_local_backend(workdir) as backend:
        backend.s3_endpoint, backend.translate_endpoint, backend.region

Any botocore/aiobotocore client works against them with `endpoint_url=` and dummy credentials
(`LOCAL_ACCESS_KEY` / `LOCAL_SECRET_KEY`); S3 clients should use path-style addressing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from amts.engine.local_service.faults import LocalFaults
from amts.engine.local_service.quotas import AWS_QUOTAS, NO_QUOTAS, LocalQuotas
from amts.engine.local_service.s3 import LOCAL_ACCESS_KEY, LOCAL_SECRET_KEY, LocalS3Server
from amts.engine.local_service.translate_server import LocalTranslateServer
from amts.engine.write_targets import ensure_work_directory

__all__ = [
    "AWS_QUOTAS",
    "LOCAL_ACCESS_KEY",
    "LOCAL_SECRET_KEY",
    "LocalBackend",
    "LocalFaults",
    "LocalQuotas",
    "NO_QUOTAS",
    "start_local_backend",
]

DEFAULT_JOB_DELAY = 0.5
S3_MIRROR_DIR = "local-s3"


@dataclass
class LocalBackend:
    """Running local endpoints; `stop()` (or leaving the `with` block) shuts both down."""

    s3_server: LocalS3Server
    translate_server: LocalTranslateServer
    region: str = "us-east-1"
    access_key: str = LOCAL_ACCESS_KEY
    secret_key: str = LOCAL_SECRET_KEY

    @property
    def s3_endpoint(self) -> str:
        return self.s3_server.endpoint_url

    @property
    def translate_endpoint(self) -> str:
        return self.translate_server.endpoint_url

    def stop(self) -> None:
        """Stop the Translate endpoint (its state stays in the work directory), then S3."""
        try:
            self.translate_server.stop()
        finally:
            self.s3_server.stop()

    def __enter__(self) -> LocalBackend:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def start_local_backend(
    workdir: Path,
    faults: LocalFaults | None = None,
    s3_port: int = 0,
    translate_port: int = 0,
    job_delay: float = DEFAULT_JOB_DELAY,
    quotas: LocalQuotas | None = None,
) -> LocalBackend:
    """Start S3 (kept in WORKDIR/local-s3) and the Translate endpoint (WORKDIR/local-translate).

    S3 is restored from its mirror before the Translate endpoint resumes unfinished jobs, so
    they find their inputs; every acknowledged S3 change is on disk before the client sees it.

    Ports 0 pick free ports. `job_delay` is the pause before each state change of a job or
    parallel-data import, so clients can watch SUBMITTED → IN_PROGRESS → COMPLETED.
    `quotas`: the AWS quotas to enforce (quotas.py; all by default, NO_QUOTAS for none).
    """
    workdir = ensure_work_directory(workdir)
    s3_server = LocalS3Server(port=s3_port, mirror_dir=workdir / S3_MIRROR_DIR)
    s3_endpoint = s3_server.start()
    try:
        translate_server = LocalTranslateServer(
            workdir, s3_endpoint, faults=faults, port=translate_port, delay=job_delay,
            quotas=quotas,
        )
        translate_server.start()
    except BaseException:
        s3_server.stop()
        raise
    return LocalBackend(s3_server, translate_server)
