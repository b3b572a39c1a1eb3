"""The one client layer: S3 and Amazon Translate on aiobotocore, for AWS and the local endpoints.

``async with open_service(settings) as service:`` holds one S3 client and one Translate client;
the only difference between AWS and the local backend is the endpoint URLs and credentials in
``settings``. Every failure leaves as an AmtsError with a message a maintainer can act on.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from aiobotocore.config import AioConfig
from aiobotocore.session import AioSession
from botocore import exceptions as bx

from amts.engine.client import job_download, job_output, s3io
from amts.engine.client.jobstate import (
    JobDescription,
    ParallelDataStatus,
    parallel_data_status,
    parse_job,
    retry_delay,
    update_allowed,
)
from amts.engine.client.polling import StatusCallback, poll_until_settled
from amts.engine.client.s3io import AioClient
from amts.engine.client.service_errors import (
    RETRY_ALSO,
    call_with_retries,
    error_code,
    to_amts_error,
)
from amts.engine.client.settings import BackendSettings, BackendSettingsError, aws_region
from amts.engine.client.text_chunks import split_edges, split_for_translation
from amts.engine.errors import AmtsError

# The local endpoints accept any key; these only make botocore sign requests.
_LOCAL_CREDENTIALS = {"aws_access_key_id": "amts-local", "aws_secret_access_key": "amts-local"}


def new_client_token() -> str:
    """A fresh idempotency token (store it before the call to make retries safe across restarts)."""
    return str(uuid.uuid4())


@dataclass(frozen=True)
class ParallelDataSubmission:
    """A create or update request that Amazon Translate accepted; wait on it for the outcome."""

    name: str
    operation: str  # "create" or "update"
    status: str
    client_token: str


@dataclass(frozen=True)
class TerminologyInfo:
    """An imported custom terminology."""

    name: str
    term_count: int
    source_language: str | None
    target_languages: tuple[str, ...]


class TranslateService:
    """S3 and Amazon Translate operations for one backend; made by ``open_service``.

    One limit holds for everything this client sends at once: ``settings.max_concurrency``
    transfers and TranslateText calls share one semaphore, whoever the callers are. Parallel-data
    creates and updates take turns (``parallel_data_turn``): Amazon Translate runs one at a time
    per account, so a second import waits here instead of failing with ConcurrentModification.
    """

    def __init__(self, settings: BackendSettings, s3_client: AioClient, translate_client: AioClient):
        self.settings = settings
        self._s3 = s3_client
        self._translate = translate_client
        self._gate = asyncio.Semaphore(settings.max_concurrency)
        self._parallel_data_lock = asyncio.Lock()

    @asynccontextmanager
    async def parallel_data_turn(self) -> AsyncIterator[None]:
        """Hold the account's one parallel-data create/update slot: put, then wait it out, inside."""
        async with self._parallel_data_lock:
            yield

    def __repr__(self) -> str:
        s = self.settings
        return f"TranslateService(kind={s.kind!r}, region={s.region!r}, bucket={s.bucket!r})"

    # --- S3 -------------------------------------------------------------------------------------

    async def ensure_bucket(self) -> bool:
        """Create the settings' bucket unless it exists (the local backend starts empty; on AWS a
        bucket is the account owner's to create, with its region and policies: refused)."""
        if self.settings.kind != "local":
            raise AmtsError(f"AMTS never creates S3 buckets on AWS: create {self.settings.bucket!r} in "
                            f"{self.settings.region}, or set the bucket to one you own")
        return await s3io.ensure_bucket(self._s3, self.settings.bucket, self.settings.region)

    async def prepare_bucket(self) -> None:
        """Make the bucket ready before any billed call: the local backend's is created; on AWS
        a bucket is never created, only checked to exist in Amazon Translate's region (a job's
        S3 URIs must be in the endpoint's region: amazon-translate.md §1)."""
        if self.settings.kind == "local":
            await self.ensure_bucket()
            return
        bucket, region = self.settings.bucket, self.settings.region
        located = await s3io.bucket_region(self._s3, bucket)
        if located != region:
            raise AmtsError(f"the S3 bucket {bucket!r} is in region {located}, but Amazon Translate is used "
                            f"in {region}: they must be the same region. Set the region to {located}, or "
                            f"name a bucket in {region}")

    async def upload_file(self, path: Path, key: str, content_type: str | None = None) -> str:
        """Upload one file to ``key`` in the bucket; returns the key."""
        return await s3io.upload_file(self._s3, self.settings.bucket, path, key, content_type)

    async def upload_bytes(self, data: bytes, key: str, content_type: str = "text/plain") -> str:
        """Upload bytes to ``key`` in the bucket; returns the key."""
        return await s3io.upload_bytes(self._s3, self.settings.bucket, key, data, content_type)

    async def upload_folder(self, local_dir: Path, prefix: str) -> list[str]:
        """Upload every file below ``local_dir`` under ``prefix`` (bounded concurrency)."""
        return await s3io.upload_folder(self._s3, self.settings.bucket, local_dir, prefix,
                                        gate=self._gate)

    async def list_prefix(self, prefix: str) -> list[s3io.S3Object]:
        """Objects of the bucket under ``prefix``, in key order."""
        return await s3io.list_prefix(self._s3, self.settings.bucket, prefix)

    async def read_object(self, key: str) -> bytes:
        """The content of one object of the bucket."""
        return await s3io.read_object(self._s3, self.settings.bucket, key)

    async def download_prefix(self, prefix: str, dest_dir: Path) -> dict[str, Path]:
        """Download ``prefix`` into ``dest_dir``; hostile keys are refused (AmtsError)."""
        return await s3io.download_prefix(self._s3, self.settings.bucket, prefix, dest_dir,
                                          gate=self._gate)

    # --- calling Translate ----------------------------------------------------------------------

    async def _call(
        self, action: str, operation: str, request: Mapping[str, Any], *,
        resource: str | None = None, retry_codes: frozenset[str] = RETRY_ALSO,
    ) -> dict[str, Any]:
        method = getattr(self._translate, operation)
        try:
            return await call_with_retries(lambda: method(**request),
                                           attempts=self.settings.max_attempts,
                                           retry_codes=retry_codes)
        except (bx.BotoCoreError, bx.ClientError) as exc:
            raise to_amts_error(exc, action, resource=resource,
                                region=self.settings.region) from exc

    # --- parallel data --------------------------------------------------------------------------

    async def get_parallel_data(
        self, name: str, watch_update: bool | None = None
    ) -> ParallelDataStatus | None:
        """The status of a parallel data resource, or None when there is none of that name."""
        props = await self._parallel_data_properties(name)
        return None if props is None else parallel_data_status(props, watch_update)

    async def _parallel_data_properties(self, name: str) -> dict[str, Any] | None:
        try:
            response = await self._translate.get_parallel_data(Name=name)
        except bx.ClientError as exc:
            if error_code(exc) == "ResourceNotFoundException":
                return None
            raise to_amts_error(exc, f"reading parallel data {name!r}", resource=name) from exc
        except bx.BotoCoreError as exc:
            raise to_amts_error(exc, f"reading parallel data {name!r}", resource=name) from exc
        return response["ParallelDataProperties"]

    async def put_parallel_data(
        self, name: str, s3_uri: str, fmt: str = "CSV", description: str | None = None, *,
        client_token: str | None = None, settle_timeout: float = 3600.0,
    ) -> ParallelDataSubmission:
        """CreateParallelData, or UpdateParallelData when ``name`` exists.

        An update must wait for a running create/update to settle, so that happens first.
        Conflicts (including a create racing another) are retried with the same ClientToken.
        """
        token = client_token or new_client_token()
        request: dict[str, Any] = {
            "Name": name, "ParallelDataConfig": {"S3Uri": s3_uri, "Format": fmt.upper()},
            "ClientToken": token,
        }
        if description:
            request["Description"] = description
        action = f"putting parallel data {name!r} from {s3_uri}"
        attempts = self.settings.max_attempts
        for attempt in range(1, attempts + 1):
            props = await self._parallel_data_properties(name)
            try:
                if props is None:
                    created = await self._translate.create_parallel_data(**request)
                    return ParallelDataSubmission(name, "create", created["Status"], token)
                if props.get("Status") == "DELETING":
                    raise AmtsError(f"{action}: the resource is being deleted; try again later")
                if not update_allowed(props):
                    await self.wait_parallel_data(name, timeout=settle_timeout)
                    continue
                updated = await self._translate.update_parallel_data(**request)
                return ParallelDataSubmission(
                    name, "update",
                    updated.get("LatestUpdateAttemptStatus") or updated.get("Status", "UPDATING"),
                    token,
                )
            except bx.ClientError as exc:
                # Conflict: created meanwhile (the next round updates) or transient; either way
                # look again. ConcurrentModification: another create/update is still running.
                if error_code(exc) in RETRY_ALSO and attempt < attempts:
                    await asyncio.sleep(random.uniform(0, retry_delay(attempt)))
                    continue
                raise to_amts_error(exc, action, resource=name) from exc
            except bx.BotoCoreError as exc:
                raise to_amts_error(exc, action, resource=name) from exc
        raise AmtsError(f"{action}: the resource stayed busy through {attempts} attempts")

    async def wait_parallel_data(
        self, name: str, *, on_status: StatusCallback | None = None, timeout: float | None = None,
        stop: asyncio.Event | None = None, watch_update: bool | None = None,
        poll_interval: float = 1.0, max_poll_interval: float = 30.0,
    ) -> ParallelDataStatus:
        """Poll GetParallelData until ACTIVE or FAILED (the update attempt's, when updating)."""

        async def fetch() -> ParallelDataStatus:
            status = await self.get_parallel_data(name, watch_update)
            if status is None:
                raise AmtsError(f"parallel data {name!r} does not exist (deleted meanwhile?)")
            return status

        return await poll_until_settled(
            fetch, is_settled=lambda s: s.is_settled,
            progress_key=lambda s: s.status, what=f"parallel data {name!r}",
            on_status=on_status, poll_interval=poll_interval,
            max_poll_interval=max_poll_interval, timeout=timeout, stop=stop,
        )

    async def delete_parallel_data(self, name: str) -> str:
        """DeleteParallelData; returns the status (DELETING)."""
        response = await self._call(f"deleting parallel data {name!r}", "delete_parallel_data",
                                    {"Name": name}, resource=name)
        return response.get("Status", "DELETING")

    # --- batch jobs -----------------------------------------------------------------------------

    async def start_job(
        self, *, input_s3_uri: str, output_s3_uri: str, source_language: str,
        target_languages: Iterable[str], content_type: str = "text/html",
        parallel_data_names: Iterable[str] = (), terminology_names: Iterable[str] = (),
        job_name: str | None = None, job_settings: Mapping[str, str] | None = None,
        client_token: str | None = None, role_arn: str | None = None,
    ) -> JobDescription:
        """StartTextTranslationJob; the same ``client_token`` never starts a second job."""
        targets = tuple(target_languages)
        request: dict[str, Any] = {
            "InputDataConfig": {"S3Uri": input_s3_uri, "ContentType": content_type},
            "OutputDataConfig": {"S3Uri": output_s3_uri},
            "DataAccessRoleArn": role_arn or self.settings.role_arn,
            "SourceLanguageCode": source_language,
            "TargetLanguageCodes": list(targets),
            "ClientToken": client_token or new_client_token(),
        }
        if job_name:
            request["JobName"] = job_name
        if parallel_data_names := list(parallel_data_names):
            request["ParallelDataNames"] = parallel_data_names
        if terminology_names := list(terminology_names):
            request["TerminologyNames"] = terminology_names
        if job_settings:
            request["Settings"] = dict(job_settings)
        response = await self._call(f"starting translation job {job_name or ''}".rstrip(),
                                    "start_text_translation_job", request)
        return JobDescription(
            job_id=response["JobId"], status=response.get("JobStatus", "SUBMITTED"),
            job_name=job_name, source_language=source_language, target_languages=targets,
            input_s3_uri=input_s3_uri, content_type=content_type, output_s3_uri=output_s3_uri,
            parallel_data_names=tuple(parallel_data_names),
            terminology_names=tuple(terminology_names),
        )

    async def describe_job(self, job_id: str) -> JobDescription:
        """DescribeTextTranslationJob, flattened."""
        response = await self._call(f"reading translation job {job_id}",
                                    "describe_text_translation_job", {"JobId": job_id},
                                    resource=job_id)
        return parse_job(response["TextTranslationJobProperties"])

    async def list_jobs(
        self, *, status: str | None = None, job_name: str | None = None,
        submitted_after: datetime | None = None, submitted_before: datetime | None = None,
    ) -> list[JobDescription]:
        """ListTextTranslationJobs, all pages; the service filters on one criterion at most."""
        criteria = {"JobStatus": status, "JobName": job_name,
                    "SubmittedAfterTime": submitted_after, "SubmittedBeforeTime": submitted_before}
        criteria = {k: v for k, v in criteria.items() if v is not None}
        if len(criteria) > 1:
            raise AmtsError("listing translation jobs: filter on one criterion at a time "
                            f"(got {', '.join(criteria)})")
        jobs: list[JobDescription] = []
        request: dict[str, Any] = {"MaxResults": 100}
        if criteria:
            request["Filter"] = criteria
        while True:
            page = await self._call("listing translation jobs", "list_text_translation_jobs",
                                    request)
            jobs.extend(parse_job(p) for p in page.get("TextTranslationJobPropertiesList", ()))
            if not page.get("NextToken"):
                return jobs
            request = {**request, "NextToken": page["NextToken"]}

    async def stop_job(self, job_id: str) -> str:
        """StopTextTranslationJob; returns the new status (STOP_REQUESTED, or terminal)."""
        response = await self._call(f"stopping translation job {job_id}",
                                    "stop_text_translation_job", {"JobId": job_id},
                                    resource=job_id)
        return response.get("JobStatus", "STOP_REQUESTED")

    async def wait_job(
        self, job_id: str, *, on_status: StatusCallback | None = None,
        poll_interval: float = 5.0, max_poll_interval: float = 60.0,
        timeout: float | None = None, stop: asyncio.Event | None = None,
    ) -> JobDescription:
        """Poll DescribeTextTranslationJob until a terminal status (or ``stop``/``timeout``)."""
        return await poll_until_settled(
            lambda: self.describe_job(job_id), is_settled=lambda j: j.is_terminal,
            progress_key=lambda j: (j.status, j.translated_documents, j.documents_with_errors),
            what=f"translation job {job_id}", on_status=on_status, poll_interval=poll_interval,
            max_poll_interval=max_poll_interval, timeout=timeout, stop=stop,
        )

    async def download_job_output(
        self, job: JobDescription | str, dest_dir: Path
    ) -> job_output.JobOutput:
        """Download a finished job into ``dest_dir/<lang>/<input relative path>``.

        Also reads ``details/<lang>.auxiliary-translation-details.json`` (saved under
        ``dest_dir/details/``) for per-document errors.
        """
        if isinstance(job, str) or not job.target_languages or job.status == "SUBMITTED":
            job = await self.describe_job(job if isinstance(job, str) else job.job_id)
        return await job_download.download_job_output(self._s3, job, Path(dest_dir), gate=self._gate)

    # --- real time and terminology --------------------------------------------------------------

    async def translate_text(
        self, text: str, source_language: str, target_language: str,
        terminology: str | None = None,
    ) -> str:
        """TranslateText, split under its 10,000-byte limit and joined back in order; callers may
        send many at once, the client's one limit paces them."""

        async def one(piece: str) -> str:
            lead, content, trail = split_edges(piece)
            if not content:
                return piece
            request: dict[str, Any] = {"Text": content, "SourceLanguageCode": source_language,
                                       "TargetLanguageCode": target_language}
            if terminology:
                request["TerminologyNames"] = [terminology]
            async with self._gate:
                response = await self._call(
                    f"translating text {source_language}→{target_language}",
                    "translate_text", request, resource=terminology)
            return lead + response["TranslatedText"] + trail

        pieces = await asyncio.gather(*(one(p) for p in split_for_translation(text)))
        return "".join(pieces)

    async def import_terminology(
        self, name: str, csv_bytes: bytes, description: str | None = None,
        directionality: str = "UNI",
    ) -> TerminologyInfo:
        """ImportTerminology from CSV (header row of language codes), replacing any older one."""
        request: dict[str, Any] = {
            "Name": name, "MergeStrategy": "OVERWRITE",
            "TerminologyData": {"File": csv_bytes, "Format": "CSV",
                                "Directionality": directionality},
        }
        if description:
            request["Description"] = description
        response = await self._call(f"importing terminology {name!r}", "import_terminology",
                                    request, resource=name)
        props = response.get("TerminologyProperties", {})
        return TerminologyInfo(
            name=props.get("Name", name), term_count=int(props.get("TermCount") or 0),
            source_language=props.get("SourceLanguageCode"),
            target_languages=tuple(props.get("TargetLanguageCodes") or ()),
        )


