"""One sub-pipeline's live status: stage, resource and job status, documents, elapsed, last event."""

from __future__ import annotations

import time

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Label, ProgressBar

from amts.engine import events as ev
from amts.tui.event_text import describe_event as describe_text

#: Pane state → CSS class (colours come from the $job-* theme variables).
STATES = ("pending", "running", "completed", "failed", "stopped", "warning")


def describe_event(event: ev.Event) -> str:
    """An event as one short line for the pane (which already names its sub-pipeline)."""
    return describe_text(event, with_pipeline=False)


class JobPane(Vertical):
    """The live pane of one sub-pipeline. `apply(event)`, `reset()` and `mark_stopped()` change
    its state; `_redraw` draws the whole state, so it may change before the pane is mounted."""

    def __init__(self, pipeline: str) -> None:
        super().__init__(id=f"pane-{pipeline.replace('/', '--')}", classes="-pending")
        self.pipeline = pipeline
        self.reset()

    def compose(self) -> ComposeResult:
        with Horizontal(classes="job-header"):
            yield Label(Content(self.pipeline), classes="job-title")
            yield Label("PENDING", classes="job-state")
            yield Label("0:00", classes="job-elapsed")
        yield Label("", classes="job-line job-stage")
        yield Label("", classes="job-line job-resource")
        with Horizontal(classes="job-header"):
            yield Label("documents ", classes="job-docs-label")
            # A known total rather than None: an indeterminate bar animates forever.
            yield ProgressBar(total=100, show_eta=False, classes="job-docs")
        yield Label("", classes="job-line job-last")

    def on_mount(self) -> None:
        self._redraw()

    def reset(self) -> None:
        """Back to pending before a new run or a retry."""
        self.state = "pending"
        self.started_at: float | None = None
        self.ended_at: float | None = None
        self.stage = self.resource = self.job = "—"
        self.last_event = "waiting to start"
        self.progress_label, self.done, self.total = "documents", 0, 100
        self._redraw()

    def apply(self, event: ev.Event) -> None:
        """Update the pane from one engine event."""
        if self.started_at is None:
            self.started_at = event.at
        match event:
            case ev.StageStarted(stage=stage):
                self.stage = stage
                self.state = "running"
            case ev.ResourceStatus(name=name, status=status, imported=imported, failed=failed):
                self.resource = f"{name} {status} ({imported} in, {failed} failed)"
            case ev.JobStatus(job_id=job_id, status=status, documents_done=done, documents_total=total):
                self.job = f"{job_id[:12]} {status}"
                if total:
                    self.progress_label, self.done, self.total = "documents", done, total
            case ev.Progress(stage=stage, done=done, total=total):
                if total:
                    self.progress_label, self.done, self.total = stage, done, total
            case ev.Failed(status=status):
                self.ended_at = event.at
                self.state = "stopped" if status == ev.PipelineStatus.STOPPED else "failed"
            case ev.Finished():
                self.ended_at = event.at
                if not self.done:
                    self.done, self.total = 1, 1
                self.state = "completed"
        self.last_event = describe_event(event)
        self._redraw()

    def mark_stopped(self, why: str) -> None:
        """The run was cancelled under this pane (stop, quit): unfinished work is stopped, not failed."""
        if self.state in ("pending", "running"):
            self.state = "stopped"
            self.ended_at = time.time() if self.started_at is not None else None
            self.last_event = why
            self._redraw()

    def elapsed(self) -> float:
        if self.started_at is None:
            return 0.0
        return (self.ended_at or time.time()) - self.started_at

    def _redraw(self) -> None:
        if not self.query(ProgressBar):
            return  # not composed yet: on_mount draws what the events set meanwhile
        self.set_classes(f"-{self.state}")
        self.query_one(".job-state", Label).update(self.state.upper())
        minutes, seconds = divmod(int(self.elapsed()), 60)
        self.query_one(".job-elapsed", Label).update(f" {minutes}:{seconds:02d}")
        self.query_one(".job-stage", Label).update(
            Content.assemble("stage ", (self.stage, "bold"), f" · job {self.job}"))
        self.query_one(".job-resource", Label).update(Content(f"data {self.resource}"))
        self.query_one(".job-docs-label", Label).update(
            Content(f"{self.progress_label} {self.done}/{self.total} " if self.done else "documents "))
        self.query_one(ProgressBar).update(total=self.total, progress=self.done)
        self.query_one(".job-last", Label).update(Content(f"last: {self.last_event}"))

    def tick(self) -> None:
        """Refresh the elapsed time while running."""
        if self.state == "running":
            self._redraw()
