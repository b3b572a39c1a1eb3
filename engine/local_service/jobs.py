"""Batch translation job operations: Start (idempotent on ClientToken), Describe, List, Stop.

The work itself runs in engine/backends/local/job_runner.py. Jobs persist in the work
directory; after a restart, SUBMITTED and IN_PROGRESS jobs run again from the start (outputs
are rewritten, so nothing is duplicated) and STOP_REQUESTED jobs become STOPPED.
"""

from __future__ import annotations

import functools
import uuid
from typing import Any

from amts.engine.local_service.context import LocalContext
from amts.engine.local_service.job_runner import run_job
from amts.engine.local_service.languages import check_language_codes
from amts.engine.local_service.protocol import (
    ServiceError,
    invalid_parameter,
    invalid_request,
    not_found,
    now,
)
from amts.engine.local_service.resources import PARALLEL_DATA, page, public, split_s3_uri, terminology

JOB = "job"
CLIENT_TOKEN = "client-token"
SUPPORTED_CONTENT_TYPES = ("text/html", "text/plain")
MAX_TARGET_LANGUAGES = 10
UNFINISHED = ("SUBMITTED", "IN_PROGRESS")


def start_text_translation_job(ctx: LocalContext, params: dict[str, Any]) -> dict[str, Any]:
    token = params["ClientToken"]
    _check_job_limits(params)
    with ctx.store.lock:
        known = ctx.store.get(CLIENT_TOKEN, token)
        if known is not None:
            job = ctx.store.get(JOB, known["JobId"])
            if job is not None:
                return {"JobId": job["JobId"], "JobStatus": job["JobStatus"]}
        _check_job_request(ctx, params)
        job_id = uuid.uuid4().hex
        output = params["OutputDataConfig"]["S3Uri"].rstrip("/")
        folder = f"{ctx.account_id}-TranslateText-{job_id}/"
        record = {
            "JobId": job_id,
            "JobName": params.get("JobName"),
            "JobStatus": "SUBMITTED",
            "JobDetails": {
                "TranslatedDocumentsCount": 0,
                "DocumentsWithErrorsCount": 0,
                "InputDocumentsCount": 0,
            },
            "SourceLanguageCode": params["SourceLanguageCode"],
            "TargetLanguageCodes": params["TargetLanguageCodes"],
            "TerminologyNames": params.get("TerminologyNames", []),
            "ParallelDataNames": params.get("ParallelDataNames", []),
            "SubmittedTime": now().timestamp(),
            "InputDataConfig": params["InputDataConfig"],
            "OutputDataConfig": {**params["OutputDataConfig"], "S3Uri": f"{output}/{folder}"},
            "DataAccessRoleArn": params["DataAccessRoleArn"],
            "Settings": params.get("Settings"),
            "_clientToken": token,
        }
        ctx.store.put(JOB, job_id, {k: v for k, v in record.items() if v is not None})
        ctx.store.put(CLIENT_TOKEN, token, {"JobId": job_id})
    ctx.spawn(lambda: run_job(ctx, job_id), f"amts-job-{job_id}")
    return {"JobId": job_id, "JobStatus": "SUBMITTED"}


def _check_job_limits(params: dict[str, Any]) -> None:
    """What AWS refuses whatever its state: content type, URIs, languages, documented limits."""
    content_type = params["InputDataConfig"]["ContentType"]
    if content_type not in SUPPORTED_CONTENT_TYPES:
        raise invalid_request(
            f"the local backend translates {' and '.join(SUPPORTED_CONTENT_TYPES)} only, "
            f"not {content_type}"
        )
    split_s3_uri(params["InputDataConfig"]["S3Uri"], "InputDataConfig.S3Uri")
    split_s3_uri(params["OutputDataConfig"]["S3Uri"], "OutputDataConfig.S3Uri")
    source = params["SourceLanguageCode"]
    targets = params["TargetLanguageCodes"]
    # Limits the model does not carry (amazon-translate.md §2): they hold on AWS all the same.
    if len(targets) > MAX_TARGET_LANGUAGES:
        raise invalid_parameter(f"a job takes at most {MAX_TARGET_LANGUAGES} target languages, "
                                f"not {len(targets)}")
    for field in ("ParallelDataNames", "TerminologyNames"):
        if len(params.get(field, [])) > 1:
            raise invalid_parameter(f"a job takes at most one resource in {field}")
    if (params.get("Settings") or {}).get("Brevity"):
        raise invalid_parameter("Brevity is a TranslateText setting; batch jobs do not take it")
    check_language_codes(source, targets)
    if source in targets:
        raise ServiceError(
            "UnsupportedLanguagePairException", f"source and target language are both {source}"
        )


