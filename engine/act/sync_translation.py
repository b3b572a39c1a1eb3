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

The job goes through the one ACT workflow (amts.engine.act.batch_job) and is recorded in the run
state of the work directory as a run of kind "sync", its ClientToken stored before the start call:
a `sync --write` killed while its job runs, run again with `--resume`, re-attaches to that job.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path

from amts.engine.act.backend import open_backend
from amts.engine.act.batch_job import BatchJobWorkflow, JobInputs, PollingPace, require_active
from amts.engine.act.state import RunKind, StateStore
from amts.engine.align.book_alignment import align_book
from amts.engine.align.pairs import AlignedPair
from amts.engine.book import open_book
from amts.engine.client.jobstate import JobDescription
from amts.engine.client.service import TranslateService
from amts.engine.client.settings import BackendSettings, BackendSettingsError
from amts.engine.cost import (
    DEFAULT_MAX_COST_USD,
    CostEstimate,
    billable_characters,
    check_cost_limit,
    estimate_cost,
)
from amts.engine.errors import AmtsError
from amts.engine.markup.protected_html import fragment_text, read_units, unit_element, units_document
from amts.engine.paralleldata.write import write_parallel_data
from amts.engine.sync.apply import DEFAULT_REVIEW_MARKER, ApplyResult, Translator, apply_sync
from amts.engine.sync.plan import DEFAULT_COST_VARIANT
from amts.engine.sync.units import SyncPlan

