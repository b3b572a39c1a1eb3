"""S3 transfers on an aiobotocore client: files and folders up, prefixes listed and down.

Downloaded keys become local paths only through ``amts.engine.safe_paths.safe_destination``: an object key is data from
a remote party, and a key such as ``../../.bashrc`` must never write outside the target folder.
"""

from __future__ import annotations

import asyncio
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore import exceptions as bx

from amts.engine.atomic import write_bytes_atomic
from amts.engine.client.service_errors import error_code, to_amts_error
from amts.engine.errors import AmtsError
from amts.engine.safe_paths import safe_destination

#: An aiobotocore client (S3 or Translate): the library ships no type information.
AioClient = Any

_CONTENT_TYPES = {
    ".html": "text/html", ".htm": "text/html", ".txt": "text/plain", ".md": "text/markdown",
    ".csv": "text/csv", ".tsv": "text/tab-separated-values", ".tmx": "application/xml",
    ".json": "application/json",
}

# ASCII control characters: S3 lists them as needing special handling, XML listings cannot return
# them intact, and a newline even makes some servers answer "no such bucket". Refused up front.
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


def check_key(key: str, path: Path | None = None) -> None:
    """AmtsError unless ``key`` is safe to upload to (a file name with a newline is not)."""
    match = _CONTROL_CHARS.search(key)
    if match is None:
        return
    if path is not None:
        raise AmtsError(f"cannot upload this file: its name contains the control character "
                        f"{match.group()!r}, which S3 keys cannot carry safely (rename the file, or "
                        "the book section it was made from)", path=path)
    raise AmtsError(f"cannot upload to S3 key {key!r}: it contains the control character "
                    f"{match.group()!r}, which S3 keys cannot carry safely")


@dataclass(frozen=True)
class S3Object:
    """One object under a listed prefix."""

    key: str
    size: int


def folder_prefix(prefix: str) -> str:
    """A prefix that names a folder: ``"a/b"`` → ``"a/b/"`` so that ``a/bc`` is not inside it."""
    return prefix if not prefix or prefix.endswith("/") else prefix + "/"


def content_type_for(path: Path) -> str:
    """The Content-Type to store an uploaded file with (HTML documents must say text/html)."""
    suffix = path.suffix.lower()
    known = _CONTENT_TYPES.get(suffix) or mimetypes.guess_type(path.name)[0]
    known = known or "application/octet-stream"
    return f"{known}; charset=utf-8" if known.startswith("text/") else known


async def upload_bytes(
    client: AioClient, bucket: str, key: str, data: bytes, content_type: str = "application/octet-stream"
) -> str:
    """Put ``data`` at ``key``; returns the key."""
    check_key(key)
    try:
        await client.put_object(Bucket=bucket, Key=key, Body=data, ContentType=content_type)
    except (bx.BotoCoreError, bx.ClientError) as exc:
        raise to_amts_error(exc, f"uploading s3://{bucket}/{key}", bucket=bucket) from exc
    return key


async def upload_file(
    client: AioClient, bucket: str, path: Path, key: str, content_type: str | None = None
) -> str:
    """Upload one local file to ``key``; returns the key."""
    path = Path(path)
    check_key(key, path)
    try:
        data = await asyncio.to_thread(path.read_bytes)
    except OSError as exc:
        raise AmtsError(f"cannot read the file to upload: {exc.strerror}", path=path) from exc
    return await upload_bytes(client, bucket, key, data, content_type or content_type_for(path))


def files_under(local_dir: Path) -> list[Path]:
    """Every regular file below ``local_dir``, in a stable order."""
    return sorted(p for p in Path(local_dir).rglob("*") if p.is_file())


async def upload_folder(
    client: AioClient, bucket: str, local_dir: Path, prefix: str, *, gate: asyncio.Semaphore,
    content_type: str | None = None,
) -> list[str]:
    """Upload every file below ``local_dir`` to ``prefix`` + its relative path, as many at a
    time as ``gate`` (the client's one concurrency limit) lets through; returns the keys in path order."""
    local_dir = Path(local_dir)
    if not local_dir.is_dir():
        raise AmtsError("the folder to upload does not exist", path=local_dir)
    prefix = folder_prefix(prefix)
    files = files_under(local_dir)
    keys = [prefix + p.relative_to(local_dir).as_posix() for p in files]

    async def one(path: Path, key: str) -> None:
        async with gate:
            await upload_file(client, bucket, path, key, content_type)

    try:
        async with asyncio.TaskGroup() as group:
            for path, key in zip(files, keys):
                group.create_task(one(path, key))
    except* AmtsError as failures:
        raise failures.exceptions[0] from None
    return keys


async def list_prefix(client: AioClient, bucket: str, prefix: str) -> list[S3Object]:
    """All objects whose key starts with ``prefix``, in key order (pages followed)."""
    objects: list[S3Object] = []
    try:
        paginator = client.get_paginator("list_objects_v2")
        async for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", ()):
                objects.append(S3Object(key=item["Key"], size=int(item.get("Size", 0))))
    except (bx.BotoCoreError, bx.ClientError) as exc:
        raise to_amts_error(exc, f"listing s3://{bucket}/{prefix}", bucket=bucket) from exc
    return sorted(objects, key=lambda o: o.key)


