"""Run the experiment: every sub-pipeline (language pair × variant) concurrently, one report.

    result = await run_experiment(config, events=queue_or_callback, stop=stop_event, resume=False)

Nothing here prints: progress leaves as `amts.engine.events` objects on the one stream. A failing
sub-pipeline emits `Failed` and the others go on; a run-level problem (no book, a held-out
article that does not exist, an estimate over `max_cost_usd`) raises AmtsError before any call
that Amazon bills. With `resume=True` the latest run of the work directory continues: finished
sub-pipelines are reported from the state, started jobs are re-attached, never started twice.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path

from amts.engine import events as ev
from amts.engine.act.backend import open_backend
from amts.engine.act.state import RunRecord, StateStore
from amts.engine.book import Book, open_book, reversed_book
from amts.engine.cost import CostLimitError, billable_characters, check_cost_limit, estimate_cost
from amts.engine.errors import AmtsError
from amts.engine.events import PipelineStatus
from amts.engine.experiment.config import ExperimentConfig, PipelineSpec
from amts.engine.experiment.config_toml import config_key_line
from amts.engine.experiment.report import ExperimentResult, PipelineResult, write_report
from amts.engine.experiment.run_context import PipelineFacts, RunContext, protect_documents
from amts.engine.experiment.shared_alignment import SharedAlignment
from amts.engine.experiment.stages import SubPipeline
from amts.engine.local_service import LocalFaults
from amts.engine.paralleldata.exclusions import ExclusionStore
from amts.engine.paralleldata.terminology import Term, parse_terminology

EventSink = Callable[[ev.Event], None] | asyncio.Queue

__all__ = ["EventSink", "ExperimentResult", "PipelineResult", "run_experiment", "select_held_out"]


def _sink(events: EventSink | None) -> Callable[[ev.Event], None]:
    if events is None:
        return lambda event: None
    if isinstance(events, asyncio.Queue):
        return events.put_nowait
    return events


def select_held_out(book: Book, articles: tuple[str, ...], config_file: Path | None) -> tuple[str, ...]:
    """The section names the config's articles denote: a relative path (with or without .md)
    or a stem ("bert-dataset"); every article must denote exactly one section."""
    chosen: list[str] = []
    for article in articles:
        wanted = article.removesuffix(".md")
        hits = [s.name for s in book.sections
                if s.name.removesuffix(".md") == wanted or Path(s.name).stem == wanted]
        if len(hits) != 1:
            why = "matches no section of the book" if not hits else f"is ambiguous ({', '.join(hits)})"
            raise AmtsError(f"evaluation.articles: {article!r} {why}", config_file or book.root,
                            config_key_line(config_file, "evaluation", "articles"))
        chosen.append(hits[0])
    if not chosen:
        raise AmtsError("evaluation.articles is empty: name the held-out articles to translate "
                        "and score", config_file or book.root, config_key_line(config_file, "evaluation", "articles"))
    return tuple(chosen)


def _open_books(config: ExperimentConfig) -> Book:
    b = config.book
    for key in ("path", "source", "target"):
        folder = getattr(b, key)
        if folder is not None and not Path(folder).is_dir():
            raise AmtsError(f"book.{key}: folder not found: {folder}", config.source_file or folder,
                            config_key_line(config.source_file, "book", key))
    if b.source is not None:
        return open_book(source=b.source, target=b.target, source_lang=b.source_lang,
                         target_lang=b.target_lang)
    if b.path is None:
        raise AmtsError("no book configured: set [book] path (a d2lbook translation repo) or "
                        "source/target", config.source_file)
    return open_book(b.path, source_lang=b.source_lang, target_lang=b.target_lang)


def config_digest(config: ExperimentConfig) -> str:
    """What a resumed run must share with the run it continues: everything that shapes its
    results. Key bindings and the cost limit do not (raising the limit to finish a run is fine)."""
    data = asdict(config)
    data.pop("keymap", None)
    data.pop("limits", None)
    return hashlib.sha256(json.dumps(data, default=str, sort_keys=True).encode()).hexdigest()[:16]


def _estimate(specs: list[PipelineSpec], books: dict[tuple[str, str], Book],
              held_out: tuple[str, ...]) -> dict[str, tuple[int, float, float]]:
    """Billable characters and USD per sub-pipeline: the text of the protected HTML of the
    held-out articles for a batch job, every character of the unit HTML for TranslateText."""
    characters: dict[tuple[str, str, bool], int] = {}
    out: dict[str, tuple[int, float, float]] = {}
    for spec in specs:
        direction = (spec.source_lang, spec.target_lang)
        if direction + (True,) not in characters:
            docs = protect_documents(books[direction], held_out)
            characters[direction + (True,)] = sum(
                billable_characters(d.html, "text/html") for d in docs.values())
            # TranslateText bills every character of its Text, the span markup included.
            characters[direction + (False,)] = sum(
                len(inner) for d in docs.values() for inner in d.inner_html().values())
        key = direction + (spec.granularity is not None,)
        [estimate] = estimate_cost({spec.variant: characters[key]})
        out[spec.name] = (estimate.characters, estimate.usd, estimate.usd_per_million_chars)
    return out


async def run_experiment(
    config: ExperimentConfig,
    events: EventSink | None = None,
    stop: asyncio.Event | None = None,
    resume: bool = False,
    *,
    local_faults: LocalFaults | None = None,
) -> ExperimentResult:
    """Run (or resume) the configured experiment and write its report; see the module doc."""
    emit = _sink(events)
    stop = stop or asyncio.Event()
    started = time.time()
    book = await asyncio.to_thread(_open_books, config)
    held_out = select_held_out(book, config.evaluation.articles, config.source_file)
    specs = list(config.resolve_pipelines(book.source_lang, book.target_lang))
    books: dict[tuple[str, str], Book] = {}
    for spec in specs:
        key = (spec.source_lang, spec.target_lang)
        if key == (book.source_lang, book.target_lang):
            books[key] = book
        elif key == (book.target_lang, book.source_lang):
            books[key] = reversed_book(book)
        else:
            raise AmtsError(f"sub-pipeline {spec.name}: the book translates {book.source_lang}↔"
                            f"{book.target_lang}, not {spec.source_lang}→{spec.target_lang}",
                            config.source_file)
    terminology = _load_terminology(config, book, books)

    state = StateStore(config.workdir)
    run, resumed = _open_run(state, config, resume)
    run_dir = config.workdir / "runs" / run.run_id
    done = {p.name: PipelineResult.from_dict(p.summary) for p in state.pipelines(run.run_id)
            if resumed and p.status == PipelineStatus.SUCCEEDED and p.summary}
    todo = [s for s in specs if s.name not in done]

    estimates = _estimate(specs, books, held_out)
    for spec in specs:
        chars, usd, rate = estimates[spec.name]
        emit(ev.CostEstimated(spec.name, spec.variant, chars, usd, rate))
    planned = sum(estimates[s.name][1] for s in todo)
    try:
        check_cost_limit(planned, config.limits.max_cost_usd,
                         f"the run ({len(todo)} sub-pipelines on {len(held_out)} held-out articles)",
                         how_to_raise="raise limits.max_cost_usd in the config (or pass --max-cost USD), "
                                      "or hold out fewer articles", path=config.source_file)
    except CostLimitError:
        state.finish_run(run.run_id, "refused")
        raise

    warnings: list[str] = [str(s) for s in book.skipped]
    alignment = SharedAlignment(book, config.workdir, config.align.jobs, held_out,
                                config.evaluation.include_held_out_in_data, emit)
    results: dict[str, PipelineResult] = dict(done)
    for name, finished in done.items():
        emit(ev.Finished(name, finished.bleu, finished.chrf))
    if todo:
        # The embedded local backend keeps its S3 and job state in the work directory, so a
        # resumed run finds its inputs and its jobs where the killed process left them.
        async with open_backend(config.backend.service, config.workdir, faults=local_faults,
                                job_seconds=config.backend.local_job_seconds) as service:
            ctx = RunContext(config, service, state, run.run_id, run_dir, emit, stop, books,
                             held_out, alignment, resumed, terminology,
                             exclusions=ExclusionStore.for_book(config.workdir, book.root).read())
            outcomes = await asyncio.gather(*(_run_one(ctx, spec, estimates) for spec in todo))
            results.update({r.name: r for r in outcomes})

    ordered = tuple(results[s.name] for s in specs)
    result = ExperimentResult(
        run_id=run.run_id, book=str(book.root), held_out=held_out,
        include_held_out_in_data=config.evaluation.include_held_out_in_data,
        backend=config.backend.kind, pipelines=ordered, started_at=started, finished_at=time.time(),
        estimated_usd=sum(estimates[s.name][1] for s in specs), resumed=resumed,
        warnings=tuple(warnings))
    markdown, data = await asyncio.to_thread(write_report, result, run_dir)
    result = replace(result, report_markdown=markdown, report_json=data)
    status = PipelineStatus.STOPPED if stop.is_set() and not result.succeeded else result.outcome
    state.finish_run(run.run_id, status, str(markdown))
    emit(ev.RunFinished("", result.succeeded, str(markdown), str(data),
                        tuple(f"{p.name}: {p.message}" for p in result.failed)))
    return result


async def _run_one(ctx: RunContext, spec: PipelineSpec,
                   estimates: dict[str, tuple[int, float, float]]) -> PipelineResult:
    chars, usd, _ = estimates[spec.name]
    return await SubPipeline(ctx, spec, PipelineFacts(estimated_characters=chars, estimated_usd=usd)).run()


def _open_run(state: StateStore, config: ExperimentConfig, resume: bool) -> tuple[RunRecord, bool]:
    digest = config_digest(config)
    if resume:
        latest = state.latest_run()
        if latest is not None:
            if latest.config_digest != digest:
                # Its jobs, parallel data and half-written outputs belong to the old config: mixing
                # them with the new one would report results of neither.
                raise AmtsError(f"cannot resume run {latest.run_id}: the config changed since that run "
                                "started. Run without --resume to start a fresh run with this config, or "
                                "restore the config the run started with", config.source_file)
            state.reopen_run(latest.run_id)
            return latest, True
    return state.start_run(digest), False


def _load_terminology(config: ExperimentConfig, book: Book,
                      books: dict[tuple[str, str], Book]) -> dict[tuple[str, str], list[Term]]:
    path = config.evaluation.terminology
    if path is None:
        candidate = Path(book.root) / "TERMINOLOGY.md"
        if not candidate.is_file():
            return {}
        path = candidate
    out: dict[tuple[str, str], list[Term]] = {}
    for source, target in books:
        if {source.split("-")[0], target.split("-")[0]} == {"en", "zh"}:
            out[(source, target)] = parse_terminology(path, source, target)
    return out
