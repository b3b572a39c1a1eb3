"""Open the backend a run uses: AWS, local endpoints already running, or the embedded local service.

`open_backend(settings, workdir)` is the one place that decides: settings with endpoints (AWS, or
`amts-tui serve-local` started elsewhere) are opened as they are; the local backend without
endpoints is started in the work directory first (its S3 and job state persist there, so a
resumed run finds its inputs and its jobs) and stopped when the block ends.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from amts.engine.client.service import TranslateService, open_service
from amts.engine.client.settings import BackendSettings
from amts.engine.errors import AmtsError
from amts.engine.local_service import LocalFaults, start_local_backend

#: Seconds between the state changes of an embedded local job when the caller names none
#: (`sync --write`); a test sets it to kill a run while its job is still running.
LOCAL_JOB_SECONDS_ENV = "AMTS_LOCAL_JOB_SECONDS"
DEFAULT_LOCAL_JOB_SECONDS = 0.01


def local_job_seconds(configured: float | None = None) -> float:
    """The embedded local backend's pace: the configured one, else $AMTS_LOCAL_JOB_SECONDS, else fast."""
    if configured is not None:
        return configured
    value = os.environ.get(LOCAL_JOB_SECONDS_ENV, "")
    try:
        return float(value) if value else DEFAULT_LOCAL_JOB_SECONDS
    except ValueError:
        raise AmtsError(f"${LOCAL_JOB_SECONDS_ENV} must be a number of seconds, not {value!r}") from None


@asynccontextmanager
async def open_backend(settings: BackendSettings, workdir: Path, *, job_seconds: float | None = None,
                       faults: LocalFaults | None = None) -> AsyncIterator[TranslateService]:
    """The client for `settings`, with the embedded local service started in `workdir` when the
    settings name no endpoints; everything is stopped on exit. A local backend starts empty: its
    bucket is created here; an AWS bucket is only checked (it exists, in Translate's region)."""
    if not settings.is_embedded:
        async with open_service(settings) as service:
            await service.prepare_bucket()
            yield service
        return
    local = await asyncio.to_thread(start_local_backend, Path(workdir), faults,
                                    job_delay=local_job_seconds(job_seconds))
    try:
        async with open_service(settings.with_endpoints(local.s3_endpoint, local.translate_endpoint)) as service:
            await service.ensure_bucket()
            yield service
    finally:
        await asyncio.to_thread(local.stop)
