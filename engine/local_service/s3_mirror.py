"""The on-disk copy of the local S3: WORKDIR/local-s3/<bucket>/<key>, one plain file per object.

Beside the objects, `.meta/<bucket>/<sha256 of key>.json` holds the key, its Content-Type and
user metadata. Bucket names never start with a dot, so `.meta` cannot clash with a bucket, and
hashed names cannot clash with each other the way `<key>.json` files would (key `a` against
key `a.json/b`).

The sidecar is what makes an object exist: it is written after the data and removed before it.
A crash in between leaves a data file without a sidecar (a temp file of an interrupted atomic
write, or an object whose PutObject was never acknowledged), and `tidy` deletes those.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from amts.engine.atomic import write_bytes_atomic, write_text_atomic
from amts.engine.errors import AmtsError
from amts.engine.safe_paths import relative_key_parts
from amts.engine.write_targets import ensure_work_directory

META_DIR = ".meta"
# S3's own bucket rules: they also keep a bucket name a single, harmless path part.
_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_MAX_NAME_BYTES = 255  # longest file name on common file systems


class UnmirrorableName(ValueError):
    """A bucket or key that cannot be kept as a path in the mirror (the request is refused)."""


@dataclass(frozen=True)
class MirroredObject:
    """One object found in the mirror."""

    bucket: str
    key: str
    path: Path
    content_type: str
    metadata: dict[str, str] = field(default_factory=dict)


class S3Mirror:
    """Reads and writes the mirror under `root`; callers serialise writes (one lock)."""

    def __init__(self, root: Path):
        self.root = ensure_work_directory(root, "local S3 folder")

    # --- names to paths -------------------------------------------------------------------

    def bucket_dir(self, bucket: str) -> Path:
        """The folder of `bucket`; UnmirrorableName unless it is a valid S3 bucket name."""
        if not _BUCKET_NAME.match(bucket) or ".." in bucket:
            raise UnmirrorableName(f"bucket name {bucket!r} is not a valid S3 bucket name")
        return self.root / bucket

    def object_path(self, bucket: str, key: str) -> Path:
        """The file of `key`; UnmirrorableName for keys that are not plain relative paths
        (absolute, backslashes, NUL, empty / `.` / `..` parts, parts over 255 bytes)."""
        try:
            parts = relative_key_parts(key)
        except AmtsError as exc:
            reason = exc.message.partition(": ")[2] or exc.message
            raise UnmirrorableName(f"key {key!r} cannot be kept as a file: {reason}") from None
        if any(len(part.encode("utf-8")) > _MAX_NAME_BYTES for part in parts):
            raise UnmirrorableName(
                f"key {key!r} cannot be kept as a file: a path part is over {_MAX_NAME_BYTES} bytes"
            )
        root = self.bucket_dir(bucket)
        path = root.joinpath(*parts)
        # Symlinks planted inside the mirror must not lead writes elsewhere.
        if path.parent.exists() and not path.parent.resolve().is_relative_to(root.resolve()):
            raise UnmirrorableName(f"key {key!r} leads outside the mirror folder {root}")
        return path

    def check_writable(self, bucket: str, key: str) -> None:
        """UnmirrorableName if `key` cannot become a file next to the keys already there:
        a file system cannot hold both `a` and `a/b`, which S3 allows."""
        path = self.object_path(bucket, key)
        if path.is_dir():
            raise UnmirrorableName(
                f"key {key!r} cannot be kept as a file: other keys start with {key + '/'!r}"
            )
        root = self.bucket_dir(bucket)
        for parent in path.relative_to(root).parents:
            folder = root / parent
            if folder != root and folder.exists() and not folder.is_dir():
                raise UnmirrorableName(
                    f"key {key!r} cannot be kept as a file: key {parent.as_posix()!r} exists"
                )

    def _meta_path(self, bucket: str, key: str) -> Path:
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
        return self.root / META_DIR / bucket / f"{digest}.json"

    # --- writes ---------------------------------------------------------------------------

    def save_bucket(self, bucket: str) -> None:
        self.bucket_dir(bucket).mkdir(parents=True, exist_ok=True)

    def drop_bucket(self, bucket: str) -> None:
        """Forget a bucket and anything still filed under it (sidecars first)."""
        shutil.rmtree(self.root / META_DIR / self.bucket_dir(bucket).name, ignore_errors=True)
        shutil.rmtree(self.bucket_dir(bucket), ignore_errors=True)

    def save_object(
        self, bucket: str, key: str, data: bytes, content_type: str, metadata: dict[str, str]
    ) -> None:
        """Write the object's bytes, then its sidecar (each atomically)."""
        self.check_writable(bucket, key)
        write_bytes_atomic(self.object_path(bucket, key), data)
        sidecar = {"key": key, "contentType": content_type, "metadata": metadata}
        write_text_atomic(self._meta_path(bucket, key), json.dumps(sidecar, ensure_ascii=False))

    def drop_object(self, bucket: str, key: str) -> None:
        """Remove the sidecar, then the bytes, then folders left empty."""
        try:
            path = self.object_path(bucket, key)
        except UnmirrorableName:
            return  # such a key was never written to the mirror
        self._meta_path(bucket, key).unlink(missing_ok=True)
        if path.is_file():
            path.unlink()
        self._prune_empty_folders(bucket, path.parent)

    def _prune_empty_folders(self, bucket: str, folder: Path) -> None:
        # An empty folder `a/` left behind by key `a/b` would block a later key `a`.
        root = self.bucket_dir(bucket)
        while folder != root and folder.is_relative_to(root):
            try:
                folder.rmdir()
            except OSError:
                return  # not empty (or already gone)
            folder = folder.parent

    # --- reads ----------------------------------------------------------------------------

    def buckets(self) -> list[str]:
        """Names of the mirrored buckets, sorted."""
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and p.name != META_DIR
                      and _BUCKET_NAME.match(p.name))

    def objects(self, bucket: str) -> Iterator[MirroredObject]:
        """Every object of `bucket` that has both its sidecar and its file."""
        meta_dir = self.root / META_DIR / self.bucket_dir(bucket).name
        for meta in sorted(meta_dir.glob("*.json")) if meta_dir.is_dir() else ():
            try:
                sidecar = json.loads(meta.read_text(encoding="utf-8"))
                key = sidecar["key"]
                path = self.object_path(bucket, key)
            except (ValueError, KeyError, TypeError) as exc:
                raise AmtsError(f"unreadable sidecar of the local S3 mirror: {exc}", path=meta) from None
            if path.is_file():
                yield MirroredObject(bucket, key, path, sidecar.get("contentType") or
                                     "binary/octet-stream", dict(sidecar.get("metadata") or {}))

    def tidy(self, bucket: str) -> None:
        """Delete files without a sidecar (never acknowledged) and sidecars without a file."""
        root = self.bucket_dir(bucket)
        keys = {obj.key for obj in self.objects(bucket)}
        for path in sorted(root.rglob("*"), reverse=True):
            if path.is_file() and path.relative_to(root).as_posix() not in keys:
                path.unlink()
                self._prune_empty_folders(bucket, path.parent)
        meta_dir = self.root / META_DIR / root.name
        wanted = {self._meta_path(bucket, key).name for key in keys}
        for meta in meta_dir.glob("*.json") if meta_dir.is_dir() else ():
            if meta.name not in wanted:
                meta.unlink()
