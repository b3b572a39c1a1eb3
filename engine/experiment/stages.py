"""One sub-pipeline (a language pair and a variant), stage by stage, from book to scores.

ACT variants: prepare parallel data → upload → create/update the resource → wait ACTIVE →
prepare documents (protected HTML) → upload → start the job → watch → download → restore
Markdown → evaluate; the batch-job steps are amts.engine.act.batch_job's, which stores the job's
client token before the job is started, so that a resumed run re-attaches instead of starting a
second job. The no-ACT baseline: prepare documents → TranslateText per prose unit → restore →
evaluate. Every stage emits StageStarted/StageFinished and records itself in the run state.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from amts.engine import events as ev
from amts.engine.act.batch_job import BatchJobWorkflow, JobInputs, PollingPace, require_active
from amts.engine.align.pairs import AlignedPair
from amts.engine.atomic import write_text_atomic
from amts.engine.book import Book
from amts.engine.client.jobstate import JobDescription, ParallelDataStatus
from amts.engine.credentials import scrub_secrets
from amts.engine.errors import AmtsError, StopRequested
from amts.engine.events import PipelineStatus, Stage
from amts.engine.experiment.config import PipelineSpec, Variant
from amts.engine.experiment.report import ParallelDataFigures, PipelineResult
from amts.engine.experiment.run_context import PipelineFacts, RunContext, protect_documents, slug
from amts.engine.experiment.scoring import ScoredPipeline, flat_name, score_pipeline
from amts.engine.markup.protect import ProtectedDocument, html_to_markdown
from amts.engine.markup.protected_html import splice_units
from amts.engine.paralleldata.write import write_parallel_data

#: Beside a downloaded job's files: which article each is, and the job's figures.
DOWNLOADED_MARKER = "downloaded.json"


class SubPipeline:
    """Runs one spec to a PipelineResult; exceptions become a failed result, never escape."""

    def __init__(self, ctx: RunContext, spec: PipelineSpec, facts: PipelineFacts | None = None):
        self.ctx, self.spec = ctx, spec
        self.name = spec.name
        self.dir = ctx.run_dir / slug(spec)
        self.timings: dict[str, float] = {}
        self.warnings: list[str] = []
        self.stage_now: Stage | None = None
        self.facts = facts or PipelineFacts()
        self.failed_articles: list[str] = []  # held-out articles that did not come back translated

    # --- plumbing --------------------------------------------------------------------------------

    def emit(self, event: ev.Event) -> None:
        self.ctx.emit(event)

    def warn(self, message: str, path: str = "", line: int = 0) -> None:
        self.warnings.append(f"{path}:{line}: {message}" if path and line else
                             f"{path}: {message}" if path else message)
        self.emit(ev.Warning(self.name, message, path, line))

    def check_stop(self) -> None:
        if self.ctx.stop.is_set():
            raise StopRequested("stopped on request")

    @asynccontextmanager
    async def stage(self, stage: Stage) -> AsyncIterator[None]:
        self.check_stop()
        self.stage_now = stage
        self.ctx.state.set_stage(self.ctx.run_id, self.name, stage)
        self.emit(ev.StageStarted(self.name, stage))
        started = time.monotonic()
        yield
        seconds = time.monotonic() - started
        self.timings[stage] = self.timings.get(stage, 0.0) + seconds
        self.emit(ev.StageFinished(self.name, stage, seconds))

    def key(self, *parts: str) -> str:
        return self.ctx.service.settings.key("runs", self.ctx.run_id, slug(self.spec), *parts)

    @property
    def book(self) -> Book:
        return self.ctx.books[(self.spec.source_lang, self.spec.target_lang)]

    # --- the run ------------------------------------------------------------------------------

    async def run(self) -> PipelineResult:
        try:
            if self.spec.variant == Variant.NO_ACT:
                translations = await self._translate_text()
            else:
                translations = await self._batch_job()
            async with self.stage(Stage.RESTORE):
                outputs = self._restore(translations)
            async with self.stage(Stage.EVALUATE):
                pairs = await self.ctx.alignment.held_out_pairs(self.spec, subscriber=self.name)
                scored = await asyncio.to_thread(self._evaluate, outputs, pairs)
            if self.failed_articles:
                return self._partial(scored)
            result = self._result(PipelineStatus.SUCCEEDED, scored=scored)
            self.ctx.state.finish_pipeline(self.ctx.run_id, self.name, PipelineStatus.SUCCEEDED,
                                           summary=result.to_dict())
            self.emit(ev.Finished(self.name, result.bleu, result.chrf))
            return result
        except StopRequested as exc:
            return self._ended(PipelineStatus.STOPPED, str(exc))
        except asyncio.CancelledError:  # the UI's stop, Ctrl-C: the job (if any) was stopped
            self._ended(PipelineStatus.STOPPED, "stopped: the run was cancelled")
            self.ctx.state.finish_run(self.ctx.run_id, PipelineStatus.STOPPED)
            raise
        except AmtsError as exc:
            return self._ended(PipelineStatus.FAILED, str(exc))
        except Exception as exc:  # a bug must not take the other sub-pipelines down with it
            return self._ended(PipelineStatus.FAILED, scrub_secrets(f"internal error: {type(exc).__name__}: {exc}"))

    def _partial(self, scored: ScoredPipeline) -> PipelineResult:
        """A result with scores that does not count as a success: some held-out articles failed,
        so its corpus BLEU covers fewer articles than the other variants' and cannot be compared."""
        failed, total = len(self.failed_articles), len(self.ctx.held_out)
        message = (f"partial: {failed} of {total} held-out articles failed ({', '.join(self.failed_articles)}); "
                   f"its corpus BLEU covers only the other {total - failed}")
        result = self._result(PipelineStatus.FAILED, message=message, scored=scored)
        self.ctx.state.finish_pipeline(self.ctx.run_id, self.name, PipelineStatus.FAILED, message,
                                       result.to_dict(), stage=Stage.EVALUATE)
        self.emit(ev.Failed(self.name, message, Stage.EVALUATE, PipelineStatus.FAILED))
        return result

    def _ended(self, status: PipelineStatus, message: str) -> PipelineResult:
        result = self._result(status, message=message)
        self.ctx.state.finish_pipeline(self.ctx.run_id, self.name, status, message,
                                       result.to_dict(), stage=self.stage_now or "start")
        self.emit(ev.Failed(self.name, message, self.stage_now, status))
        return result

    def _result(self, status: PipelineStatus, *, message: str = "",
                scored: ScoredPipeline | None = None) -> PipelineResult:
        f = self.facts
        return PipelineResult(
            name=self.name, source_lang=self.spec.source_lang, target_lang=self.spec.target_lang,
            variant=self.spec.variant, status=status, message=message,
            failed_stage=self.stage_now if status != PipelineStatus.SUCCEEDED else None,
            articles=scored.articles if scored else (),
            bleu=scored.bleu if scored else None, chrf=scored.chrf if scored else None,
            bleu_signature=scored.bleu_signature if scored else "",
            chrf_signature=scored.chrf_signature if scored else "",
            failed_articles=tuple(self.failed_articles),
            parallel_data=f.parallel_data, resource_name=f.resource, job_id=f.job_id, job_status=f.job_status,
            timings=dict(self.timings), estimated_characters=f.estimated_characters,
            estimated_usd=f.estimated_usd, characters_sent=f.characters_sent,
            untranslated_segments=f.untranslated, translated_segments=f.translated,
            warnings=tuple(self.warnings),
        )

    def documents(self) -> dict[str, ProtectedDocument]:
        key = (self.spec.source_lang, self.spec.target_lang)
        if key not in self.ctx.documents:
            self.ctx.documents[key] = protect_documents(self.book, self.ctx.held_out)
        return self.ctx.documents[key]

    # --- ACT: parallel data and a batch job (amts.engine.act.batch_job) ------------------------

    def _workflow(self) -> BatchJobWorkflow:
        backend = self.ctx.config.backend

        def resource_status(status: ParallelDataStatus) -> None:
            self.emit(ev.ResourceStatus(self.name, status.name, status.status, status.imported,
                                        status.failed, status.skipped))

        def job_status(job: JobDescription) -> None:
            self.facts.job_status = job.status
            self.emit(ev.JobStatus(self.name, job.job_id, job.status, job.translated_documents,
                                   job.input_documents, job.message or ""))

        return BatchJobWorkflow(self.ctx.service, self.ctx.state, self.ctx.run_id, self.name,
                                pace=PollingPace(backend.poll_seconds, backend.max_poll_seconds),
                                stop=self.ctx.stop, on_resource=resource_status, on_job=job_status)

    async def _batch_job(self) -> dict[str, str]:
        workflow = self._workflow()
        job = workflow.recorded_job if self.ctx.resume else None
        async with self.stage(Stage.PREPARE_DATA):
            data_file = await self._prepare_data()
        resource = self.facts.resource = self._resource_name()
        if job is None:
            async with self.stage(Stage.UPLOAD_DATA):
                uri = await workflow.upload_parallel_data(data_file, self.key("data", data_file.name))
            async with self.stage(Stage.PARALLEL_DATA):
                await self._put_resource(workflow, resource, uri)
        else:  # a resumed job already names its resource: leave the resource alone
            self._recorded_resource(resource)
        async with self.stage(Stage.PREPARE_DOCS):
            docs_dir = self._write_documents()
        if job is None or job.job_id is None:  # same keys, same bytes: uploading again is safe
            async with self.stage(Stage.UPLOAD_DOCS):
                await workflow.upload_inputs(docs_dir, self.key("input"))
        saved = self._saved_download() if job is not None else None
        if saved is not None:  # downloaded before the interruption: the service is not asked again
            return saved
        async with self.stage(Stage.JOB):
            started = await workflow.start_or_attach(
                f"amts-{self.ctx.run_id}-{slug(self.spec)}",
                JobInputs(self.key("input"), self.key("output"), self.spec.source_lang,
                          self.spec.target_lang, (resource,)))
            description = started.description
            self.facts.job_id = description.job_id
            if started.reattached:
                self.emit(ev.Warning(self.name, f"re-attached to job {description.job_id} ({description.status})"))
            else:
                self.emit(ev.JobStatus(self.name, description.job_id, description.status))
            description = await workflow.watch(description.job_id)
        async with self.stage(Stage.DOWNLOAD):
            return await self._download(workflow, description)

    def _resource_name(self) -> str:
        prefix = self.ctx.config.backend.resource_prefix
        return f"{prefix}-{self.spec.source_lang}-{self.spec.target_lang}-{self.spec.granularity}"

    async def _prepare_data(self) -> Path:
        granularity = self.spec.granularity or "sentence"
        pairs: list[AlignedPair] = await self.ctx.alignment.data_pairs(self.spec, granularity, subscriber=self.name)
        fmt = self.ctx.config.align.format
        path = self.dir / "data" / f"parallel-{granularity}.{fmt}"
        report = await asyncio.to_thread(
            write_parallel_data, pairs, path, fmt, self.spec.source_lang, self.spec.target_lang,
            min_confidence=self.ctx.config.align.min_confidence, exclusions=self.ctx.exclusions)
        self.facts.parallel_data = ParallelDataFigures(
            str(path), granularity, report.input_pairs, report.written, report.dropped,
            report.dropped_low_confidence, excluded=report.excluded, awaiting_review=report.awaiting_review)
        if report.removed_invalid_chars:  # kept, cleaned: XML (TMX) and Amazon cannot carry them
            self.warn(f"{report.removed_invalid_chars} parallel-data fields had control or XML-invalid "
                      "characters (such as U+FFFE) removed", str(path))
        if report.written == 0:
            raise AmtsError("no parallel data left to upload: the book has no aligned pairs "
                            "outside the held-out articles (or all fall below min_confidence)")
        return path

    def _imported(self, status: str, imported: int, failed: int, skipped: int) -> None:
        if self.facts.parallel_data is not None:
            self.facts.parallel_data = ParallelDataFigures(
                **{**self.facts.parallel_data.__dict__, "imported": imported, "failed": failed,
                   "skipped": skipped, "resource_status": status})

    async def _put_resource(self, workflow: BatchJobWorkflow, name: str, uri: str) -> None:
        status = await workflow.put_parallel_data(
            name, uri, self.ctx.config.align.format.upper(),
            description=f"AMTS {self.spec.source_lang}->{self.spec.target_lang} "
                        f"{self.spec.granularity} pairs, run {self.ctx.run_id}")
        self._imported(status.status, status.imported, status.failed, status.skipped)
        require_active(status)
        if status.failed:
            self.warn(f"parallel data {name!r}: {status.failed} records failed to import")

    def _recorded_resource(self, name: str) -> None:
        """The import figures of the resource an earlier attempt of this run put."""
        recorded = self.ctx.state.resource(name)
        if recorded is not None and recorded.run_id == self.ctx.run_id:
            self._imported(recorded.status, recorded.imported, recorded.failed, recorded.skipped)

    def _write_documents(self) -> Path:
        docs_dir = self.dir / "input"
        for name, doc in self.documents().items():
            write_text_atomic(docs_dir / flat_name(name), doc.html)
        return docs_dir

    async def _download(self, workflow: BatchJobWorkflow, job: JobDescription) -> dict[str, str]:
        output = await workflow.download(job, self.dir / "job-output")
        by_flat = {flat_name(name): name for name in self.documents()}
        failed_documents: set[str] = set()
        for error in output.errors:
            self.warn(f"the job could not translate {error.source_file}: {error.message}")
            failed = by_flat.get(Path(error.source_file).name)
            if failed is not None:
                failed_documents.add(failed)
        figures = output.figures(self.spec.target_lang)
        self.facts.characters_sent = figures.characters
        self.facts.translated, self.facts.untranslated = figures.segments.translated, figures.segments.untranslated
        self.facts.per_document = figures.per_document
        translations: dict[str, str] = {}
        files: dict[str, str] = {}
        for relative, path in output.files.items():
            name = by_flat.get(Path(relative).name)
            if name is not None and name not in failed_documents:
                translations[name] = path.read_text(encoding="utf-8")
                files[name] = str(path)
        write_text_atomic(self.dir / "job-output" / DOWNLOADED_MARKER,
                          json.dumps({"files": files, "facts": self.facts.saved_job()}, ensure_ascii=False))
        return translations

    def _saved_download(self) -> dict[str, str] | None:
        """The translations an interrupted attempt downloaded (None: not downloaded, or damaged)."""
        try:
            saved = json.loads((self.dir / "job-output" / DOWNLOADED_MARKER).read_text(encoding="utf-8"))
            translations = {name: Path(path).read_text(encoding="utf-8") for name, path in saved["files"].items()}
            self.facts.restore_job(saved["facts"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None
        return translations

    # --- no-ACT: TranslateText per prose unit -------------------------------------------------

    async def _translate_text(self) -> dict[str, str]:
        async with self.stage(Stage.PREPARE_DOCS):
            docs = self.documents()
        async with self.stage(Stage.TRANSLATE):
            total = sum(len(d.inner_html()) for d in docs.values())
            done = 0
            sent = 0

            async def one(inner: str) -> str:
                nonlocal done, sent
                self.check_stop()
                sent += len(inner)
                # Sent all at once: the client's one concurrency limit paces the calls.
                out = await self.ctx.service.translate_text(inner, self.spec.source_lang, self.spec.target_lang)
                done += 1
                if done % 10 == 0 or done == total:
                    self.emit(ev.Progress(self.name, Stage.TRANSLATE, done, total))
                return out

            translations: dict[str, str] = {}
            for name, doc in docs.items():
                units = doc.inner_html()
                outs = await asyncio.gather(*(one(inner) for inner in units.values()))
                translations[name] = splice_units(doc.html, dict(zip(units, outs)))
            self.facts.characters_sent = sent
        return translations

    # --- restore and evaluate -----------------------------------------------------------------

    def _restore(self, translations: dict[str, str]) -> dict[str, tuple[str, Path]]:
        """Markdown of every translated article, written under the run; name → (html, path)."""
        outputs: dict[str, tuple[str, Path]] = {}
        for name, doc in self.documents().items():
            html = translations.get(name)
            if html is None:
                self.warn("no translation came back for this article; it is not scored", name)
                self.failed_articles.append(name)
                continue
            restored = html_to_markdown(html, doc, target_lang=self.spec.target_lang)
            for w in restored.warnings:
                self.warn(w.message, name, w.line)
            path = self.dir / "output" / name
            write_text_atomic(path, restored.text)
            self.ctx.state.add_artifact(self.ctx.run_id, self.name, "output", path)
            outputs[name] = (html, path)
        if not outputs:
            raise AmtsError("no article was translated: nothing to evaluate")
        return outputs

    def _evaluate(self, outputs: dict[str, tuple[str, Path]],
                  pairs: dict[str, list[AlignedPair]]) -> ScoredPipeline:
        return score_pipeline(
            self.spec, self.book, self.documents(), outputs, pairs,
            terminology=self.ctx.terminology.get((self.spec.source_lang, self.spec.target_lang)),
            per_document=self.facts.per_document, out_dir=self.dir, warn=self.warn)
