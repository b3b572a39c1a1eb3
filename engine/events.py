"""The events a pipeline emits: one stream that the headless runner and the UI both consume.

Plain frozen dataclasses, so that the engine never needs to know who is listening.
Every event names its sub-pipeline (`pipeline`, e.g. "en-zh/act-sentence").
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Event:
    pipeline: str
    at: float = field(default_factory=time.time, kw_only=True)


@dataclass(frozen=True, slots=True)
class StageStarted(Event):
    # prepare-data | upload-data | parallel-data | prepare-docs | upload-docs | job | download | restore | evaluate
    stage: str


@dataclass(frozen=True, slots=True)
class StageFinished(Event):
    stage: str
    seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class Progress(Event):
    stage: str
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
    """The sub-pipeline stopped with an error; the others go on."""

    message: str
    stage: str = ""


@dataclass(frozen=True, slots=True)
class Finished(Event):
    """The sub-pipeline completed; `summary` holds its figures (BLEU, chrF, counts)."""

    summary: dict = field(default_factory=dict)


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