async def list_folders(client: AioClient, bucket: str, prefix: str) -> list[str]:
    """The immediate sub-folder prefixes of ``prefix`` (S3 CommonPrefixes with delimiter '/')."""
    folders: list[str] = []
    try:
        paginator = client.get_paginator("list_objects_v2")
        async for page in paginator.paginate(
            Bucket=bucket, Prefix=folder_prefix(prefix), Delimiter="/"
        ):
            folders.extend(cp["Prefix"] for cp in page.get("CommonPrefixes", ()))
    except (bx.BotoCoreError, bx.ClientError) as exc:
        raise to_amts_error(exc, f"listing s3://{bucket}/{prefix}", bucket=bucket) from exc
    return sorted(folders)


async def read_object(client: AioClient, bucket: str, key: str) -> bytes:
    """The whole content of one object."""
    try:
        response = await client.get_object(Bucket=bucket, Key=key)
        async with response["Body"] as body:
            return await body.read()
    except (bx.BotoCoreError, bx.ClientError) as exc:
        raise to_amts_error(
            exc, f"downloading s3://{bucket}/{key}", bucket=bucket, resource=key
        ) from exc


async def download_prefix(
    client: AioClient, bucket: str, prefix: str, dest_dir: Path, *, gate: asyncio.Semaphore
) -> dict[str, Path]:
    """Download every object under ``prefix`` into ``dest_dir`` keeping relative paths.

    Returns ``{key relative to prefix: local path}``. All keys are checked before anything is
    written, so one hostile key aborts the download instead of leaving half of it.
    """
    prefix = folder_prefix(prefix)
    dest_dir = Path(dest_dir)
    plan: dict[str, tuple[str, Path]] = {}
    for obj in await list_prefix(client, bucket, prefix):
        relative = obj.key[len(prefix):]
        if relative.endswith("/") and obj.size == 0:
            continue  # a "folder" placeholder made by the console, not a file
        plan[relative] = (obj.key, safe_destination(dest_dir, relative))

    async def one(key: str, target: Path) -> None:
        async with gate:
            data = await read_object(client, bucket, key)
            try:
                await asyncio.to_thread(write_bytes_atomic, target, data)
            except AmtsError as exc:
                raise AmtsError(f"cannot write the downloaded s3://{bucket}/{key}: "
                                f"{exc.message}", path=target) from None

    try:
        async with asyncio.TaskGroup() as group:
            for key, target in plan.values():
                group.create_task(one(key, target))
    except* AmtsError as failures:
        raise failures.exceptions[0] from None
    return {relative: target for relative, (_, target) in plan.items()}


async def bucket_region(client: AioClient, bucket: str) -> str:
    """The region ``bucket`` is in (GetBucketLocation; an empty answer means us-east-1, and the
    legacy "EU" means eu-west-1)."""
    try:
        answer = await client.get_bucket_location(Bucket=bucket)
    except bx.ClientError as exc:
        if error_code(exc) in ("404", "NoSuchBucket", "NotFound"):
            raise AmtsError(f"the S3 bucket {bucket!r} does not exist: create it in Amazon Translate's "
                            "region (AMTS never creates buckets on AWS), or set the bucket to one you "
                            "own") from exc
        raise to_amts_error(exc, f"checking S3 bucket {bucket!r}", bucket=bucket) from exc
    except bx.BotoCoreError as exc:
        raise to_amts_error(exc, f"checking S3 bucket {bucket!r}", bucket=bucket) from exc
    location = answer.get("LocationConstraint") or "us-east-1"
    return {"EU": "eu-west-1"}.get(location, location)


async def ensure_bucket(client: AioClient, bucket: str, region: str) -> bool:
    """Create ``bucket`` unless it exists; returns True when it was created."""
    try:
        await client.head_bucket(Bucket=bucket)
        return False
    except bx.ClientError as exc:
        if error_code(exc) not in ("404", "NoSuchBucket", "NotFound"):
            raise to_amts_error(exc, f"checking S3 bucket {bucket!r}", bucket=bucket) from exc
    except bx.BotoCoreError as exc:
        raise to_amts_error(exc, f"checking S3 bucket {bucket!r}", bucket=bucket) from exc
    request: dict[str, Any] = {"Bucket": bucket}
    if region != "us-east-1":  # us-east-1 rejects an explicit LocationConstraint
        request["CreateBucketConfiguration"] = {"LocationConstraint": region}
    try:
        await client.create_bucket(**request)
    except bx.ClientError as exc:
        if error_code(exc) in ("BucketAlreadyOwnedByYou",):
            return False
        raise to_amts_error(exc, f"creating S3 bucket {bucket!r}", bucket=bucket) from exc
    except bx.BotoCoreError as exc:
        raise to_amts_error(exc, f"creating S3 bucket {bucket!r}", bucket=bucket) from exc
    return True