#: Split the job's input well below Amazon's 1,000,000 characters / 1 MB of text per document.
MAX_DOCUMENT_BYTES = 400_000


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
    reattached: bool = False  # a resumed apply found the job a killed one had started

    def summary_lines(self) -> list[str]:
        memory = (f"parallel data {self.resource!r} ({self.records} records)" if self.resource
                  else "no parallel data (the book had no aligned pairs)")
        again = " (re-attached)" if self.reattached else ""
        lines = [f"batch job {self.job_id} {self.status}{again} with {memory}: {self.units} units in "
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
    """HTML documents holding each fragment as a unit whose index is its place in `fragments`,
    each document under `max_bytes` (unless one unit alone is larger)."""
    documents: list[str] = []
    lines: list[str] = []
    size = 0
    for index, fragment in enumerate(fragments):
        line = unit_element("p", index, " ".join(fragment.splitlines())) + "\n"
        length = len(line.encode("utf-8"))
        if lines and size + length > max_bytes:
            documents.append(units_document(lines))
            lines, size = [], 0
        lines.append(line)
        size += length
    if lines:
        documents.append(units_document(lines))
    return documents


def book_pairs(book_root: Path, workdir: Path | None, jobs: int | None = None) -> list[AlignedPair]:
    """Sentence pairs of the book as it stands (old source ↔ translation). Machine text an
    earlier sync left for review is among them: `write_parallel_data` leaves it out."""
    alignment = align_book(open_book(Path(book_root)), workdir=workdir, jobs=jobs)
    return alignment.pairs("sentence")


class BatchJobTranslator:
    """`async (texts, source_lang, target_lang) -> texts` through one ACT batch job.

    The job runs through amts.engine.act.batch_job and is recorded in the run state of `workdir`
    (a run of kind "sync"): with `resume`, a call whose job a killed process had started (same
    units, so the same job name) re-attaches to that job instead of starting a second one.
    `report` holds the BatchReport of the last call.
    """

    def __init__(self, service: TranslateService, book_root: Path, workdir: Path, *,
                 resource: str | None = None, pace: PollingPace | None = None, resume: bool = False,
                 jobs: int | None = None, max_document_bytes: int = MAX_DOCUMENT_BYTES,
                 max_cost_usd: float | None = DEFAULT_MAX_COST_USD):
        self.service = service
        self.max_cost_usd = max_cost_usd
        self.book_root = Path(book_root)
        self.workdir = Path(workdir)
        self.resource = resource
        self.pace = pace or PollingPace()
        self.resume = resume
        self.jobs = jobs
        self.max_document_bytes = max_document_bytes
        self.report: BatchReport | None = None

    async def __call__(self, texts: list[str], source_lang: str, target_lang: str) -> list[str]:
        if not texts:
            return []
        service = self.service
        documents = batch_documents(texts, self.max_document_bytes)
        # The exact bill of these documents, before the first call (the plan's figure is close).
        [cost] = estimate_cost({DEFAULT_COST_VARIANT: sum(billable_characters(d, "text/html") for d in documents)})
        check_cost_limit(cost.usd, self.max_cost_usd, f"the sync's batch job ({cost.characters} characters at "
                         f"${cost.usd_per_million_chars:g} per million)", path=self.book_root)
        await service.prepare_bucket()  # never created on AWS: only checked
        digest = hashlib.sha256("\0".join(documents).encode("utf-8")).hexdigest()[:16]
        job_name = f"amts-sync-{digest}"
        pipeline = f"sync/{source_lang}-{target_lang}"
        state = StateStore(self.workdir)
        run_id = self._run_id(state, pipeline, job_name)
        try:
            return await self._translate(texts, source_lang, target_lang, state, run_id, documents, digest,
                                         job_name, pipeline)
        except asyncio.CancelledError:  # stopped (its job, if started, was stopped by the workflow)
            state.finish_run(run_id, "stopped")
            raise

    async def _translate(self, texts: list[str], source_lang: str, target_lang: str, state: StateStore,
                         run_id: str, documents: list[str], digest: str, job_name: str,
                         pipeline: str) -> list[str]:
        service = self.service
        workflow = BatchJobWorkflow(service, state, run_id, pipeline, pace=self.pace)
        recorded = workflow.recorded_job
        name = self.resource or resource_name(source_lang, target_lang)
        if recorded is None:
            records = await self._put_parallel_data(workflow, name, source_lang, target_lang)
        else:  # the job was reserved after its resource was ready: leave the resource alone
            kept = state.resource(name)
            records = kept.imported if kept is not None and kept.run_id == run_id else 0
        if not records:
            name = ""
        base = service.settings.key("sync", f"{source_lang}-{target_lang}-{digest}")
        if recorded is None or recorded.job_id is None:  # same keys, same bytes: safe to repeat
            for number, document in enumerate(documents):
                await service.upload_bytes(document.encode("utf-8"), f"{base}/input/units-{number:03d}.html",
                                           "text/html")
        started = await workflow.start_or_attach(
            job_name, JobInputs(f"{base}/input", f"{base}/output", source_lang, target_lang,
                                (name,) if name else ()))
        job = await workflow.watch(started.description.job_id)
        returned, errors = await self._download(workflow, job, self.workdir / "sync-jobs" / job.job_id)
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
        state.finish_run(run_id, "succeeded")
        self.report = BatchReport(name, records, job.job_id, job.status, len(documents), len(texts),
                                  changed, unchanged, tuple(fragment_text(t) for t in missing),
                                  tuple(errors), job.message or "", reattached=started.reattached)
        return outputs

    def _run_id(self, state: StateStore, pipeline: str, job_name: str) -> str:
        """The run to record this job in: with `resume`, the latest sync run when it holds a job
        for the same units (a killed `sync --write`); otherwise a new one."""
        if self.resume:
            latest = state.latest_run(RunKind.SYNC)
            job = state.job(latest.run_id, pipeline) if latest is not None else None
            if latest is not None and job is not None and job.job_name == job_name:
                state.reopen_run(latest.run_id)
                return latest.run_id
        return state.start_run(job_name, RunKind.SYNC).run_id

    async def _put_parallel_data(self, workflow: BatchJobWorkflow, name: str, source_lang: str,
                                 target_lang: str) -> int:
        """Align the book, export, upload and put the resource; the records it imported (0: no data)."""
        pairs = await asyncio.to_thread(book_pairs, self.book_root, self.workdir, self.jobs)
        path = self.workdir / "sync-data" / f"{name}.csv"
        report = await asyncio.to_thread(write_parallel_data, pairs, path, "csv", source_lang,
                                         target_lang)
        if report.written == 0:
            return 0
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        key = self.service.settings.key("sync", "data", f"{name}-{digest}.csv")
        uri = await workflow.upload_parallel_data(path, key)
        status = await workflow.put_parallel_data(
            name, uri, "CSV", description=f"AMTS sync: the book's own {source_lang}->{target_lang} sentence pairs")
        return require_active(status).imported

    async def _download(self, workflow: BatchJobWorkflow, job: JobDescription,
                        dest: Path) -> tuple[dict[int, str], list[str]]:
        """Units that came back by index, and the job's per-document errors."""
        output = await workflow.download(job, dest)
        errors = [f"{e.source_file}: {e.message}" for e in output.errors]
        returned: dict[int, str] = {}
        for path in output.files.values():
            returned.update(read_units(path.read_text(encoding="utf-8")))
        if not returned:
            raise AmtsError(f"translation job {job.job_id} ended {job.status} and brought nothing back: "
                            f"{job.message or '; '.join(errors) or 'no reason given'}")
        return returned, errors


def _preview(text: str, width: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def service_translator(service: TranslateService, max_cost_usd: float | None = DEFAULT_MAX_COST_USD) -> Translator:
    """A translator over a TranslateService's TranslateText (HTML in Text keeps translate="no");
    every unit is sent at once, the client's one concurrency limit paces them. TranslateText bills
    every character of its Text: checked against `max_cost_usd` before the first call."""

    async def translate(texts: list[str], source_lang: str, target_lang: str) -> list[str]:
        [cost] = estimate_cost({"standard": sum(len(t) for t in texts)})
        check_cost_limit(cost.usd, max_cost_usd, f"the sync's TranslateText calls ({cost.characters} characters "
                         f"at ${cost.usd_per_million_chars:g} per million)")
        return list(await asyncio.gather(*(service.translate_text(t, source_lang, target_lang) for t in texts)))

    return translate


def sync_backend(kind: str | None = None, *, region: str | None = None, profile: str | None = None,
                 bucket: str | None = None, role_arn: str | None = None,
                 base: BackendSettings | None = None) -> BackendSettings:
    """The backend `sync --write` translates through: the embedded local service (the book's own
    memory stands in for ACT) or AWS with the standard credential chain.

    `base` is a config file's `[backend]` (already validated, naming its file); the flags given
    override it. AWS has no defaults for the bucket and the role: a missing one is an AmtsError
    naming the flag (and the config key), before anything is called."""
    base = base or BackendSettings(kind="local")
    kind = kind or base.kind
    if kind != "aws":
        return BackendSettings(kind="local")
    aws = base if base.kind == "aws" else None
    try:
        return BackendSettings(kind="aws", region=region or (aws.region if aws else ""),
                               profile=profile or (aws.profile if aws else None),
                               bucket=bucket or (aws.bucket if aws else ""),
                               role_arn=role_arn or (aws.role_arn if aws else ""), prefix=base.prefix)
    except BackendSettingsError as exc:
        raise AmtsError(f"--{exc.setting.replace('_', '-')} (or backend.{exc.setting} in --config): "
                        f"{exc.message}") from None


def check_sync_cost(plan: SyncPlan, max_cost_usd: float | None, *, realtime: bool = False) -> CostEstimate:
    """What `--write` will pay for the plan's units (one ACT batch job, or TranslateText with
    `realtime`); CostLimitError over `max_cost_usd`, before anything is called."""
    [estimate] = estimate_cost({"standard" if realtime else DEFAULT_COST_VARIANT: plan.characters_to_translate})
    check_cost_limit(estimate.usd, max_cost_usd,
                     f"this sync ({estimate.characters} characters at ${estimate.usd_per_million_chars:g} "
                     "per million)", path=plan.book_root)
    return estimate


async def apply_through_backend(plan: SyncPlan, settings: BackendSettings, workdir: Path,
                                review_marker: str = DEFAULT_REVIEW_MARKER, *, realtime: bool = False,
                                resume: bool = False, pace: PollingPace | None = None,
                                max_cost_usd: float | None = DEFAULT_MAX_COST_USD) -> ApplyResult:
    """Apply the plan through a backend (the embedded local one is started in `workdir`).

    By default one ACT batch job with the book's own parallel data, recorded in `workdir`'s run
    state (which also caches the alignment and keeps the job's files), so that `resume`
    re-attaches to the job of a killed apply; `realtime` sends each unit through TranslateText
    instead (standard translation, no parallel data). `pace`: status polling (default 5 s growing
    to 60 s on AWS, 0.1 s to 2 s locally). The estimate is checked against `max_cost_usd` first,
    whatever the backend, so that every caller (CLI, UI) refuses the same over-budget sync.
    """
    if plan.characters_to_translate:
        check_sync_cost(plan, max_cost_usd, realtime=realtime)
    async with open_backend(settings, workdir) as service:
        if realtime:
            return await apply_sync(plan, service_translator(service, max_cost_usd), review_marker)
        if pace is None:
            pace = PollingPace(5.0, 60.0) if settings.kind == "aws" else PollingPace(0.1, 2.0)
        translator = BatchJobTranslator(service, plan.book_root, workdir, pace=pace, resume=resume,
                                        max_cost_usd=max_cost_usd)
        result = await apply_sync(plan, translator, review_marker)
        return replace(result, batch=translator.report)


def apply_with_local_backend(plan: SyncPlan, workdir: Path, review_marker: str = DEFAULT_REVIEW_MARKER,
                             *, realtime: bool = False, resume: bool = False,
                             max_cost_usd: float | None = DEFAULT_MAX_COST_USD) -> ApplyResult:
    """`apply_through_backend` on the embedded local backend, blocking (for the CLI, the UI, tests).

    The local backend's batch job translates from the book's own parallel data as a memory (the
    stand-in for ACT): a unit close to an old sentence gets its human translation, others stay
    in the source language; with `realtime` every unit comes back unchanged.
    """
    return asyncio.run(apply_through_backend(plan, sync_backend("local"), Path(workdir), review_marker,
                                             realtime=realtime, resume=resume, max_cost_usd=max_cost_usd))
