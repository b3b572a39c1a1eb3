"""The background work of one batch job: read every input object, translate it from the job's
parallel data, write Amazon Translate's output layout and details JSON, move the job's state.

Output: `<OutputS3Uri>/<AccountId>-TranslateText-<JobId>/<tgt>.<key relative to the input
prefix>` and `details/<tgt>.auxiliary-translation-details.json` with Amazon's fields plus, from
this endpoint, per-document `auxiliaryData` counts (translatedSegments, untranslatedSegments,
exactMatches, fuzzyMatches, untranslatedBlocks), totals `translatedSegments` and
`untranslatedSegments`, and for each failed document an entry
`{"sourceFile", "errorCode", "errorMessage"}`.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from amts.engine.local_service.context import LocalContext
from amts.engine.local_service.protocol import now
from amts.engine.local_service.resources import PARALLEL_DATA, split_s3_uri
from amts.engine.local_service.translator import DocumentTranslation, translate_document
from amts.engine.paralleldata.memory import TranslationMemory

JOB = "job"
MAX_DOCUMENT_CHARACTERS = 1_000_000


class JobFailure(Exception):
    """The job as a whole fails with this message."""


def run_job(ctx: LocalContext, job_id: str) -> None:
    """Take a job from SUBMITTED to a final state (returns early when the endpoint stops)."""
    if not ctx.sleep():
        return
    with ctx.store.lock:
        job = ctx.store.get(JOB, job_id)
        if job is None or _settle_stop(ctx, job):
            return
        job = ctx.store.update(JOB, job_id, JobStatus="IN_PROGRESS")
    try:
        if ctx.faults.job_fails(job.get("JobName", "")):
            ctx.sleep()
            raise JobFailure(ctx.faults.fail_job_message)
        _translate_documents(ctx, job)
    except JobFailure as exc:
        _finish(ctx, job_id, "FAILED", str(exc))
    except Exception as exc:  # a bug or an S3 error must fail the job, not hang it
        _finish(ctx, job_id, "FAILED", f"internal error of the local backend: {exc}")


def _settle_stop(ctx: LocalContext, job: dict[str, Any]) -> bool:
    if job["JobStatus"] == "STOP_REQUESTED":
        ctx.store.update(JOB, job["JobId"], JobStatus="STOPPED", EndTime=now().timestamp())
        return True
    return job["JobStatus"] not in ("SUBMITTED", "IN_PROGRESS")


def _finish(ctx: LocalContext, job_id: str, status: str, message: str | None = None) -> None:
    with ctx.store.lock:
        job = ctx.store.get(JOB, job_id)
        if job is None:
            return
        if job["JobStatus"] == "STOP_REQUESTED" and status != "FAILED":
            status = "STOPPED"
        ctx.store.update(JOB, job_id, JobStatus=status, Message=message, EndTime=now().timestamp())


def _memories(ctx: LocalContext, job: dict[str, Any]) -> dict[str, TranslationMemory]:
    names = job.get("ParallelDataNames") or []
    if not names:
        return {}
    resource = ctx.store.get(PARALLEL_DATA, names[0])
    if resource is None or not resource.get("_dataFile"):
        raise JobFailure(f"parallel data {names[0]!r} no longer exists")
    return ctx.memories(resource["_dataFile"])


def _list_documents(ctx: LocalContext, bucket: str, prefix: str) -> list[str]:
    s3 = ctx.s3()
    keys: list[str] = []
    try:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            keys += [item["Key"] for item in page.get("Contents", [])]
    except s3.exceptions.NoSuchBucket:
        raise JobFailure(f"the input bucket {bucket!r} does not exist") from None
    return [key for key in keys if not key.endswith("/")]


def _translate_documents(ctx: LocalContext, job: dict[str, Any]) -> None:
    job_id = job["JobId"]
    input_uri = job["InputDataConfig"]["S3Uri"]
    content_type = job["InputDataConfig"]["ContentType"]
    in_bucket, prefix = split_s3_uri(input_uri, "InputDataConfig.S3Uri")
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    out_uri = job["OutputDataConfig"]["S3Uri"]
    out_bucket, out_prefix = split_s3_uri(out_uri, "OutputDataConfig.S3Uri")
    keys = _list_documents(ctx, in_bucket, prefix)
    if not keys:
        raise JobFailure(f"no input documents found under {input_uri}")
    memories = _memories(ctx, job)
    targets = job["TargetLanguageCodes"]
    ctx.store.update(JOB, job_id, JobDetails=_job_details(0, 0, len(keys)))
    if not ctx.sleep():
        return
    s3 = ctx.s3()
    details = {target: _Details(target) for target in targets}
    translated = failed = 0
    for key in keys:
        if ctx.stopping.is_set():
            return  # left IN_PROGRESS: it runs again when the endpoint restarts
        current = ctx.store.get(JOB, job_id)
        if current is None or current["JobStatus"] == "STOP_REQUESTED":
            break
        relative = key[len(prefix):]
        error = None
        try:
            body = s3.get_object(Bucket=in_bucket, Key=key)["Body"].read()
            document = _document_text(body, ctx, relative)
            for target in targets:
                result = translate_document(document, content_type, memories.get(target), target)
                result = replace(result, text=ctx.faults.respace_spans(result.text))
                target_key = f"{out_prefix}{target}.{relative}"
                if not ctx.faults.document_lost(relative):
                    s3.put_object(
                        Bucket=out_bucket, Key=target_key, Body=result.text.encode("utf-8"),
                        ContentType=content_type,
                    )
                details[target].add(relative, f"{target}.{relative}", result)
        except _DocumentError as exc:
            error = exc
        except s3.exceptions.NoSuchBucket:
            raise JobFailure(f"the output bucket {out_bucket!r} does not exist") from None
        if error is None:
            translated += 1
        else:
            failed += 1
            for target in targets:
                details[target].fail(relative, error)
        ctx.store.update(JOB, job_id, JobDetails=_job_details(translated, failed, len(keys)))
    source = job["SourceLanguageCode"]
    for target, detail in details.items():
        body = detail.to_json(source, input_uri, out_uri)
        s3.put_object(
            Bucket=out_bucket,
            Key=f"{out_prefix}details/{target}.auxiliary-translation-details.json",
            Body=json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8"),
            ContentType="application/json",
        )
    if failed:
        _finish(ctx, job_id, "COMPLETED_WITH_ERROR",
                f"{failed} of {len(keys)} documents failed: see the details JSON")
    else:
        _finish(ctx, job_id, "COMPLETED")


def _job_details(translated: int, failed: int, total: int) -> dict[str, int]:
    return {
        "TranslatedDocumentsCount": translated,
        "DocumentsWithErrorsCount": failed,
        "InputDocumentsCount": total,
    }


class _DocumentError(Exception):
    def __init__(self, code: str, message: str, customer: bool):
        super().__init__(message)
        self.code = code
        self.message = message
        self.customer = customer


def _document_text(body: bytes, ctx: LocalContext, relative: str) -> str:
    if ctx.faults.document_fails(relative):
        raise _DocumentError(
            "InternalServerException", f"Injected failure: {relative} could not be translated",
            customer=False,
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _DocumentError(
            "InvalidEncodingException", f"{relative} is not UTF-8 (byte {exc.start})", customer=True
        ) from None
    if len(text) > MAX_DOCUMENT_CHARACTERS:
        raise _DocumentError(
            "DocumentTooLargeException",
            f"{relative} has {len(text)} characters, more than {MAX_DOCUMENT_CHARACTERS}",
            customer=True,
        )
    return text


class _Details:
    """The details JSON of one target language, accumulated document by document."""

    def __init__(self, target: str):
        self.target = target
        self.entries: list[dict[str, Any]] = []
        self.characters = self.customer_errors = self.server_errors = 0
        self.translated_segments = self.untranslated_segments = 0

    def add(self, source_file: str, target_file: str, result: DocumentTranslation) -> None:
        self.characters += result.characters
        self.translated_segments += result.translated_segments
        self.untranslated_segments += result.untranslated_segments
        self.entries.append({
            "sourceFile": source_file,
            "targetFile": target_file,
            "auxiliaryData": {
                "appliedTerminologies": [],
                "translatedSegments": result.translated_segments,
                "untranslatedSegments": result.untranslated_segments,
                "exactMatches": result.exact_matches,
                "fuzzyMatches": result.fuzzy_matches,
                "untranslatedBlocks": list(result.untranslated_blocks),
            },
        })

    def fail(self, source_file: str, error: _DocumentError) -> None:
        if error.customer:
            self.customer_errors += 1
        else:
            self.server_errors += 1
        self.entries = [e for e in self.entries if e["sourceFile"] != source_file]
        self.entries.append(
            {"sourceFile": source_file, "errorCode": error.code, "errorMessage": error.message}
        )

    def to_json(self, source: str, input_uri: str, output_uri: str) -> dict[str, Any]:
        return {
            "sourceLanguageCode": source,
            "targetLanguageCode": self.target,
            "charactersTranslated": str(self.characters),
            "documentCountWithCustomerError": str(self.customer_errors),
            "documentCountWithServerError": str(self.server_errors),
            "inputDataPrefix": input_uri,
            "outputDataPrefix": output_uri,
            "translatedSegments": self.translated_segments,
            "untranslatedSegments": self.untranslated_segments,
            "details": self.entries,
        }
