"""The events a pipeline emits: one stream that the headless runner and the UI both consume.

Plain frozen dataclasses, so that the engine never needs to know who is listening.
Every event names its sub-pipeline (`pipeline`, e.g. "en-zh/act-sentence"); stages and outcomes
are the enums below, so that a listener never guesses them from message text.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import StrEnum


class Stage(StrEnum):
    """The stages of a sub-pipeline, in the order an ACT variant runs them (no-act: prepare-docs,
    translate, restore, evaluate); "align" is the shared alignment's progress."""

    ALIGN = "align"
    PREPARE_DATA = "prepare-data"
    UPLOAD_DATA = "upload-data"
    PARALLEL_DATA = "parallel-data"
    PREPARE_DOCS = "prepare-docs"
    UPLOAD_DOCS = "upload-docs"
    JOB = "job"
    TRANSLATE = "translate"
    DOWNLOAD = "download"
    RESTORE = "restore"
    EVALUATE = "evaluate"


class PipelineStatus(StrEnum):
    """Where a sub-pipeline (or a run) stands; stopped means on request, and resumable."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class Event:
    pipeline: str
    at: float = field(default_factory=time.time, kw_only=True)


@dataclass(frozen=True, slots=True)
class StageStarted(Event):
    stage: Stage


@dataclass(frozen=True, slots=True)
class StageFinished(Event):
    stage: Stage
    seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class Progress(Event):
    stage: Stage
    done: int
    total: int


@dataclass(frozen=True, slots=True)
class ResourceStatus(Event):
    """A parallel-data resource's status as the service reports it."""

    name: str
    status: str
    imported: int = 0
    failed: int = 0
    skipped: int = 0


@dataclass(frozen=True, slots=True)
class JobStatus(Event):
    job_id: str
    status: str  # SUBMITTED | IN_PROGRESS | COMPLETED | COMPLETED_WITH_ERROR | FAILED | STOP_REQUESTED | STOPPED
    documents_done: int = 0
    documents_total: int = 0
    message: str = ""


@dataclass(frozen=True, slots=True)
class Warning(Event):  # noqa: A001 - the engine's own warning event, not the builtin category
    message: str
    path: str = ""
    line: int = 0


@dataclass(frozen=True, slots=True)
class Failed(Event):
    """The sub-pipeline ended without a result: `status` FAILED (an error; the others go on) or
    STOPPED (on request, resumable); `stage` is where it was."""

    message: str
    stage: Stage | None = None
    status: PipelineStatus = PipelineStatus.FAILED


@dataclass(frozen=True, slots=True)
class Finished(Event):
    """The sub-pipeline completed with its corpus scores (None when nothing could be scored)."""

    bleu: float | None = None
    chrf: float | None = None


@dataclass(frozen=True, slots=True)
class CostEstimated(Event):
    """What a sub-pipeline would cost on Amazon Translate, before any billed call."""

    variant: str
    characters: int
    usd: float
    usd_per_million_chars: float = 0.0


@dataclass(frozen=True, slots=True)
class RunFinished(Event):
    """The whole run ended (pipeline is ""); the report is written."""

    succeeded: bool
    report_markdown: str = ""
    report_json: str = ""
    failed: tuple[str, ...] = ()  # one line per failed sub-pipeline: "name: reason"
