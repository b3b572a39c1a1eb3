"""One sub-pipeline (a language pair and a variant), stage by stage, from book to scores.

ACT variants: prepare parallel data → upload → create/update the resource → wait ACTIVE →
prepare documents (protected HTML) → upload → start the job → watch → download → restore
Markdown → evaluate. The no-ACT baseline: prepare documents → TranslateText per prose unit →
restore → evaluate. Every stage emits StageStarted/StageFinished and records itself in the run
state; the job's client token is stored before the job is started, which is what lets a resumed
run re-attach instead of starting a second job.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from amts.engine import events as ev
from amts.engine.act.state import StateStore
from amts.engine.align.pairs import AlignedPair
from amts.engine.atomic import write_text_atomic
from amts.engine.book import Book, read_markdown_file
from amts.engine.client.jobstate import JobDescription
from amts.engine.credentials import scrub_secrets
from amts.engine.errors import AmtsError
from amts.engine.experiment.config import ExperimentConfig, PipelineSpec
from amts.engine.experiment.report import PipelineResult
from amts.engine.experiment.scoring import ScoredPipeline, flat_name, score_pipeline
from amts.engine.markup.protect import ProtectedDocument, html_to_markdown, markdown_to_html
from amts.engine.paralleldata.write import write_parallel_data

_UNIT_LINE = re.compile(r'^<(h[1-6]|p|li|td) data-b="(\d+)">(.*)</\1>$')


class StoppedError(Exception):
    """The run's stop event was set: the sub-pipeline ends where it is, resumable."""


@dataclass
class RunContext:
    """What every sub-pipeline of one run shares."""

    config: ExperimentConfig
    service: Any  # amts.engine.client.service.TranslateService
    state: StateStore
    run_id: str
    run_dir: Path
    emit: Callable[[ev.Event], None]
    stop: asyncio.Event
    books: dict[tuple[str, str], Book]
    held_out: tuple[str, ...]  # section names
    alignment: Any  # amts.engine.experiment.pipeline.SharedAlignment
    resume: bool = False
    terminology: dict[tuple[str, str], list] = field(default_factory=dict)  # per direction
    documents: dict[tuple[str, str], dict[str, ProtectedDocument]] = field(default_factory=dict)


def slug(spec: PipelineSpec) -> str:
    """A file- and key-safe name: en-zh__act-sentence."""
    return f"{spec.source_lang}-{spec.target_lang}__{spec.variant}"


def protect_documents(book: Book, held_out: tuple[str, ...]) -> dict[str, ProtectedDocument]:
    """The protected HTML skeleton of every held-out article, by section name."""
    docs: dict[str, ProtectedDocument] = {}
    for name in held_out:
        section = book.section(name)
        text = read_markdown_file(section.source_path, _display(book, section.source_path))
        docs[name] = markdown_to_html(text, title=name, source_lang=book.source_lang)
    return docs


def unit_html(doc: ProtectedDocument) -> dict[int, str]:
    """Each prose unit's inner HTML, by block index (one unit a line in the rendered HTML)."""
    units: dict[int, str] = {}
    for line in doc.html.splitlines():
        m = _UNIT_LINE.match(line)
        if m:
            units[int(m.group(2))] = m.group(3)
    return units


