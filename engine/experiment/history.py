"""The runs of a work directory, newest first, and what to show of them (SPEC §5, Results).

Every experiment run — the Jobs screen's or a headless `--auto` — leaves a row in the run state
and, once it ends (succeeded, failed or stopped), `runs/RUN/report.json`. The history reads both,
so a restarted app shows every run; a run killed before its report is listed without scores.

A stopped or failed run never hides a finished one: `results_to_show` takes the newest run and,
for each sub-pipeline that did not succeed there, the newest earlier result of that sub-pipeline
that did, naming the run it comes from.

    history = read_history(workdir)
    shown = results_to_show(history)                  # newest run, finished results kept
    rows = compare_runs(newer.result, older.result)   # BLEU/chrF deltas per article and variant
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

from amts.engine.act.state import RunRecord, StateStore
from amts.engine.errors import AmtsError
from amts.engine.experiment.report import ExperimentResult, PipelineResult

REPORT_JSON = "report.json"


@dataclass(frozen=True)
class RunEntry:
    """One run: its state row (status, times) and its result when its report is readable."""

    run_id: str
    status: str  # running | succeeded | failed | stopped | refused | killed (no report, not running)
    started_at: float
    finished_at: float | None
    result: ExperimentResult | None = None
    problem: str = ""  # why there is no result (no report yet, a damaged report)

    @property
    def has_scores(self) -> bool:
        return self.result is not None and any(p.articles for p in self.result.pipelines)


@dataclass(frozen=True)
class ShownResults:
    """The result the Results screen shows: a run's own pipelines, some kept from earlier runs."""

    entry: RunEntry
    result: ExperimentResult
    #: sub-pipeline name → run id of the earlier run whose finished result stands in for it.
    carried: dict[str, str]


@dataclass(frozen=True)
class ScoreDelta:
    """One article (or the corpus) for one variant: the score in each run and the difference."""

    article: str
    variant: str
    bleu: float | None
    chrf: float | None
    bleu_before: float | None
    chrf_before: float | None

    @property
    def bleu_delta(self) -> float | None:
        return None if self.bleu is None or self.bleu_before is None else self.bleu - self.bleu_before

    @property
    def chrf_delta(self) -> float | None:
        return None if self.chrf is None or self.chrf_before is None else self.chrf - self.chrf_before


def read_history(workdir: Path) -> list[RunEntry]:
    """Every experiment run of the work directory, newest first (none when it has no state)."""
    workdir = Path(workdir)
    records = StateStore(workdir).runs() if workdir.is_dir() else []
    entries = [_entry(workdir, record) for record in records]
    known = {e.run_id for e in entries}
    # Reports without a state row (a work directory copied without state.sqlite3) still count.
    for report in sorted((workdir / "runs").glob(f"*/{REPORT_JSON}"), reverse=True):
        if report.parent.name not in known:
            result, problem = _read_result(report)
            entries.append(RunEntry(report.parent.name, _status_of(result), result.started_at if result else 0.0,
                                    result.finished_at if result else None, result, problem))
    entries.sort(key=lambda e: (e.started_at, e.run_id), reverse=True)
    return entries


def with_result(history: list[RunEntry], result: ExperimentResult | None) -> list[RunEntry]:
    """The history with a run known only from its result (one whose work directory is elsewhere)."""
    if result is None or any(e.run_id == result.run_id for e in history):
        return history
    entry = RunEntry(result.run_id, _status_of(result), result.started_at, result.finished_at, result)
    return sorted([*history, entry], key=lambda e: (e.started_at, e.run_id), reverse=True)


def _entry(workdir: Path, record: RunRecord) -> RunEntry:
    # The run's own folder first: the recorded path is absolute, and a moved or copied work
    # directory must show its own reports, not those of the one it came from.
    report = workdir / "runs" / record.run_id / REPORT_JSON
    if not report.exists() and record.report_path:
        report = Path(record.report_path).with_name(REPORT_JSON)
    result, problem = _read_result(report)
    return RunEntry(record.run_id, record.status, record.started_at, record.finished_at, result, problem)


def _read_result(path: Path) -> tuple[ExperimentResult | None, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, "no report (the run did not end)"
    except (OSError, UnicodeDecodeError) as exc:
        return None, f"cannot read {path}: {exc}"
    try:
        return ExperimentResult.from_dict(json.loads(text)), ""
    except (ValueError, KeyError, TypeError) as exc:
        return None, str(AmtsError(f"damaged report ({exc})", path))


def _status_of(result: ExperimentResult | None) -> str:
    if result is None:
        return "killed"
    return "succeeded" if result.succeeded else "failed"


def results_to_show(history: list[RunEntry], run_id: str | None = None) -> ShownResults | None:
    """The run to show (the newest with a result, or `run_id`), every sub-pipeline that did not
    succeed in it replaced by its newest earlier success (`carried` names where each came from)."""
    with_result = [e for e in history if e.result is not None]
    if not with_result:
        return None
    chosen = next((e for e in with_result if e.run_id == run_id), with_result[0])
    assert chosen.result is not None
    older = [e for e in with_result if e.started_at < chosen.started_at
             or (e.started_at == chosen.started_at and e.run_id < chosen.run_id)]
    pipelines: list[PipelineResult] = []
    carried: dict[str, str] = {}
    for pipeline in chosen.result.pipelines:
        stand_in = None if pipeline.succeeded else _last_success(older, pipeline.name)
        if stand_in is None:
            pipelines.append(pipeline)
        else:
            entry, finished = stand_in
            pipelines.append(finished)
            carried[pipeline.name] = entry.run_id
    return ShownResults(chosen, replace(chosen.result, pipelines=tuple(pipelines)), carried)


def _last_success(older: list[RunEntry], name: str) -> tuple[RunEntry, PipelineResult] | None:
    for entry in older:  # newest first
        assert entry.result is not None
        for pipeline in entry.result.pipelines:
            if pipeline.name == name and pipeline.succeeded:
                return entry, pipeline
    return None


def compare_runs(newer: ExperimentResult, older: ExperimentResult, source_lang: str,
                 target_lang: str) -> list[ScoreDelta]:
    """Per article and variant of one direction, both runs' scores and their differences; the
    corpus figures last (article `""`). Articles either run scored are listed."""
    def by_variant(result: ExperimentResult) -> dict[str, PipelineResult]:
        return {str(p.variant): p for p in result.pipelines
                if (p.source_lang, p.target_lang) == (source_lang, target_lang)}

    now, before = by_variant(newer), by_variant(older)
    variants = [v for v in now if v in before] + [v for v in now if v not in before] + \
        [v for v in before if v not in now]
    articles = sorted({a.path for p in (*now.values(), *before.values()) for a in p.articles})
    out: list[ScoreDelta] = []
    for article in articles:
        for variant in variants:
            a = _article(now.get(variant), article)
            b = _article(before.get(variant), article)
            out.append(ScoreDelta(article, variant, a.bleu if a else None, a.chrf if a else None,
                                  b.bleu if b else None, b.chrf if b else None))
    for variant in variants:
        p, q = now.get(variant), before.get(variant)
        out.append(ScoreDelta("", variant, p.bleu if p else None, p.chrf if p else None,
                              q.bleu if q else None, q.chrf if q else None))
    return out


def _article(pipeline: PipelineResult | None, path: str):
    if pipeline is None:
        return None
    return next((a for a in pipeline.articles if a.path == path), None)
