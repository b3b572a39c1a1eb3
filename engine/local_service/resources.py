"""Parallel-data and terminology operations of the local Translate endpoint.

Imports run in a background worker after the configured delay: CREATING → ACTIVE or FAILED;
an update leaves Status alone and moves LatestUpdateAttemptStatus UPDATING → ACTIVE or FAILED.
Internal fields of a stored record start with "_" and never reach a response.
"""

from __future__ import annotations

import json
import re
from typing import Any

from amts.engine.local_service.context import LocalContext
from amts.engine.local_service.parallel_import import (
    ImportedParallelData,
    ParallelDataImportError,
    import_parallel_data,
)
from amts.engine.local_service.protocol import (
    ServiceError,
    conflict,
    invalid_parameter,
    not_found,
    now,
)

PARALLEL_DATA = "parallel-data"
TERMINOLOGY = "terminology"
_S3_URI = re.compile(r"^s3://([a-z0-9][.\-a-z0-9]{1,61}[a-z0-9])(/.*)?$")


def public(record: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if not key.startswith("_")}


def split_s3_uri(uri: str, field_name: str) -> tuple[str, str]:
    """(bucket, key or prefix) of an s3:// URI, or InvalidParameterValueException."""
    match = _S3_URI.match(uri)
    if match is None:
        raise invalid_parameter(f"{field_name} {uri!r} is not an s3://bucket/path URI")
    return match.group(1), (match.group(2) or "/")[1:]


def page(items: list[dict[str, Any]], params: dict[str, Any]) -> tuple[list[dict], str | None]:
    """One page of a listing; NextToken is the offset of the next item."""
    try:
        start = int(params.get("NextToken") or 0)
    except ValueError:
        raise invalid_parameter("NextToken is not one this endpoint issued") from None
    size = params.get("MaxResults") or 100
    chunk = items[start:start + size]
    return chunk, str(start + size) if start + size < len(items) else None


# --- parallel data ------------------------------------------------------------------------


def create_parallel_data(ctx: LocalContext, params: dict[str, Any]) -> dict[str, Any]:
    name = params["Name"]
    split_s3_uri(params["ParallelDataConfig"]["S3Uri"], "ParallelDataConfig.S3Uri")
    with ctx.store.lock:
        existing = ctx.store.get(PARALLEL_DATA, name)
        if existing is not None:
            if existing.get("_clientToken") == params.get("ClientToken"):
                return {"Name": name, "Status": existing["Status"]}
            raise conflict(f"parallel data {name!r} already exists")
        _check_one_import_at_a_time(ctx, name)
        stamp = now().timestamp()
        record = {
            "Name": name,
            "Arn": ctx.arn("parallel-data", name),
            "Description": params.get("Description"),
            "Status": "CREATING",
            "ParallelDataConfig": params["ParallelDataConfig"],
            "EncryptionKey": params.get("EncryptionKey"),
            "CreatedAt": stamp,
            "LastUpdatedAt": stamp,
            "_clientToken": params.get("ClientToken"),
            "_version": 0,
        }
        ctx.store.put(PARALLEL_DATA, name, {k: v for k, v in record.items() if v is not None})
    ctx.spawn(lambda: run_import(ctx, name, update=False), f"amts-import-{name}")
    return {"Name": name, "Status": "CREATING"}


def update_parallel_data(ctx: LocalContext, params: dict[str, Any]) -> dict[str, Any]:
    name = params["Name"]
    split_s3_uri(params["ParallelDataConfig"]["S3Uri"], "ParallelDataConfig.S3Uri")
    with ctx.store.lock:
        record = _parallel_data(ctx, name)
        if record.get("_updateToken") == params.get("ClientToken"):
            return _update_response(record)
        if record["Status"] not in ("ACTIVE", "FAILED") or record.get(
            "LatestUpdateAttemptStatus"
        ) == "UPDATING":
            raise ServiceError(
                "ConcurrentModificationException",
                f"parallel data {name!r} is {record['Status']}: wait until it is ACTIVE",
                409,
            )
        _check_one_import_at_a_time(ctx, name)
        changes = {
            "LatestUpdateAttemptStatus": "UPDATING",
            "LatestUpdateAttemptAt": now().timestamp(),
            "_pendingConfig": params["ParallelDataConfig"],
            "_pendingDescription": params.get("Description"),
            "_updateToken": params.get("ClientToken"),
        }
        record = ctx.store.update(PARALLEL_DATA, name, **changes)
    ctx.spawn(lambda: run_import(ctx, name, update=True), f"amts-update-{name}")
    return _update_response(record)


