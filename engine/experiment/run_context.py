"""What the sub-pipelines of one run share (`RunContext`), and what each one learns on its way to
a result (`PipelineFacts`), as typed data rather than dictionaries read back by key."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

from amts.engine import events as ev
from amts.engine.act.state import StateStore
from amts.engine.book import Book, read_markdown_file
from amts.engine.client.job_output import SegmentCounts
from amts.engine.client.service import TranslateService
from amts.engine.experiment.config import ExperimentConfig, PipelineSpec
from amts.engine.experiment.report import ParallelDataFigures
from amts.engine.experiment.shared_alignment import SharedAlignment
from amts.engine.markup.protect import ProtectedDocument, markdown_to_html
from amts.engine.paralleldata.exclusions import Exclusions
from amts.engine.paralleldata.terminology import Term


@dataclass
class RunContext:
    """What every sub-pipeline of one run shares."""

    config: ExperimentConfig
    service: TranslateService
    state: StateStore
    run_id: str
    run_dir: Path
    emit: Callable[[ev.Event], None]
    stop: asyncio.Event
    books: dict[tuple[str, str], Book]
    held_out: tuple[str, ...]  # section names
    alignment: SharedAlignment
    resume: bool = False
    terminology: dict[tuple[str, str], list[Term]] = field(default_factory=dict)  # per direction
    documents: dict[tuple[str, str], dict[str, ProtectedDocument]] = field(default_factory=dict)
    #: The pairs the user excluded (Align screen), read once so that every sub-pipeline leaves out
    #: the same ones.
    exclusions: Exclusions = field(default_factory=Exclusions)


class _SavedJobFigures(TypedDict):
    """`JobFigures` as `downloaded.json` keeps them beside a downloaded job's files."""

    job_id: str
    job_status: str
    characters_sent: int
    translated: int
    untranslated: int
    per_document: dict[str, dict[str, int]]


@dataclass
class PipelineFacts:
    """Figures a sub-pipeline gathers on the way, for its PipelineResult."""

    estimated_characters: int = 0
    estimated_usd: float = 0.0
    parallel_data: ParallelDataFigures | None = None
    resource: str = ""
    job_id: str = ""
    job_status: str = ""
    characters_sent: int = 0  # what the service reported (batch job) or what was sent (TranslateText)
    translated: int = 0  # segments; the local backend reports them
    untranslated: int = 0
    per_document: dict[str, SegmentCounts] = field(default_factory=dict)  # by input file name

    def saved_job(self) -> _SavedJobFigures:
        """The job's figures, to keep beside its downloaded files (a resumed run reads them back)."""
        return {"job_id": self.job_id, "job_status": self.job_status, "characters_sent": self.characters_sent,
                "translated": self.translated, "untranslated": self.untranslated,
                "per_document": {name: {"translatedSegments": c.translated, "untranslatedSegments": c.untranslated}
                                 for name, c in self.per_document.items()}}

    def restore_job(self, saved: _SavedJobFigures) -> None:
        """Take back the figures `saved_job` kept (KeyError, TypeError or ValueError when damaged)."""
        self.job_id, self.job_status = str(saved["job_id"]), str(saved["job_status"])
        self.characters_sent = int(saved["characters_sent"])
        self.translated, self.untranslated = int(saved["translated"]), int(saved["untranslated"])
        self.per_document = {name: SegmentCounts.from_details(counts) for name, counts in saved["per_document"].items()}


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


def _display(book: Book, path: Path) -> str:
    try:
        return path.relative_to(book.root).as_posix()
    except ValueError:
        return str(path)
