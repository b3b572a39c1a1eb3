"""Download a finished batch job: locate its output folder, fetch files and details, map back."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from amts.engine.atomic import write_bytes_atomic
from amts.engine.client import s3io
from amts.engine.client.job_output import (
    DocumentError,
    JobOutput,
    details_language,
    document_errors,
    is_job_folder,
    map_output_key,
    parse_details,
    parse_s3_uri,
)
from amts.engine.client.jobstate import JobDescription
from amts.engine.client.s3io import AioClient
from amts.engine.errors import AmtsError
from amts.engine.safe_paths import safe_destination


async def find_job_folder(client: AioClient, job: JobDescription) -> tuple[str, str]:
    """``(bucket, folder prefix)`` of the job's output: Describe already names it on AWS,
    otherwise it is the one ``<AccountId>-TranslateText-<JobId>/`` under the output prefix."""
    if not job.output_s3_uri:
        raise AmtsError(f"translation job {job.job_id} has no output location")
    bucket, prefix = parse_s3_uri(job.output_s3_uri)
    if is_job_folder(prefix, job.job_id):
        return bucket, s3io.folder_prefix(prefix)
    folders = [f for f in await s3io.list_folders(client, bucket, prefix)
               if is_job_folder(f, job.job_id)]
    if len(folders) != 1:
        found = "no" if not folders else f"{len(folders)}"
        raise AmtsError(
            f"translation job {job.job_id} ({job.status}): found {found} output folder "
            f"*-TranslateText-{job.job_id}/ under {job.output_s3_uri}"
        )
    return bucket, folders[0]


async def _input_paths(client: AioClient, job: JobDescription) -> list[str]:
    if not job.input_s3_uri:
        return []
    bucket, prefix = parse_s3_uri(job.input_s3_uri)
    prefix = s3io.folder_prefix(prefix)
    return [o.key[len(prefix):] for o in await s3io.list_prefix(client, bucket, prefix)
            if not o.key.endswith("/")]


async def download_job_output(
    client: AioClient, job: JobDescription, dest_dir: Path, *, gate: asyncio.Semaphore
) -> JobOutput:
    """Download ``job``'s translations to ``dest_dir/<lang>/<input path>`` and read its details."""
    if job.status == "FAILED":
        raise AmtsError(f"translation job {job.job_id} failed: {job.message or 'no reason given'}")
    if not job.is_terminal:
        raise AmtsError(f"translation job {job.job_id} is still {job.status}: wait for it first")
    bucket, folder = await find_job_folder(client, job)
    inputs = await _input_paths(client, job)
    details: dict[str, dict[str, Any]] = {}
    errors: list[DocumentError] = []
    plan: list[tuple[str, str, str, Path]] = []  # (key, language, input path, local path)
    for obj in await s3io.list_prefix(client, bucket, folder):
        relative = obj.key[len(folder):]
        language = details_language(relative)
        if language is not None:
            parsed = parse_details(await s3io.read_object(client, bucket, obj.key), obj.key)
            details[language] = parsed
            errors.extend(document_errors(language, parsed))
            target = safe_destination(dest_dir, relative)
            await asyncio.to_thread(write_bytes_atomic, target,
                                    json.dumps(parsed, ensure_ascii=False, indent=1).encode())
            continue
        mapped = map_output_key(relative, inputs, job.target_languages)
        if mapped is None:
            continue  # not a translation (e.g. a marker object); nothing to map it to
        language, input_path = mapped
        target = safe_destination(dest_dir, f"{language}/{input_path}")
        plan.append((obj.key, language, input_path, target))

    async def one(key: str, target: Path) -> None:
        async with gate:
            data = await s3io.read_object(client, bucket, key)
            await asyncio.to_thread(write_bytes_atomic, target, data)

    try:
        async with asyncio.TaskGroup() as group:
            for key, _, _, target in plan:
                group.create_task(one(key, target))
    except* AmtsError as failures:
        raise failures.exceptions[0] from None
    except* OSError as failures:
        raise AmtsError(f"cannot write job output: {failures.exceptions[0]}") from None

    by_language: dict[str, dict[str, Path]] = {lang: {} for lang in job.target_languages}
    for _, language, input_path, target in plan:
        by_language.setdefault(language, {})[input_path] = target
    first = job.target_languages[0] if job.target_languages else next(iter(by_language), None)
    return JobOutput(
        job_id=job.job_id,
        output_prefix=f"s3://{bucket}/{folder}",
        files=dict(sorted(by_language.get(first, {}).items())) if first else {},
        errors=errors,
        details=details,
        files_by_language={k: dict(sorted(v.items())) for k, v in by_language.items()},
    )
