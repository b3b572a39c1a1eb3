"""One sub-pipeline's live status: stage, resource and job status, documents, elapsed, last event."""

from __future__ import annotations

import time

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.widgets import Label, ProgressBar

from amts.engine import events as ev
from amts.tui.event_text import describe_event as describe_text

#: Pane state → CSS class (colours come from the $job-* theme variables).
STATES = ("pending", "running", "completed", "failed", "stopped", "warning")


def describe_event(event: ev.Event) -> str:
    """An event as one short line for the pane (which already names its sub-pipeline)."""
    return describe_text(event, with_pipeline=False)


class JobPane(Vertical):
    """The live pane of one sub-pipeline; `apply(event)` updates it in place."""

    def __init__(self, pipeline: str) -> None:
        super().__init__(id=f"pane-{pipeline.replace('/', '--')}", classes="-pending")
        self.pipeline = pipeline
        self.state = "pending"
        self.started_at: float | None = None
        self.ended_at: float | None = None
        self.stage = "—"
        self.resource = "—"
        self.job = "—"
        self.last_event = "waiting to start"

    def compose(self) -> ComposeResult:
        with Horizontal(classes="job-header"):
            yield Label(self.pipeline, classes="job-title")
            yield Label("PENDING", classes="job-state")
            yield Label("0:00", classes="job-elapsed")
        yield Label("", classes="job-line job-stage")
        yield Label("", classes="job-line job-resource")
        with Horizontal(classes="job-header"):
            yield Label("documents ", classes="job-docs-label")
            # A known total of 0 rather than None: an indeterminate bar animates forever.
            yield ProgressBar(total=100, show_eta=False, classes="job-docs")
        yield Label("", classes="job-line job-last")

    def on_mount(self) -> None:
        self._redraw()

    def reset(self) -> None:
        """Back to pending before a new run or a retry."""
        self.started_at = self.ended_at = None
        self.stage = self.resource = self.job = "—"
        self.last_event = "waiting to start"
        self.query_one(ProgressBar).update(total=100, progress=0)
        self.query_one(".job-docs-label", Label).update("documents ")
        self._set_state("pending")

    def apply(self, event: ev.Event) -> None:
        """Update the pane from one engine event."""
        if self.started_at is None:
            self.started_at = event.at
        match event:
            case ev.StageStarted(stage=stage):
                self.stage = stage
                self._set_state("running")
            case ev.ResourceStatus(name=name, status=status, imported=imported, failed=failed):
                self.resource = f"{name} {status} ({imported} in, {failed} failed)"
            case ev.JobStatus(job_id=job_id, status=status, documents_done=done, documents_total=total):
                self.job = f"{job_id[:12]} {status}"
                if total:
                    self._progress("documents", done, total)
            case ev.Progress(stage=stage, done=done, total=total):
                if total:
                    self._progress(stage, done, total)
            case ev.Failed(status=status):
                self.ended_at = event.at
                self._set_state("stopped" if status == ev.PipelineStatus.STOPPED else "failed")
            case ev.Finished():
                self.ended_at = event.at
                bar = self.query_one(ProgressBar)
                if not bar.progress:
                    bar.update(total=1, progress=1)
                self._set_state("completed")
        self.last_event = describe_event(event)
        self._redraw()

    def _progress(self, what: str, done: int, total: int) -> None:
        self.query_one(".job-docs-label", Label).update(f"{what} {done}/{total} ")
        self.query_one(ProgressBar).update(total=total, progress=done)

    def _set_state(self, state: str) -> None:
        self.state = state
        self.set_classes(f"-{state}")
        self.query_one(".job-state", Label).update(state.upper())

    def elapsed(self) -> float:
        if self.started_at is None:
            return 0.0
        return (self.ended_at or time.time()) - self.started_at

    def _redraw(self) -> None:
        minutes, seconds = divmod(int(self.elapsed()), 60)
        self.query_one(".job-elapsed", Label).update(f" {minutes}:{seconds:02d}")
        self.query_one(".job-stage", Label).update(
            f"stage [b]{escape(self.stage)}[/b] · job {escape(self.job)}")
        self.query_one(".job-resource", Label).update(f"data {escape(self.resource)}")
        self.query_one(".job-last", Label).update(f"last: {escape(self.last_event)}")

    def tick(self) -> None:
        """Refresh the elapsed time while running."""
        if self.state == "running":
            self._redraw()