def _check_one_import_at_a_time(ctx: LocalContext, name: str) -> None:
    """LimitExceededException while another resource is being imported, when that quota is on."""
    if not ctx.quotas.one_parallel_data_import:
        return
    busy = [record["Name"] for record in ctx.store.all(PARALLEL_DATA)
            if record["Name"] != name and (record["Status"] == "CREATING"
                                           or record.get("LatestUpdateAttemptStatus") == "UPDATING")]
    if busy:
        raise ServiceError(
            "LimitExceededException",
            f"parallel data {busy[0]!r} is being imported: Amazon Translate runs one "
            "CreateParallelData or UpdateParallelData at a time",
        )


def _update_response(record: dict[str, Any]) -> dict[str, Any]:
    keys = ("Name", "Status", "LatestUpdateAttemptStatus", "LatestUpdateAttemptAt")
    return {key: record.get(key) for key in keys}


def _parallel_data(ctx: LocalContext, name: str) -> dict[str, Any]:
    record = ctx.store.get(PARALLEL_DATA, name)
    if record is None:
        raise not_found(f"parallel data {name!r} does not exist")
    return record


def run_import(ctx: LocalContext, name: str, update: bool) -> None:
    """The background half of Create/UpdateParallelData."""
    if not ctx.sleep():
        return  # the endpoint is stopping; the import resumes when it restarts
    record = ctx.store.get(PARALLEL_DATA, name)
    if record is None:
        return
    config = record["_pendingConfig"] if update else record["ParallelDataConfig"]
    try:
        if ctx.faults.parallel_data_fails(name):
            raise ParallelDataImportError("Injected failure: the import of this resource fails.")
        raw = _read_parallel_data_file(ctx, config["S3Uri"])
        imported = import_parallel_data(
            raw, config["Format"], fail_first=ctx.faults.parallel_data_failed_records
        )
    except ParallelDataImportError as exc:
        _finish_import(ctx, name, update, error=str(exc))
        return
    version = record.get("_version", 0) + 1
    data_name = f"{name}.v{version}.json"
    document = {
        "sourceLanguage": imported.source_language,
        "targetLanguages": imported.target_languages,
        "records": list(imported.records.items()),
    }
    ctx.store.write_data(PARALLEL_DATA, data_name, json.dumps(document, ensure_ascii=False).encode())
    ctx.store.write_data(PARALLEL_DATA, f"{name}.v{version}.source", raw)
    errors_name = f"{name}.v{version}.errors.json"
    ctx.store.write_data(PARALLEL_DATA, errors_name, json.dumps(imported.error_file()).encode())
    _finish_import(ctx, name, update, imported=imported, version=version, config=config)


def _read_parallel_data_file(ctx: LocalContext, uri: str) -> bytes:
    bucket, key = split_s3_uri(uri, "ParallelDataConfig.S3Uri")
    s3 = ctx.s3()
    try:
        if key and not key.endswith("/"):
            try:
                return s3.get_object(Bucket=bucket, Key=key)["Body"].read()
            except s3.exceptions.NoSuchKey:
                pass
        listing = s3.list_objects_v2(Bucket=bucket, Prefix=key)
    except s3.exceptions.NoSuchBucket:
        raise ParallelDataImportError(f"the bucket {bucket!r} does not exist") from None
    keys = [item["Key"] for item in listing.get("Contents", []) if not item["Key"].endswith("/")]
    if len(keys) != 1:
        raise ParallelDataImportError(f"expected one parallel-data file at {uri}, found {len(keys)}")
    return s3.get_object(Bucket=bucket, Key=keys[0])["Body"].read()


def _finish_import(
    ctx: LocalContext,
    name: str,
    update: bool,
    error: str | None = None,
    imported: ImportedParallelData | None = None,
    version: int = 0,
    config: dict | None = None,
) -> None:
    with ctx.store.lock:
        record = ctx.store.get(PARALLEL_DATA, name)
        if record is None:
            return
        stamp = now().timestamp()
        if error is not None:
            changes: dict[str, Any] = {"Message": error}
            if update:
                changes.update(LatestUpdateAttemptStatus="FAILED", LatestUpdateAttemptAt=stamp)
            else:
                changes.update(Status="FAILED", LastUpdatedAt=stamp)
            ctx.store.update(PARALLEL_DATA, name, **changes)
            return
        assert imported is not None
        changes = {
            "Status": "ACTIVE",
            "SourceLanguageCode": imported.source_language,
            "TargetLanguageCodes": imported.target_languages,
            "ParallelDataConfig": config,
            "ImportedDataSize": imported.data_size,
            "ImportedRecordCount": imported.imported,
            "FailedRecordCount": imported.failed,
            "SkippedRecordCount": imported.skipped,
            "LastUpdatedAt": stamp,
            "Message": None,
            "_version": version,
            "_dataFile": str(ctx.store.data_path(PARALLEL_DATA, f"{name}.v{version}.json")),
            "_pendingConfig": None,
        }
        if update:
            changes.update(LatestUpdateAttemptStatus="ACTIVE", LatestUpdateAttemptAt=stamp)
            if record.get("_pendingDescription"):
                changes["Description"] = record["_pendingDescription"]
        ctx.store.update(PARALLEL_DATA, name, **changes)


