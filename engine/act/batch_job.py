"""One ACT batch job, step by step: parallel data → inputs → start or re-attach → watch → download.

The experiment's sub-pipelines (amts.engine.experiment.stages) and `sync --write`
(amts.engine.act.sync_translation) both run their jobs through `BatchJobWorkflow`, and this module
is the only caller of the client's `start_job`. It keeps the order that makes a killed run safe to
resume: the job's ClientToken is written to the run state *before* StartTextTranslationJob is
called, so the same call made again after a kill returns the same job instead of starting (and
billing) a second one. Parallel-data creates and updates take turns on the client
(`TranslateService.parallel_data_turn`), since Amazon Translate runs one at a time per account;
other work goes on while an import waits for its turn.

Each step is a method, so that a caller can put its own stage around it (the experiment reports
every step as a stage); `recorded_job` tells a resumed caller which steps are already done.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from amts.engine.act.state import JobRecord, StateStore
from amts.engine.client.job_output import JobOutput
from amts.engine.client.jobstate import JobDescription, ParallelDataStatus
from amts.engine.client.service import TranslateService
from amts.engine.errors import AmtsError, StopRequested

ResourceCallback = Callable[[ParallelDataStatus], None]
JobCallback = Callable[[JobDescription], None]


@dataclass(frozen=True, slots=True)
class PollingPace:
    """How often to ask: `first` seconds between status calls, growing to `maximum` while nothing
    changes (a job that runs for hours costs few calls); `timeout` None waits for ever."""

    first: float = 5.0
    maximum: float = 60.0
    timeout: float | None = None


@dataclass(frozen=True, slots=True)
class JobInputs:
    """What the job translates and with what: S3 keys of the input and output folders."""

    input_prefix: str
    output_prefix: str
    source_lang: str
    target_lang: str
    parallel_data: tuple[str, ...] = ()
    content_type: str = "text/html"


@dataclass(frozen=True, slots=True)
class StartedJob:
    """The job as the start (or re-attach) left it; `reattached` when it had been started before."""

    description: JobDescription
    reattached: bool


def require_active(status: ParallelDataStatus) -> ParallelDataStatus:
    """The status of a resource a job can use; AmtsError (with the service's reason) otherwise."""
    if status.status != "ACTIVE":
        raise AmtsError(f"parallel data {status.name!r} ended {status.status}: "
                        f"{status.message or 'no reason given'}")
    return status


class BatchJobWorkflow:
    """The batch job of one pipeline of one run (`run_id`, `pipeline` key its run-state rows).

    `stop`, when set, ends a wait early with StopRequested (the run stays resumable);
    `on_resource` and `on_job` see every status the service reports.
    """

    def __init__(self, service: TranslateService, state: StateStore, run_id: str, pipeline: str, *,
                 pace: PollingPace | None = None, stop: asyncio.Event | None = None,
                 on_resource: ResourceCallback | None = None, on_job: JobCallback | None = None):
        self.service, self.state = service, state
        self.run_id, self.pipeline = run_id, pipeline
        self.pace = pace or PollingPace()
        self.stop = stop
        self.on_resource, self.on_job = on_resource, on_job

    @property
    def recorded_job(self) -> JobRecord | None:
        """The job this pipeline reserved in an earlier attempt of the run (None: not yet).

        Its resource was ready before the reservation, so a resumed run leaves the resource alone;
        with a job id the inputs are on S3 too."""
        return self.state.job(self.run_id, self.pipeline)

    def check_stop(self) -> None:
        if self.stop is not None and self.stop.is_set():
            raise StopRequested("stopped on request")

    # --- parallel data ------------------------------------------------------------------------

    async def upload_parallel_data(self, path: Path, key: str) -> str:
        """Upload the parallel-data file to `key`; returns its S3 URI."""
        await self.service.upload_file(path, key)
        self.state.add_artifact(self.run_id, self.pipeline, "parallel-data", path)
        return self.service.settings.s3_uri(key)

    async def put_parallel_data(self, name: str, s3_uri: str, fmt: str, description: str) -> ParallelDataStatus:
        """Create or update the resource `name` from `s3_uri` and wait until it settles (ACTIVE or
        FAILED: `require_active` says which is an error). Waits for the account's one create/update
        slot first; the outcome is recorded in the run state."""
        service = self.service
        async with service.parallel_data_turn():
            self.check_stop()
            submission = await service.put_parallel_data(name, s3_uri, fmt, description=description)
            status = await service.wait_parallel_data(
                name, on_status=self.on_resource, stop=self.stop,
                watch_update=submission.operation == "update", poll_interval=self.pace.first,
                max_poll_interval=self.pace.maximum, timeout=self.pace.timeout)
        self.check_stop()
        self.state.record_resource(name, self.run_id, self.pipeline, status.status, s3_uri,
                                   status.imported, status.failed, status.skipped)
        return status

    # --- the job ------------------------------------------------------------------------------

    async def upload_inputs(self, folder: Path, prefix: str) -> list[str]:
        """Every file of `folder` under the S3 `prefix` (same keys, same bytes: safe to repeat)."""
        return await self.service.upload_folder(folder, prefix.rstrip("/") + "/")

    async def start_or_attach(self, job_name: str, inputs: JobInputs) -> StartedJob:
        """Start the job, or re-attach to the one this pipeline started before.

        The ClientToken is in the run state before the call: a kill during the call, run again,
        sends the same token, and the service answers with the job it already started. A job
        stopped on request is not re-attached: a new one starts, with a new token.
        """
        state, service = self.state, self.service
        record = state.reserve_job(self.run_id, self.pipeline, job_name)
        if record.job_id and record.status == "STOPPED":  # stopped on request: a new job, new token
            state.forget_job(self.run_id, self.pipeline)
            record = state.reserve_job(self.run_id, self.pipeline, job_name)
        if record.job_id:
            return StartedJob(await service.describe_job(record.job_id), reattached=True)
        self.check_stop()
        start = asyncio.ensure_future(service.start_job(
            input_s3_uri=service.settings.s3_uri(inputs.input_prefix.rstrip("/") + "/"),
            output_s3_uri=service.settings.s3_uri(inputs.output_prefix.rstrip("/") + "/"),
            source_language=inputs.source_lang, target_languages=[inputs.target_lang],
            content_type=inputs.content_type, parallel_data_names=list(inputs.parallel_data),
            job_name=record.job_name, client_token=record.client_token))
        try:
            description = await asyncio.shield(start)
        except asyncio.CancelledError:
            # Cancelled while the start call was out: the job may run, so learn its id and stop it.
            try:
                description = await asyncio.shield(start)
            except Exception:  # the start failed: there is no job to stop
                raise asyncio.CancelledError from None
            state.update_job(self.run_id, self.pipeline, job_id=description.job_id, status=description.status)
            await asyncio.shield(self.stop_job(description.job_id))
            raise
        state.update_job(self.run_id, self.pipeline, job_id=description.job_id, status=description.status)
        return StartedJob(description, reattached=False)

    async def watch(self, job_id: str) -> JobDescription:
        """Wait until the job ends; AmtsError when it ended without output (FAILED, STOPPED).

        Cancelled (the UI's stop, Ctrl-C), it stops the job on the service before it lets the
        cancellation go on: a run nobody waits for must not go on billing (`stop_job`)."""
        try:
            job = await self.service.wait_job(
                job_id, on_status=self._report, stop=self.stop, poll_interval=self.pace.first,
                max_poll_interval=self.pace.maximum, timeout=self.pace.timeout)
        except asyncio.CancelledError:
            # Shielded: the cancellation that brought us here must not cancel the stop call too.
            await asyncio.shield(self.stop_job(job_id))
            raise
        self.check_stop()
        if not job.has_output:
            raise AmtsError(f"translation job {job.job_id} ended {job.status}: "
                            f"{job.message or 'no reason given'}")
        return job

    def _report(self, job: JobDescription) -> None:
        self.state.update_job(self.run_id, self.pipeline, status=job.status,
                              output_uri=job.output_s3_uri, message=job.message)
        if self.on_job is not None:
            self.on_job(job)

    async def stop_job(self, job_id: str, settle_seconds: float = 10.0) -> str:
        """StopTextTranslationJob for the job, recorded in the run state (job STOP_REQUESTED,
        then what it settles to within `settle_seconds`; the pipeline and the run "stopped").
        Never raises: it runs while a cancellation is under way. Returns the last job status."""
        status = "STOP_REQUESTED"
        try:
            await self.service.stop_job(job_id)
            job = await self.service.describe_job(job_id)
            self._report(job)
            status = job.status
            deadline = asyncio.get_running_loop().time() + settle_seconds
            while status == "STOP_REQUESTED" and asyncio.get_running_loop().time() < deadline:
                await asyncio.sleep(min(self.pace.first, 0.5))
                job = await self.service.describe_job(job_id)
                if job.status != status:
                    self._report(job)
                status = job.status
        except Exception as exc:  # the service may be gone (a dying backend): record what we know
            self.state.update_job(self.run_id, self.pipeline, status=status,
                                  message=f"stop requested, not confirmed: {exc}")
        self.state.finish_pipeline(self.run_id, self.pipeline, "stopped", f"job {job_id} {status}",
                                   stage="job")
        self.state.finish_run(self.run_id, "stopped")
        return status

    async def download(self, job: JobDescription, dest: Path) -> JobOutput:
        """The job's translated documents and per-document errors, downloaded under `dest`."""
        return await self.service.download_job_output(job, dest)