@asynccontextmanager
async def open_service(settings: BackendSettings) -> AsyncIterator[TranslateService]:
    """Open the S3 and Translate clients for ``settings``; closes them on exit."""
    if settings.is_embedded:
        raise AmtsError("the local backend needs both endpoint URLs (S3 and Translate): "
                        "start it first (amts-tui serve-local) or let the app start it")
    # AWS: the standard chain (profile, environment, SSO, instance role). Local: dummy keys, and
    # no profile at all, so that an AWS_PROFILE meant for AWS cannot break the local backend.
    if settings.kind == "aws":
        session = AioSession(profile=settings.profile)
        try:
            settings = settings.with_region(aws_region(settings))
        except BackendSettingsError as exc:
            raise AmtsError(f"backend.{exc.setting}: {exc.message}") from None
    else:
        session = AioSession(session_vars={"profile": (None, None, None, None)})
    credentials = _LOCAL_CREDENTIALS if settings.kind == "local" else {}
    config = AioConfig(
        retries={"mode": "standard", "max_attempts": settings.max_attempts},
        max_pool_connections=max(10, settings.max_concurrency * 2),
        connect_timeout=10, read_timeout=120,
        # Path-style addressing: a bucket cannot be a subdomain of 127.0.0.1.
        s3={"addressing_style": "path"} if settings.s3_endpoint_url else None,
    )
    async with AsyncExitStack() as stack:
        try:
            s3_client = await stack.enter_async_context(session.create_client(
                "s3", region_name=settings.region, endpoint_url=settings.s3_endpoint_url,
                config=config, **credentials))
            translate_client = await stack.enter_async_context(session.create_client(
                "translate", region_name=settings.region,
                endpoint_url=settings.translate_endpoint_url, config=config, **credentials))
        except bx.BotoCoreError as exc:
            raise to_amts_error(exc, f"opening the {settings.kind} backend") from exc
        yield TranslateService(settings, s3_client, translate_client)
