"""An experiment's results and its report, in Markdown (for people) and JSON (for tools).

The Markdown follows the original study's table: one row per held-out article, one column pair
(BLEU, chrF) per variant, for each direction, with corpus-level figures at the bottom. Around it:
the held-out policy, parallel-data statistics, job ids and timings, what the local backend left
untranslated, terminology hits, and the cost estimate beside the characters actually sent.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from amts.engine.atomic import write_text_atomic
from amts.engine.events import PipelineStatus, Stage
from amts.engine.experiment.config import Variant

VARIANT_ORDER = tuple(Variant)


@dataclass(frozen=True)
class ArticleScore:
    """One held-out article translated by one sub-pipeline, scored against the human translation."""

    path: str
    bleu: float
    chrf: float
    units: int = 0
    output_path: str = ""
    reference_path: str = ""
    diff_path: str = ""  # the scored units and their diffs (JSON), as BLEU saw them
    terms_checked: int = 0  # terms of the term list present in the source
    terms_hit: int = 0  # of those, how many the output translates as the list requires
    untranslated_segments: int = 0  # local backend: segments left in the source language
    translated_segments: int = 0


@dataclass(frozen=True)
class ParallelDataFigures:
    """The parallel data of an ACT sub-pipeline: what was exported, and what the resource imported
    (the import's figures stay 0 until the resource is ACTIVE)."""

    path: str
    granularity: str
    input_pairs: int
    written: int
    dropped: int
    dropped_low_confidence: int
    excluded: int = 0  # pairs the user excluded on the Align screen
    awaiting_review: int = 0  # machine text a sync marked for review: never parallel data
    imported: int = 0
    failed: int = 0
    skipped: int = 0
    resource_status: str = ""


@dataclass(frozen=True)
class PipelineResult:
    """What one sub-pipeline did; plain data, stored in the run state as JSON for resumes."""

    name: str
    source_lang: str
    target_lang: str
    variant: Variant
    status: PipelineStatus  # succeeded | failed | stopped
    message: str = ""
    failed_stage: Stage | None = None
    articles: tuple[ArticleScore, ...] = ()
    bleu: float | None = None
    chrf: float | None = None
    bleu_signature: str = ""
    chrf_signature: str = ""
    #: Held-out articles that did not come back (a failed document): the scores cover the others.
    failed_articles: tuple[str, ...] = ()
    parallel_data: ParallelDataFigures | None = None  # None for the no-ACT baseline
    resource_name: str = ""
    job_id: str = ""
    job_status: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    estimated_characters: int = 0
    estimated_usd: float = 0.0
    characters_sent: int = 0
    untranslated_segments: int = 0
    translated_segments: int = 0
    warnings: tuple[str, ...] = ()

    @property
    def succeeded(self) -> bool:
        return self.status == PipelineStatus.SUCCEEDED

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["parallel_data"] = data["parallel_data"] or {}  # the report's JSON: {} for no-act
        data["failed_stage"] = data["failed_stage"] or ""
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PipelineResult:
        """The result `to_dict` wrote (the run state's summary of a finished sub-pipeline)."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["variant"] = Variant(values["variant"])
        values["status"] = PipelineStatus(values["status"])
        values["failed_stage"] = Stage(values["failed_stage"]) if values.get("failed_stage") else None
        values["articles"] = tuple(ArticleScore(**a) for a in values.get("articles", ()))
        figures = values.get("parallel_data")
        values["parallel_data"] = ParallelDataFigures(**figures) if figures else None
        values["warnings"] = tuple(values.get("warnings", ()))
        values["failed_articles"] = tuple(values.get("failed_articles", ()))
        return cls(**values)

    @property
    def partial(self) -> bool:
        """Scored, but on fewer articles than were held out (some failed): not a success."""
        return bool(self.failed_articles) and bool(self.articles)


@dataclass(frozen=True)
class ExperimentResult:
    """Every sub-pipeline's result, and where the report was written."""

    run_id: str
    book: str
    held_out: tuple[str, ...]
    include_held_out_in_data: bool
    backend: str
    pipelines: tuple[PipelineResult, ...]
    started_at: float
    finished_at: float
    estimated_usd: float = 0.0
    report_markdown: Path | None = None
    report_json: Path | None = None
    resumed: bool = False
    warnings: tuple[str, ...] = ()

    @property
    def succeeded(self) -> bool:
        """True when every sub-pipeline succeeded (the headless exit status)."""
        return bool(self.pipelines) and all(p.succeeded for p in self.pipelines)

    @property
    def failed(self) -> tuple[PipelineResult, ...]:
        return tuple(p for p in self.pipelines if not p.succeeded)

    @property
    def outcome(self) -> str:
        """succeeded; partial (something failed, yet some scores came back); or failed."""
        if self.succeeded:
            return "succeeded"
        return "partial" if any(p.articles for p in self.pipelines) else "failed"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ExperimentResult:
        """The result a report's JSON (`to_dict`) holds, e.g. to show a finished run again."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["held_out"] = tuple(values["held_out"])
        values["pipelines"] = tuple(PipelineResult.from_dict(p) for p in values["pipelines"])
        values["warnings"] = tuple(values.get("warnings", ()))
        for key in ("report_markdown", "report_json"):
            values[key] = Path(values[key]) if values.get(key) else None
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["report_markdown"] = str(self.report_markdown) if self.report_markdown else None
        data["report_json"] = str(self.report_json) if self.report_json else None
        data["succeeded"] = self.succeeded
        data["outcome"] = self.outcome
        return data


def held_out_policy(result: ExperimentResult) -> str:
    """One sentence saying whether the parallel data contained the articles being scored."""
    if result.include_held_out_in_data:
        return ("The held-out articles WERE included in the parallel data "
                "(include_held_out_in_data = true): scores are inflated by the memory "
                "containing the answers.")
    return ("The held-out articles were excluded from the parallel data "
            "(include_held_out_in_data = false): no translation memory contains their answers.")


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _directions(result: ExperimentResult) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []
    for p in result.pipelines:
        if (p.source_lang, p.target_lang) not in seen:
            seen.append((p.source_lang, p.target_lang))
    return seen


def _score_table(result: ExperimentResult, source: str, target: str) -> list[str]:
    by_variant = {p.variant: p for p in result.pipelines
                  if (p.source_lang, p.target_lang) == (source, target)}
    variants = [v for v in VARIANT_ORDER if v in by_variant] + sorted(
        v for v in by_variant if v not in VARIANT_ORDER)
    header = "| Article | " + " | ".join(f"{v} BLEU | {v} chrF" for v in variants) + " |"
    lines = [header, "|---|" + "---:|" * (2 * len(variants))]
    articles: list[str] = []
    for p in by_variant.values():
        articles += [a.path for a in p.articles if a.path not in articles]
    for article in sorted(articles):
        cells = []
        for v in variants:
            score = next((a for a in by_variant[v].articles if a.path == article), None)
            cells += [_fmt(score.bleu if score else None), _fmt(score.chrf if score else None)]
        lines.append(f"| {article} | " + " | ".join(cells) + " |")
    mean_cells, corpus_cells = [], []
    for v in variants:
        scores = by_variant[v].articles
        mean_cells += [_fmt(sum(a.bleu for a in scores) / len(scores) if scores else None),
                       _fmt(sum(a.chrf for a in scores) / len(scores) if scores else None)]
        corpus_cells += [_fmt(by_variant[v].bleu), _fmt(by_variant[v].chrf)]
    lines.append("| **mean of articles** | " + " | ".join(mean_cells) + " |")
    lines.append("| **corpus** | " + " | ".join(corpus_cells) + " |")
    for v in variants:
        p = by_variant[v]
        if p.failed_articles:
            lines += ["", f"{v}: corpus BLEU and chrF cover {len(p.articles)} articles, not all "
                          f"{len(p.articles) + len(p.failed_articles)}: failed "
                          + ", ".join(f"`{a}`" for a in p.failed_articles)]
    return lines


def render_markdown(result: ExperimentResult) -> str:
    """The report for people: the study's table per direction, then the supporting figures."""
    out = [f"# AMTS experiment {result.run_id}", ""]
    out += [f"- Book: `{result.book}`", f"- Backend: {result.backend}",
            f"- Held-out articles ({len(result.held_out)}): "
            + ", ".join(f"`{a}`" for a in result.held_out),
            f"- {held_out_policy(result)}",
            f"- Outcome: {result.outcome}: {sum(p.succeeded for p in result.pipelines)} of "
            f"{len(result.pipelines)} sub-pipelines succeeded" + (" (resumed run)" if result.resumed else ""), ""]
    if result.backend == "local":
        out += ["The local backend translates only what its translation memory (the parallel "
                "data) covers and leaves the rest in the source language; its figures measure "
                "memory coverage, not a neural translator. TranslateText (no-act) has no "
                "parallel data there, so it translates nothing.", ""]
    for source, target in _directions(result):
        out += [f"## {source} → {target}", ""] + _score_table(result, source, target) + [""]
    signatures = sorted({(p.bleu_signature, p.chrf_signature) for p in result.pipelines
                         if p.bleu_signature})
    if signatures:
        out += ["sacrebleu signatures:", ""]
        out += [f"- `{b}`" + (f" / `{c}`" if c else "") for b, c in signatures] + [""]
    out += _failures(result) + _parallel_data(result) + _jobs(result) + _untranslated(result)
    out += _terminology(result) + _cost(result)
    if result.warnings:
        out += ["## Warnings", ""] + [f"- {w}" for w in result.warnings] + [""]
    return "\n".join(out).rstrip() + "\n"


def _failures(result: ExperimentResult) -> list[str]:
    if not result.failed:
        return []
    lines = ["## Failed sub-pipelines", ""]
    for p in result.failed:
        stage = f" at {p.failed_stage}" if p.failed_stage else ""
        lines.append(f"- {p.name} ({'partial' if p.partial else p.status}{stage}): {p.message}")
        lines += [f"  - failed article: `{a}`" for a in p.failed_articles]
    return lines + [""]


def _parallel_data(result: ExperimentResult) -> list[str]:
    rows = [(p, p.parallel_data) for p in result.pipelines if p.parallel_data is not None]
    if not rows:
        return []
    lines = ["## Parallel data", "",
             "| Sub-pipeline | Resource | Aligned pairs | Excluded | Awaiting review | Written | Dropped "
             "| Imported | Failed | Skipped |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for p, d in rows:
        lines.append(f"| {p.name} | {p.resource_name} | {d.input_pairs} | {d.excluded} | {d.awaiting_review} | "
                     f"{d.written} | {d.dropped} | {d.imported} | {d.failed} | {d.skipped} |")
    return lines + [""]


def _jobs(result: ExperimentResult) -> list[str]:
    lines = ["## Jobs and timings", "", "| Sub-pipeline | Job id | Status | Time (s) | Stages |",
             "|---|---|---|---:|---|"]
    for p in result.pipelines:
        total = sum(p.timings.values())
        stages = ", ".join(f"{k} {v:.1f}" for k, v in p.timings.items())
        lines.append(f"| {p.name} | {p.job_id or '(TranslateText)' if p.variant == Variant.NO_ACT else p.job_id or '—'}"
                     f" | {p.job_status or p.status} | {total:.1f} | {stages} |")
    return lines + [""]


def _untranslated(result: ExperimentResult) -> list[str]:
    rows = [p for p in result.pipelines if p.translated_segments or p.untranslated_segments]
    if not rows:
        return []
    lines = ["## Untranslated text (local backend)", "",
             "| Sub-pipeline | Segments translated | Segments left untranslated | Share untranslated |",
             "|---|---:|---:|---:|"]
    for p in rows:
        total = p.translated_segments + p.untranslated_segments
        share = 100.0 * p.untranslated_segments / total if total else 0.0
        lines.append(f"| {p.name} | {p.translated_segments} | {p.untranslated_segments} | {share:.1f}% |")
    return lines + [""]


def _terminology(result: ExperimentResult) -> list[str]:
    rows = [p for p in result.pipelines if any(a.terms_checked for a in p.articles)]
    if not rows:
        return []
    lines = ["## Terminology", "",
             "Terms of the term list present in the source, and how many the output translates "
             "as required.", "", "| Sub-pipeline | Article | Terms in source | Used as required |",
             "|---|---|---:|---:|"]
    for p in rows:
        for a in p.articles:
            if a.terms_checked:
                lines.append(f"| {p.name} | {a.path} | {a.terms_checked} | {a.terms_hit} |")
    return lines + [""]


def _cost(result: ExperimentResult) -> list[str]:
    lines = ["## Cost", "",
             "Estimated before any billed call, at the documented per-million-character rates "
             "(standard $15, ACT $60; unconfirmed against the pricing page); characters sent are "
             "what the service reported (batch jobs) or what was sent (TranslateText).", "",
             "| Sub-pipeline | Estimated characters | Estimated USD | Characters sent |",
             "|---|---:|---:|---:|"]
    for p in result.pipelines:
        lines.append(f"| {p.name} | {p.estimated_characters} | {p.estimated_usd:.4f} | "
                     f"{p.characters_sent} |")
    lines.append(f"| **total** | {sum(p.estimated_characters for p in result.pipelines)} | "
                 f"{result.estimated_usd:.4f} | {sum(p.characters_sent for p in result.pipelines)} |")
    return lines + [""]


def write_report(result: ExperimentResult, directory: Path) -> tuple[Path, Path]:
    """Write ``report.md`` and ``report.json`` into ``directory`` (atomically); return both paths."""
    directory = Path(directory)
    markdown, data = directory / "report.md", directory / "report.json"
    final = ExperimentResult(**{**result.__dict__, "report_markdown": markdown, "report_json": data})
    payload = final.to_dict()
    payload["held_out_policy"] = held_out_policy(final)
    write_text_atomic(markdown, render_markdown(final))
    write_text_atomic(data, json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    return markdown, data
