"""One sub-pipeline's live status: stage, resource and job status, documents, elapsed, last event.

A pane is one widget that renders its five lines itself. Built from labels and a ProgressBar it
was fourteen widgets, and the Jobs screen's six panes were most of the cost of its first visit.
"""

from __future__ import annotations

import time

from textual.content import Content
from textual.markup import escape
from textual.reactive import reactive
from textual.widget import Widget

from amts.engine import events as ev
from amts.tui.event_text import describe_event as describe_text

#: Pane state → CSS class (colours come from the $job-* theme variables).
STATES = ("pending", "running", "completed", "failed", "stopped", "warning")
#: The documents bar: done and to do.
BAR_DONE, BAR_TODO = "━", "─"
#: Cells of the bar in a compact pane (the rest of its second line is the last event).
COMPACT_BAR = 10


def describe_event(event: ev.Event) -> str:
    """An event as one short line for the pane (which already names its sub-pipeline)."""
    return describe_text(event, with_pipeline=False)


def progress_bar(done: int, total: int, width: int) -> str:
    """`done` of `total` as a bar `width` cells wide."""
    if width <= 0:
        return ""
    filled = min(width, round(width * done / total)) if total else 0
    return BAR_DONE * filled + BAR_TODO * (width - filled)


class JobPane(Widget):
    """The live pane of one sub-pipeline. `apply(event)`, `reset()` and `mark_stopped()` change
    its state; `render` draws the whole state, so it may change before the pane is mounted.

    `compact` (on a short terminal) draws two lines, so the six panes fit in 24 rows: the
    header, then the documents bar and the last event."""

    compact: reactive[bool] = reactive(False, layout=True)

    def __init__(self, pipeline: str) -> None:
        super().__init__(id=f"pane-{pipeline.replace('/', '--')}", classes="-pending")
        self.pipeline = pipeline
        self.reset()

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
        self.set_classes(f"-{self.state}" + (" -compact" if self.compact else ""))
        self.refresh()

    def watch_compact(self) -> None:
        self.clear_cached_dimensions()  # two lines instead of five: the height is measured again
        self._redraw()

    def render(self) -> Content:
        width = self.content_size.width or 40
        minutes, seconds = divmod(int(self.elapsed()), 60)
        state = f"[b $job-{self.state}]{self.state.upper()}[/] [$text-muted]{minutes}:{seconds:02d}[/]"
        state_width = len(self.state) + 1 + len(f"{minutes}:{seconds:02d}")
        title = Content(self.pipeline).truncate(max(1, width - state_width - 1), ellipsis=True)
        header = Content.assemble(title.stylize("bold"), " " * max(1, width - title.cell_length - state_width),
                                  Content.from_markup(state))
        percent = f" {100 * self.done // self.total:3d}%" if self.total else ""
        counted = f"{self.progress_label} {self.done}/{self.total} " if self.done else "documents "
        if self.compact:
            bar = progress_bar(self.done, self.total, COMPACT_BAR)
            lines = [header, Content.from_markup(
                f"[$text-muted]{escape(counted)}[/][$job-{self.state}]{bar}[/]"
                f"[$text-muted] · {escape(self.last_event)}[/]")]
            return Content("\n").join(line.truncate(width, ellipsis=True) for line in lines)
        bar = progress_bar(self.done, self.total, width - len(counted) - len(percent))
        lines = [
            header,
            Content.from_markup(f"[$text-muted]stage [b]{escape(self.stage)}[/b] · job {escape(self.job)}[/]"),
            Content.from_markup(f"[$text-muted]data {escape(self.resource)}[/]"),
            Content.from_markup(f"[$text-muted]{escape(counted)}[/][$job-{self.state}]{bar}[/]"
                                f"[$text-muted]{percent}[/]"),
            Content.from_markup(f"[$text-muted]last: {escape(self.last_event)}[/]"),
        ]
        return Content("\n").join(line.truncate(width, ellipsis=True) for line in lines)

    def tick(self) -> None:
        """Refresh the elapsed time while running."""
        if self.state == "running":
            self._redraw()
