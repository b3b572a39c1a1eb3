"""The sync's ACT translator: one batch job with the book's own parallel data (issue 5).

    translator = BatchJobTranslator(service, book_root, workdir)
    result = await apply_sync(plan, translator)        # translator.report says what came back

Before the job: the OLD book (old `NAME_origin.md` ↔ human `NAME.md`, aligned with the work
directory as cache) becomes sentence-level parallel data, exported as Amazon CSV, uploaded and
put as the resource `amts-sync-<src>-<tgt>` (created or updated), which must become ACTIVE. The
book is read when the translator is called, which apply_sync does before it writes anything, so
the memory is the book as the translators left it. Then every unit goes into one batch job as
`<p data-b="i">FRAGMENT</p>` of a few HTML documents (each well under Amazon's per-document
limits); `data-b` maps the output back. A unit that does not come back keeps its source text and
is named in the report; a job that brings nothing back is an AmtsError with the job's message.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import re
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from amts.engine.align.book_alignment import align_book
from amts.engine.align.pairs import AlignedPair
from amts.engine.book import open_book
from amts.engine.client.service import new_client_token
from amts.engine.errors import AmtsError
from amts.engine.paralleldata.write import write_parallel_data
from amts.engine.sync.apply import DEFAULT_REVIEW_MARKER, ApplyResult, Translator, apply_sync
from amts.engine.sync.units import SyncPlan

#: Split the job's input well below Amazon's 1,000,000 characters / 1 MB of text per document.
MAX_DOCUMENT_BYTES = 400_000
_UNIT_ELEMENT = re.compile(
    r"<p\b[^>]*?\bdata-b\s*=\s*[\"']?(\d+)[\"']?[^>]*>(.*?)</p\s*>", re.DOTALL | re.IGNORECASE)
_DOCUMENT_HEAD = '<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body>\n'
_DOCUMENT_TAIL = "</body></html>\n"


@dataclass(frozen=True, slots=True)
class BatchReport:
    """What the batch job did: resource, job, and the units that did not come back translated."""

    resource: str  # parallel data name ("" when the book had no pairs to give)
    records: int  # records the resource imported
    job_id: str
    status: str
    documents: int
    units: int
    changed: int  # units that came back different from what was sent
    unchanged: int  # came back as sent (the local backend's memory had no match)
    missing: tuple[str, ...]  # source texts of units that did not come back: kept as they were
    errors: tuple[str, ...]  # per-document errors the job reported
    message: str = ""

    def summary_lines(self) -> list[str]:
        memory = (f"parallel data {self.resource!r} ({self.records} records)" if self.resource
                  else "no parallel data (the book had no aligned pairs)")
        lines = [f"batch job {self.job_id} {self.status} with {memory}: {self.units} units in "
                 f"{self.documents} documents, {self.changed} came back translated, "
                 f"{self.unchanged} unchanged"]
        if self.missing:
            lines.append(f"  {len(self.missing)} units did not come back: kept in the source "
                         "language (marked for review)")
            lines += [f"    {_preview(text)}" for text in self.missing[:10]]
        lines += [f"  job error: {error}" for error in self.errors]
        return lines


def resource_name(source_lang: str, target_lang: str, prefix: str = "amts-sync") -> str:
    """The parallel data resource of a direction (Amazon names: letters, digits, -, _)."""
    return re.sub(r"[^A-Za-z0-9-]+", "-", f"{prefix}-{source_lang}-{target_lang}")


def batch_documents(fragments: list[str], max_bytes: int = MAX_DOCUMENT_BYTES) -> list[str]:
    """HTML documents holding each fragment as `<p data-b="i">` (i = its index in `fragments`)."""
    documents: list[str] = []
    lines: list[str] = []
    size = 0
    for index, fragment in enumerate(fragments):
        # One unit a line; unit_markdown joins lines with spaces anyway.
        line = f'<p data-b="{index}">{" ".join(fragment.splitlines())}</p>\n'
        length = len(line.encode("utf-8"))
        if lines and size + length > max_bytes:
            documents.append(_DOCUMENT_HEAD + "".join(lines) + _DOCUMENT_TAIL)
            lines, size = [], 0
        lines.append(line)
        size += length
    if lines:
        documents.append(_DOCUMENT_HEAD + "".join(lines) + _DOCUMENT_TAIL)
    return documents


def read_units(document: str) -> dict[int, str]:
    """`data-b` index → inner HTML of every unit element of a translated document."""
    return {int(m.group(1)): m.group(2) for m in _UNIT_ELEMENT.finditer(document)}


def book_pairs(book_root: Path, workdir: Path | None, jobs: int | None = None) -> list[AlignedPair]:
    """Sentence pairs of the book as it stands (old source ↔ translation). Machine text an
    earlier sync left for review is among them: `write_parallel_data` leaves it out."""
    alignment = align_book(open_book(Path(book_root)), workdir=workdir, jobs=jobs)
    return alignment.pairs("sentence")


class BatchJobTranslator:
    """`async (texts, source_lang, target_lang) -> texts` through one ACT batch job.

    `report` holds the BatchReport of the last call. `poll_interval` is the first wait between
    status checks (it grows while nothing changes); the local backend wants it short.
    """

    def __init__(self, service: Any, book_root: Path, workdir: Path | None = None, *,
                 resource: str | None = None, poll_interval: float = 5.0,
                 max_poll_interval: float = 60.0, timeout: float | None = None,
                 jobs: int | None = None, max_document_bytes: int = MAX_DOCUMENT_BYTES):
        self.service = service
        self.book_root = Path(book_root)
        self.workdir = None if workdir is None else Path(workdir)
        self.resource = resource
        self.poll_interval, self.max_poll_interval = poll_interval, max_poll_interval
        self.timeout = timeout
        self.jobs = jobs
        self.max_document_bytes = max_document_bytes
        self.report: BatchReport | None = None

    async def __call__(self, texts: list[str], source_lang: str, target_lang: str) -> list[str]:
        if not texts:
            return []
        if self.workdir is not None:
            return await self._translate(texts, source_lang, target_lang, self.workdir)
        with tempfile.TemporaryDirectory(prefix="amts-sync-batch-") as workdir:
            return await self._translate(texts, source_lang, target_lang, Path(workdir))

    async def _translate(self, texts: list[str], source_lang: str, target_lang: str,
                         workdir: Path) -> list[str]:
        service = self.service
        await service.ensure_bucket()
        pairs = await asyncio.to_thread(book_pairs, self.book_root, workdir, self.jobs)
        name = self.resource or resource_name(source_lang, target_lang)
        records = await self._put_parallel_data(name, pairs, source_lang, target_lang, workdir)
        if not records:
            name = ""
        documents = batch_documents(texts, self.max_document_bytes)
        digest = hashlib.sha256("\0".join(documents).encode("utf-8")).hexdigest()[:16]
        base = service.settings.key("sync", f"{source_lang}-{target_lang}-{digest}")
        for number, document in enumerate(documents):
            await service.upload_bytes(document.encode("utf-8"), f"{base}/input/units-{number:03d}.html",
                                       "text/html")
        job = await service.start_job(
            input_s3_uri=service.settings.s3_uri(f"{base}/input/"),
            output_s3_uri=service.settings.s3_uri(f"{base}/output/"),
            source_language=source_lang, target_languages=[target_lang], content_type="text/html",
            parallel_data_names=[name] if name else [], job_name=f"amts-sync-{digest}",
            client_token=new_client_token())
        job = await service.wait_job(job.job_id, poll_interval=self.poll_interval,
                                     max_poll_interval=self.max_poll_interval, timeout=self.timeout)
        returned, errors = await self._download(job, workdir / "sync-jobs" / job.job_id)
        outputs, missing, changed, unchanged = [], [], 0, 0
        for index, text in enumerate(texts):
            output = returned.get(index)
            if output is None or not output.strip():
                outputs.append(text)  # the source, spans and all: apply marks it for review
                missing.append(text)
                continue
            outputs.append(output)
            if " ".join(output.split()) == " ".join(text.split()):
                unchanged += 1
            else:
                changed += 1
        self.report = BatchReport(name, records, job.job_id, job.status, len(documents), len(texts),
                                  changed, unchanged, tuple(_markdown_preview(t) for t in missing),
                                  tuple(errors), job.message or "")
        return outputs

    async def _put_parallel_data(self, name: str, pairs: list[AlignedPair], source_lang: str,
                                 target_lang: str, workdir: Path) -> int:
        """Export, upload and put the resource; the records it imported (0: no data at all)."""
        path = workdir / "sync-data" / f"{name}.csv"
        report = await asyncio.to_thread(write_parallel_data, pairs, path, "csv", source_lang,
                                         target_lang)
        if report.written == 0:
            return 0
        service = self.service
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()[:16]
        key = await service.upload_bytes(data, service.settings.key("sync", "data", f"{name}-{digest}.csv"),
                                         "text/csv")
        submission = await service.put_parallel_data(
            name, service.settings.s3_uri(key), "CSV",
            description=f"AMTS sync: the book's own {source_lang}->{target_lang} sentence pairs")
        status = await service.wait_parallel_data(
            name, watch_update=submission.operation == "update", poll_interval=min(self.poll_interval, 1.0),
            max_poll_interval=self.max_poll_interval, timeout=self.timeout)
        if status.status != "ACTIVE":
            raise AmtsError(f"parallel data {name!r} ended {status.status}: "
                            f"{status.message or 'no reason given'}")
        return status.imported

    async def _download(self, job, dest: Path) -> tuple[dict[int, str], list[str]]:
        """Units that came back by index, and the job's per-document errors."""
        if not job.has_output:
            raise AmtsError(f"translation job {job.job_id} ended {job.status}: "
                            f"{job.message or 'no reason given'}")
        output = await self.service.download_job_output(job, dest)
        errors = [f"{e.source_file}: {e.message}" for e in output.errors]
        returned: dict[int, str] = {}
        for path in output.files.values():
            returned.update(read_units(path.read_text(encoding="utf-8")))
        if not returned:
            raise AmtsError(f"translation job {job.job_id} ended {job.status} and brought nothing back: "
                            f"{job.message or '; '.join(errors) or 'no reason given'}")
        return returned, errors