def get_parallel_data(ctx: LocalContext, params: dict[str, Any]) -> dict[str, Any]:
    record = _parallel_data(ctx, params["Name"])
    response: dict[str, Any] = {"ParallelDataProperties": public(record)}
    version = record.get("_version", 0)
    if version:
        base = f"{record['Name']}.v{version}"
        response["DataLocation"] = {
            "RepositoryType": "S3", "Location": ctx.data_url(PARALLEL_DATA, base + ".source")
        }
        errors = {"RepositoryType": "S3", "Location": ctx.data_url(PARALLEL_DATA, base + ".errors.json")}
        key = "LatestUpdateAttemptAuxiliaryDataLocation" if version > 1 else "AuxiliaryDataLocation"
        response[key] = errors
    return response


def list_parallel_data(ctx: LocalContext, params: dict[str, Any]) -> dict[str, Any]:
    items, token = page([public(r) for r in ctx.store.all(PARALLEL_DATA)], params)
    return {"ParallelDataPropertiesList": items, "NextToken": token}


def delete_parallel_data(ctx: LocalContext, params: dict[str, Any]) -> dict[str, Any]:
    name = params["Name"]
    with ctx.store.lock:
        record = _parallel_data(ctx, name)
        if record["Status"] == "CREATING" or record.get("LatestUpdateAttemptStatus") == "UPDATING":
            raise ServiceError(
                "ConcurrentModificationException", f"parallel data {name!r} is being imported", 409
            )
        ctx.store.update(PARALLEL_DATA, name, Status="DELETING")
    ctx.spawn(lambda: finish_delete(ctx, name), f"amts-delete-{name}")
    return {"Name": name, "Status": "DELETING"}


def finish_delete(ctx: LocalContext, name: str) -> None:
    if ctx.sleep():
        ctx.store.delete(PARALLEL_DATA, name)


# --- terminology --------------------------------------------------------------------------


def import_terminology(ctx: LocalContext, params: dict[str, Any]) -> dict[str, Any]:
    name = params["Name"]
    data = params["TerminologyData"]
    try:
        terms = import_parallel_data(data["File"], data["Format"])
    except ParallelDataImportError as exc:
        raise invalid_parameter(f"terminology {name!r}: {exc}") from None
    ctx.store.write_data(TERMINOLOGY, f"{name}.{data['Format'].lower()}", data["File"])
    stamp = now().timestamp()
    with ctx.store.lock:
        previous = ctx.store.get(TERMINOLOGY, name) or {}
        record = {
            "Name": name,
            "Description": params.get("Description"),
            "Arn": ctx.arn("terminology", name),
            "SourceLanguageCode": terms.source_language,
            "TargetLanguageCodes": terms.target_languages,
            "EncryptionKey": params.get("EncryptionKey"),
            "SizeBytes": len(data["File"]),
            "TermCount": terms.imported,
            "CreatedAt": previous.get("CreatedAt", stamp),
            "LastUpdatedAt": stamp,
            "Directionality": data.get("Directionality", "UNI"),
            "SkippedTermCount": terms.skipped + terms.failed,
            "Format": data["Format"],
        }
        record = {k: v for k, v in record.items() if v is not None}
        ctx.store.put(TERMINOLOGY, name, record)
    return {"TerminologyProperties": record}


def terminology(ctx: LocalContext, name: str) -> dict[str, Any]:
    record = ctx.store.get(TERMINOLOGY, name)
    if record is None:
        raise not_found(f"terminology {name!r} does not exist")
    return record


def get_terminology(ctx: LocalContext, params: dict[str, Any]) -> dict[str, Any]:
    record = terminology(ctx, params["Name"])
    location = ctx.data_url(TERMINOLOGY, f"{record['Name']}.{record['Format'].lower()}")
    return {
        "TerminologyProperties": record,
        "TerminologyDataLocation": {"RepositoryType": "S3", "Location": location},
    }


def list_terminologies(ctx: LocalContext, params: dict[str, Any]) -> dict[str, Any]:
    items, token = page(ctx.store.all(TERMINOLOGY), params)
    return {"TerminologyPropertiesList": items, "NextToken": token}