class SubPipeline:
    """Runs one spec to a PipelineResult; exceptions become a failed result, never escape."""

    def __init__(self, ctx: RunContext, spec: PipelineSpec):
        self.ctx, self.spec = ctx, spec
        self.name = spec.name
        self.dir = ctx.run_dir / slug(spec)
        self.timings: dict[str, float] = {}
        self.warnings: list[str] = []
        self.stage_now = ""
        self.facts: dict[str, Any] = {}  # figures gathered on the way into the result

    # --- plumbing --------------------------------------------------------------------------------

    def emit(self, event: ev.Event) -> None:
        self.ctx.emit(event)

    def warn(self, message: str, path: str = "", line: int = 0) -> None:
        self.warnings.append(f"{path}:{line}: {message}" if path and line else
                             f"{path}: {message}" if path else message)
        self.emit(ev.Warning(self.name, message, path, line))

    def check_stop(self) -> None:
        if self.ctx.stop.is_set():
            raise StoppedError("stopped on request")

    @asynccontextmanager
    async def stage(self, stage: str) -> AsyncIterator[None]:
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
            if self.spec.variant == "no-act":
                translations = await self._translate_text()
            else:
                translations = await self._batch_job()
            async with self.stage("restore"):
                outputs = self._restore(translations)
            async with self.stage("evaluate"):
                pairs = await self.ctx.alignment.held_out_pairs(self.spec, subscriber=self.name)
                scored = await asyncio.to_thread(self._evaluate, outputs, pairs)
            result = self._result("succeeded", scored=scored)
            self.ctx.state.finish_pipeline(self.ctx.run_id, self.name, "succeeded",
                                           summary=result.to_dict())
            self.emit(ev.Finished(self.name, summary=result.to_dict()))
            return result
        except StoppedError as exc:
            return self._ended("stopped", str(exc))
        except AmtsError as exc:
            return self._ended("failed", str(exc))
        except Exception as exc:  # a bug must not take the other sub-pipelines down with it
            return self._ended("failed", scrub_secrets(f"internal error: {type(exc).__name__}: {exc}"))

    def _ended(self, status: str, message: str) -> PipelineResult:
        result = self._result(status, message=message)
        self.ctx.state.finish_pipeline(self.ctx.run_id, self.name, status, message,
                                       result.to_dict(), stage=self.stage_now or "start")
        self.emit(ev.Failed(self.name, message, self.stage_now))
        return result

    def _result(self, status: str, *, message: str = "",
                scored: ScoredPipeline | None = None) -> PipelineResult:
        f = self.facts
        return PipelineResult(
            name=self.name, source_lang=self.spec.source_lang, target_lang=self.spec.target_lang,
            variant=self.spec.variant, status=status, message=message,
            failed_stage=self.stage_now if status != "succeeded" else "",
            articles=scored.articles if scored else (),
            bleu=scored.bleu if scored else None, chrf=scored.chrf if scored else None,
            bleu_signature=scored.bleu_signature if scored else "",
            chrf_signature=scored.chrf_signature if scored else "",
            parallel_data=f.get("parallel_data", {}), resource_name=f.get("resource", ""),
            job_id=f.get("job_id", ""), job_status=f.get("job_status", ""),
            timings=dict(self.timings), estimated_characters=f.get("estimated_characters", 0),
            estimated_usd=f.get("estimated_usd", 0.0), characters_sent=f.get("characters_sent", 0),
            untranslated_segments=f.get("untranslated", 0), translated_segments=f.get("translated", 0),
            warnings=tuple(self.warnings),
        )

    def documents(self) -> dict[str, ProtectedDocument]:
        key = (self.spec.source_lang, self.spec.target_lang)
        if key not in self.ctx.documents:
            self.ctx.documents[key] = protect_documents(self.book, self.ctx.held_out)
        return self.ctx.documents[key]

    # --- ACT: parallel data and a batch job ---------------------------------------------------

    async def _batch_job(self) -> dict[str, str]:
        job = self.ctx.state.job(self.ctx.run_id, self.name) if self.ctx.resume else None
        async with self.stage("prepare-data"):
            data_file = await self._prepare_data()
        resource = self.facts["resource"] = self._resource_name()
        if job is None:  # a resumed job already names its resource: leave the resource alone
            async with self.stage("upload-data"):
                key = await self.ctx.service.upload_file(data_file, self.key("data", data_file.name))
                self.ctx.state.add_artifact(self.ctx.run_id, self.name, "parallel-data", data_file)
            async with self.stage("parallel-data"):
                await self._put_resource(resource, key)
        async with self.stage("prepare-docs"):
            docs_dir = self._write_documents()
        if job is None or job.job_id is None:  # same keys, same bytes: uploading again is safe
            async with self.stage("upload-docs"):
                await self.ctx.service.upload_folder(docs_dir, self.key("input") + "/")
        saved = self._saved_download() if job is not None else None
        if saved is not None:  # downloaded before the interruption: the service is not asked again
            return saved
        async with self.stage("job"):
            description = await self._start_or_attach(resource)
            description = await self._watch(description)
        async with self.stage("download"):
            return await self._download(description)

    def _saved_download(self) -> dict[str, str] | None:
        marker = self.dir / "job-output" / "downloaded.json"
        try:
            saved = json.loads(marker.read_text(encoding="utf-8"))
            translations = {name: Path(path).read_text(encoding="utf-8")
                            for name, path in saved["files"].items()}
        except (OSError, ValueError, KeyError, TypeError):
            return None
        self.facts.update(saved["facts"])
        return translations

    def _resource_name(self) -> str:
        prefix = self.ctx.config.backend.resource_prefix
        return f"{prefix}-{self.spec.source_lang}-{self.spec.target_lang}-{self.spec.granularity}"

    async def _prepare_data(self) -> Path:
        pairs: list[AlignedPair] = await self.ctx.alignment.data_pairs(
            self.spec, self.spec.granularity, subscriber=self.name)
        fmt = self.ctx.config.align.format
        path = self.dir / "data" / f"parallel-{self.spec.granularity}.{fmt}"
        report = await asyncio.to_thread(
            write_parallel_data, pairs, path, fmt, self.spec.source_lang, self.spec.target_lang,
            min_confidence=self.ctx.config.align.min_confidence)
        self.facts["parallel_data"] = {
            "path": str(path), "granularity": self.spec.granularity, "input_pairs": report.input_pairs,
            "written": report.written, "dropped": report.dropped,
            "dropped_low_confidence": report.dropped_low_confidence,
        }
        if report.written == 0:
            raise AmtsError("no parallel data left to upload: the book has no aligned pairs "
                            "outside the held-out articles (or all fall below min_confidence)")
        return path

    async def _put_resource(self, name: str, key: str) -> None:
        service = self.ctx.service
        uri = service.settings.s3_uri(key)
        submission = await service.put_parallel_data(
            name, uri, self.ctx.config.align.format.upper(),
            description=f"AMTS {self.spec.source_lang}->{self.spec.target_lang} "
                        f"{self.spec.granularity} pairs, run {self.ctx.run_id}")

        def report(status: Any) -> None:
            self.emit(ev.ResourceStatus(self.name, name, status.status, status.imported,
                                        status.failed, status.skipped))

        status = await service.wait_parallel_data(
            name, on_status=report, stop=self.ctx.stop,
            watch_update=submission.operation == "update",
            poll_interval=self.ctx.config.backend.poll_seconds,
            max_poll_interval=self.ctx.config.backend.max_poll_seconds)
        self.check_stop()
        self.ctx.state.record_resource(name, self.ctx.run_id, self.name, status.status, uri,
                                       status.imported, status.failed, status.skipped)
        self.facts["parallel_data"].update(imported=status.imported, failed=status.failed,
                                           skipped=status.skipped, resource_status=status.status)
        if status.status != "ACTIVE":
            raise AmtsError(f"parallel data {name!r} ended {status.status}: "
                            f"{status.message or 'no reason given'}")
        if status.failed:
            self.warn(f"parallel data {name!r}: {status.failed} records failed to import")

    def _write_documents(self) -> Path:
        docs_dir = self.dir / "input"
        for name, doc in self.documents().items():
            write_text_atomic(docs_dir / flat_name(name), doc.html)
        return docs_dir

    async def _start_or_attach(self, resource: str) -> JobDescription:
        state, run_id, service = self.ctx.state, self.ctx.run_id, self.ctx.service
        job_name = f"amts-{run_id}-{slug(self.spec)}"
        # The token is on disk before the call: a kill during the call resumes with the same one.
        record = state.reserve_job(run_id, self.name, job_name)
        if record.job_id:
            self.facts["job_id"] = record.job_id
            self.emit(ev.Warning(self.name, f"re-attached to job {record.job_id} ({record.status})"))
            return await service.describe_job(record.job_id)
        self.check_stop()
        description = await service.start_job(
            input_s3_uri=service.settings.s3_uri(self.key("input") + "/"),
            output_s3_uri=service.settings.s3_uri(self.key("output") + "/"),
            source_language=self.spec.source_lang, target_languages=[self.spec.target_lang],
            content_type="text/html", parallel_data_names=[resource], job_name=record.job_name,
            client_token=record.client_token)
        state.update_job(run_id, self.name, job_id=description.job_id, status=description.status)
        self.facts["job_id"] = description.job_id
        self.emit(ev.JobStatus(self.name, description.job_id, description.status))
        return description

    async def _watch(self, description: JobDescription) -> JobDescription:
        def report(job: JobDescription) -> None:
            self.facts["job_status"] = job.status
            self.ctx.state.update_job(self.ctx.run_id, self.name, status=job.status,
                                      output_uri=job.output_s3_uri, message=job.message)
            self.emit(ev.JobStatus(self.name, job.job_id, job.status, job.translated_documents,
                                   job.input_documents, job.message or ""))

        job = await self.ctx.service.wait_job(
            description.job_id, on_status=report, stop=self.ctx.stop,
            poll_interval=self.ctx.config.backend.poll_seconds,
            max_poll_interval=self.ctx.config.backend.max_poll_seconds)
        self.check_stop()
        if job.status in ("FAILED", "STOPPED"):
            raise AmtsError(f"translation job {job.job_id} ended {job.status}: "
                            f"{job.message or 'no reason given'}")
        return job

    async def _download(self, job: JobDescription) -> dict[str, str]:
        output = await self.ctx.service.download_job_output(job, self.dir / "job-output")
        for error in output.errors:
            self.warn(f"the job could not translate {error.source_file}: {error.message}")
        details: dict[str, Any] = (output.details.get(self.spec.target_lang)
                                   or next(iter(output.details.values()), {}))
        self.facts["characters_sent"] = int(details.get("charactersTranslated") or 0)
        self.facts["translated"] = int(details.get("translatedSegments") or 0)
        self.facts["untranslated"] = int(details.get("untranslatedSegments") or 0)
        self.facts["per_document"] = {
            Path(str(d.get("sourceFile", ""))).name: d.get("auxiliaryData", {})
            for d in details.get("details", ()) if isinstance(d, dict)}
        by_flat = {flat_name(name): name for name in self.documents()}
        translations: dict[str, str] = {}
        files: dict[str, str] = {}
        for relative, path in output.files.items():
            name = by_flat.get(Path(relative).name)
            if name is not None:
                translations[name] = path.read_text(encoding="utf-8")
                files[name] = str(path)
        facts = {k: self.facts[k] for k in ("characters_sent", "translated", "untranslated",
                                             "per_document", "job_id", "job_status")
                 if k in self.facts}
        write_text_atomic(self.dir / "job-output" / "downloaded.json",
                          json.dumps({"files": files, "facts": facts}, ensure_ascii=False))
        return translations

    # --- no-ACT: TranslateText per prose unit -------------------------------------------------

    async def _translate_text(self) -> dict[str, str]:
        async with self.stage("prepare-docs"):
            docs = self.documents()
        async with self.stage("translate"):
            gate = asyncio.Semaphore(self.ctx.service.settings.max_concurrency)
            total = sum(len(unit_html(d)) for d in docs.values())
            done = 0
            sent = 0

            async def one(inner: str) -> str:
                nonlocal done, sent
                async with gate:
                    self.check_stop()
                    sent += len(inner)
                    out = await self.ctx.service.translate_text(
                        inner, self.spec.source_lang, self.spec.target_lang)
                done += 1
                if done % 10 == 0 or done == total:
                    self.emit(ev.Progress(self.name, "translate", done, total))
                return out

            translations: dict[str, str] = {}
            for name, doc in docs.items():
                units = unit_html(doc)
                outs = await asyncio.gather(*(one(inner) for inner in units.values()))
                html = doc.html
                lines = []
                translated = dict(zip(units, outs))
                for line in html.splitlines(keepends=True):
                    m = _UNIT_LINE.match(line.rstrip("\n"))
                    if m and int(m.group(2)) in translated:
                        tag, index = m.group(1), m.group(2)
                        line = f'<{tag} data-b="{index}">{translated[int(index)]}</{tag}>\n'
                    lines.append(line)
                translations[name] = "".join(lines)
            self.facts["characters_sent"] = sent
        return translations

    # --- restore and evaluate -----------------------------------------------------------------

    def _restore(self, translations: dict[str, str]) -> dict[str, tuple[str, Path]]:
        """Markdown of every translated article, written under the run; name → (html, path)."""
        outputs: dict[str, tuple[str, Path]] = {}
        for name, doc in self.documents().items():
            html = translations.get(name)
            if html is None:
                self.warn("no translation came back for this article; it is not scored", name)
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
            per_document=self.facts.get("per_document", {}),
            out_dir=self.dir, warn=self.warn)


def _display(book: Book, path: Path) -> str:
    try:
        return path.relative_to(book.root).as_posix()
    except ValueError:
        return str(path)