def _markdown_preview(fragment: str) -> str:
    """A fragment as the Markdown it came from (protected spans hold their escaped original)."""
    return html.unescape(re.sub(r"</?[A-Za-z][^>]*>", "", fragment))


def _preview(text: str, width: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def service_translator(service, concurrency: int = 8) -> Translator:
    """A translator over a TranslateService's TranslateText (HTML in Text keeps translate="no")."""
    gate = asyncio.Semaphore(concurrency)

    async def translate(texts: list[str], source_lang: str, target_lang: str) -> list[str]:
        async def one(text: str) -> str:
            async with gate:
                return await service.translate_text(text, source_lang, target_lang)
        return list(await asyncio.gather(*(one(t) for t in texts)))

    return translate


async def apply_with_backend(plan: SyncPlan, settings, review_marker: str = DEFAULT_REVIEW_MARKER, *,
                             realtime: bool = False, workdir: Path | None = None,
                             poll_interval: float | None = None) -> ApplyResult:
    """Apply through a backend (amts.engine.client.settings.BackendSettings).

    By default one ACT batch job with the book's own parallel data (amts.engine.act.sync_translation; `workdir`
    caches the alignment and keeps the job's files, a temp folder when None); `realtime` sends
    each unit through TranslateText instead (standard translation, no parallel data).
    `poll_interval`: first wait between status checks (default 5 s on AWS, 0.1 s locally).
    """
    from amts.engine.client.service import open_service

    async with open_service(settings) as service:
        if realtime:
            translator = service_translator(service, settings.max_concurrency)
            return await apply_sync(plan, translator, review_marker)
        from amts.engine.act.sync_translation import BatchJobTranslator

        if poll_interval is None:
            poll_interval = 5.0 if settings.kind == "aws" else 0.1
        translator = BatchJobTranslator(service, plan.book_root, workdir, poll_interval=poll_interval,
                                        max_poll_interval=60.0 if settings.kind == "aws" else 2.0)
        result = await apply_sync(plan, translator, review_marker)
        return replace(result, batch=translator.report)


def apply_with_local_backend(plan: SyncPlan, workdir: Path, review_marker: str = DEFAULT_REVIEW_MARKER,
                             *, realtime: bool = False) -> ApplyResult:
    """Start the local backend in `workdir`, apply through it, stop it (blocking; for CLI and UI).

    The local backend's batch job translates from the book's own parallel data as a memory (the
    stand-in for ACT): a unit close to an old sentence gets its human translation, others stay
    in the source language; with `realtime` every unit comes back unchanged.
    """
    from amts.engine.client.settings import BackendSettings
    from amts.engine.local_service import start_local_backend

    with start_local_backend(Path(workdir), job_delay=0.01) as backend:
        settings = BackendSettings(kind="local", region=backend.region,
                                   s3_endpoint_url=backend.s3_endpoint,
                                   translate_endpoint_url=backend.translate_endpoint)
        return asyncio.run(apply_with_backend(plan, settings, review_marker, realtime=realtime,
                                              workdir=Path(workdir)))