def _check_job_request(ctx: LocalContext, params: dict[str, Any]) -> None:
    """What depends on the endpoint's state: the named resources exist and fit the job."""
    source = params["SourceLanguageCode"]
    targets = params["TargetLanguageCodes"]
    for name in params.get("TerminologyNames", []):
        terminology(ctx, name)
    for name in params.get("ParallelDataNames", []):
        resource = ctx.store.get(PARALLEL_DATA, name)
        if resource is None:
            raise not_found(f"parallel data {name!r} does not exist")
        if resource["Status"] != "ACTIVE":
            raise invalid_request(f"parallel data {name!r} is {resource['Status']}, not ACTIVE")
        if source not in ("auto", resource["SourceLanguageCode"]):
            raise invalid_request(
                f"parallel data {name!r} has source language {resource['SourceLanguageCode']}, "
                f"the job {source}"
            )
        missing = [t for t in targets if t not in resource["TargetLanguageCodes"]]
        if missing:
            raise invalid_request(
                f"parallel data {name!r} does not cover target language(s) {', '.join(missing)}"
            )


def _job(ctx: LocalContext, job_id: str) -> dict[str, Any]:
    record = ctx.store.get(JOB, job_id)
    if record is None:
        raise not_found(f"job {job_id!r} does not exist")
    return record


def describe_text_translation_job(ctx: LocalContext, params: dict[str, Any]) -> dict[str, Any]:
    return {"TextTranslationJobProperties": public(_job(ctx, params["JobId"]))}


def list_text_translation_jobs(ctx: LocalContext, params: dict[str, Any]) -> dict[str, Any]:
    criteria = {key: value for key, value in (params.get("Filter") or {}).items() if value}
    if len(criteria) > 1:
        raise ServiceError(
            "InvalidFilterException", "the filter takes one criterion: " + ", ".join(criteria)
        )
    jobs = [public(job) for job in ctx.store.all(JOB)]
    newest_first = True
    if "JobName" in criteria:
        jobs = [job for job in jobs if job.get("JobName") == criteria["JobName"]]
    elif "JobStatus" in criteria:
        jobs = [job for job in jobs if job["JobStatus"] == criteria["JobStatus"]]
    elif "SubmittedBeforeTime" in criteria:
        before = criteria["SubmittedBeforeTime"].timestamp()
        jobs = [job for job in jobs if job["SubmittedTime"] < before]
        newest_first = False
    elif "SubmittedAfterTime" in criteria:
        after = criteria["SubmittedAfterTime"].timestamp()
        jobs = [job for job in jobs if job["SubmittedTime"] > after]
    jobs.sort(key=lambda job: job["SubmittedTime"], reverse=newest_first)
    items, token = page(jobs, params)
    return {"TextTranslationJobPropertiesList": items, "NextToken": token}


def stop_text_translation_job(ctx: LocalContext, params: dict[str, Any]) -> dict[str, Any]:
    with ctx.store.lock:
        job = _job(ctx, params["JobId"])
        if job["JobStatus"] in UNFINISHED:
            job = ctx.store.update(JOB, job["JobId"], JobStatus="STOP_REQUESTED")
    return {"JobId": job["JobId"], "JobStatus": job["JobStatus"]}


def resume_unfinished_jobs(ctx: LocalContext) -> None:
    """After a restart: run unfinished jobs again, settle jobs that were being stopped."""
    for job in ctx.store.all(JOB):
        if job["JobStatus"] in UNFINISHED:
            job_id = job["JobId"]
            ctx.spawn(functools.partial(run_job, ctx, job_id), f"amts-job-{job_id}")
        elif job["JobStatus"] == "STOP_REQUESTED":
            ctx.store.update(JOB, job["JobId"], JobStatus="STOPPED", EndTime=now().timestamp())
