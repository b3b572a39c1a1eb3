"""Jobs screen: launch the configured sub-pipelines and watch one live pane per sub-pipeline."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import replace

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, RichLog, Static
from textual.worker import Worker, WorkerState

from amts.engine import events as ev
from amts.tui.messages import PipelineEvent
from amts.tui.screens.base import AmtsScreen
from amts.tui.service import ExperimentRunner
from amts.tui.widgets.job_pane import JobPane, describe_event


class JobsScreen(AmtsScreen):
    """Run the experiment: every sub-pipeline in parallel, each with its live pane."""

    MODE = "jobs"
    AUTO_FOCUS = "#jobs-launch"
    BINDINGS = [
        Binding("l", "launch", "Launch", id="jobs.launch"),
        Binding("s", "stop", "Stop", id="jobs.stop"),
        Binding("r", "retry", "Retry failed", id="jobs.retry"),
        Binding("v", "toggle_log", "Log", id="jobs.toggle-log"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.stop_event: asyncio.Event | None = None
        self.panes: dict[str, JobPane] = {}
        self._panes_lock = asyncio.Lock()

    @property
    def runner(self) -> ExperimentRunner:
        return ExperimentRunner(self.amts.service)

    def compose_body(self) -> ComposeResult:
        with Vertical(id="jobs-body"):
            with Horizontal(id="jobs-toolbar", classes="toolbar"):
                yield Button("Launch (l)", id="jobs-launch", variant="primary", compact=True)
                yield Button("Stop (s)", id="jobs-stop", variant="error", disabled=True, compact=True)
                yield Button("Retry failed (r)", id="jobs-retry", disabled=True, compact=True)
            yield Static("", id="jobs-summary")
            yield VerticalScroll(id="jobs-panes")
            yield RichLog(id="jobs-log", max_lines=2000, wrap=False, markup=False)

    def on_mount(self) -> None:
        # A clock for the panes' elapsed time; it never polls the engine (events drive the panes).
        self.set_interval(1.0, self._tick)

    def book_changed(self) -> None:
        self.show_panes()

    def on_resize(self, event: events.Resize) -> None:
        super().on_resize(event)
        # Two lines a pane on a short terminal: the six panes fit in 24 rows with the log.
        for pane in self.panes.values():
            pane.compact = self.has_class("-short")

    def _new_pane(self, pipeline: str) -> JobPane:
        pane = JobPane(pipeline)
        pane.compact = self.has_class("-short")
        return pane

    @work(group="jobs-panes", name="Show job panes", exit_on_error=False)
    async def show_panes(self) -> None:
        """One pending pane per configured sub-pipeline of the open book.

        Panes are kept by name and updated in place; the ones the book no longer has are removed
        and awaited before any is mounted, under a lock, so a pane id is never mounted twice
        however fast books are opened."""
        session = self.amts.session
        config = self.runner.config_for(session.book, session.book_label)
        specs = self.runner.specs(config, session.book) if session.book is not None else []
        names = [spec.name for spec in specs]
        async with self._panes_lock:
            container = self.query_one("#jobs-panes", VerticalScroll)
            gone = [pane for name, pane in self.panes.items() if name not in names]
            self.panes = {name: pane for name, pane in self.panes.items() if name in names}
            hint = container.query(".unavailable")
            await container.remove_children([*gone, *hint])
            new = [self._new_pane(name) for name in names if name not in self.panes]
            self.panes.update((pane.pipeline, pane) for pane in new)
            if new:
                await container.mount_all(new)
            if not specs:
                await container.mount(Static("Open a book on the Book screen, then launch its "
                                             "sub-pipelines here.", classes="unavailable"))
        summary = self.query_one("#jobs-summary", Static)
        if not specs:
            summary.update("")
            return
        summary.update(Content(
            f"{len(specs)} sub-pipelines · {config.backend.kind} backend · "
            f"{len(config.evaluation.articles)} articles scored: {', '.join(config.evaluation.articles)}"
            # The local stand-in is a translation memory, not a translator: say so up front.
            + ("\nlocal: translates only what the parallel data covers; no-act: nothing"
               if config.backend.kind == "local" else "")))

    # -- running ------------------------------------------------------------------------------
    def action_launch(self) -> None:
        self._start(pipelines=None, resume=False)

    def action_resume(self) -> None:
        """Continue the work directory's latest run (the engine path of `--auto --resume`)."""
        self._start(pipelines=None, resume=True)

    def action_retry(self) -> None:
        failed = [name for name, pane in self.panes.items() if pane.state in ("failed", "stopped")]
        if not failed:
            self.notify("No failed or stopped sub-pipeline to retry")
            return
        self._start(pipelines=failed, resume=True)

    def action_stop(self) -> None:
        """First press: the sub-pipelines end at their next stage. Second press: cancel the run
        now (the engine stops its batch jobs on cancellation). Either way they are resumable."""
        if self.stop_event is None:
            self.notify("No run to stop")
        elif not self.stop_event.is_set():
            self.stop_event.set()
            self._log("stop requested: sub-pipelines end at their next stage (resumable); "
                      "press s again to stop now")
        else:
            self._log("stopping now: cancelling the run (resumable)")
            self.workers.cancel_group(self, "jobs")

    def _start(self, pipelines: list[str] | None, resume: bool) -> None:
        if self.stop_event is not None:
            self.notify("Jobs are already running", severity="warning")
            return
        session = self.amts.session
        if session.book is None:
            self.notify("Open a book first (Book screen)", severity="warning")
            return
        for name, pane in self.panes.items():
            if pipelines is None or name in pipelines:
                pane.reset()
        self.stop_event = asyncio.Event()
        self._set_running(True)
        self.run_experiment(pipelines, resume, self.stop_event)

    @work(exclusive=True, group="jobs", name="Run sub-pipelines", exit_on_error=False)
    async def run_experiment(self, pipelines: list[str] | None, resume: bool, stop: asyncio.Event) -> None:
        """Run the experiment on the event loop (the engine is async; CPU stages use threads)."""
        session = self.amts.session
        config = self.runner.config_for(session.book, session.book_label, pipelines)
        self._log(f"launching {', '.join(pipelines) if pipelines else 'all sub-pipelines'}"
                  + (" (resume)" if resume else ""))
        try:
            result = await self.runner.run(config, lambda e: self.post_message(PipelineEvent(e)), stop,
                                           resume=resume)
        finally:
            self.stop_event = None
            self._set_running(False)
        self._finished(result, merge=pipelines is not None)

    def _finished(self, result, merge: bool) -> None:
        session = self.amts.session
        if merge and session.experiment is not None:
            # A retry re-ran only some sub-pipelines: keep the others' results.
            new = {p.name: p for p in result.pipelines}
            kept = tuple(new.pop(p.name, p) for p in session.experiment.pipelines)
            result = replace(result, pipelines=kept + tuple(new.values()))
        session.experiment = result
        ok = sum(p.succeeded for p in result.pipelines)
        severity = "information" if result.succeeded else "warning"
        self.notify(f"{ok} of {len(result.pipelines)} sub-pipelines succeeded · see Results",
                    title="Run finished", severity=severity, timeout=8, markup=False)
        self._log(f"run {result.run_id} finished: {ok}/{len(result.pipelines)} succeeded"
                  + (f"; report {result.report_markdown}" if result.report_markdown else ""))

    def worker_failed(self, worker, error) -> None:
        if worker.group == "jobs":
            self.stop_event = None
            self._set_running(False)
            self._log(f"run failed: {error}")

    @on(Worker.StateChanged)
    def _run_cancelled(self, event: Worker.StateChanged) -> None:
        # A cancelled run (second stop, quit) is stopped, not failed: its jobs stay resumable.
        if event.worker.group != "jobs" or event.state != WorkerState.CANCELLED:
            return
        for pane in self.panes.values():
            pane.mark_stopped("stopped (cancelled); retry resumes it")
        self.stop_event = None
        self._set_running(False)
        self._log("run stopped: retry (r) resumes the stopped sub-pipelines")

    @on(PipelineEvent)
    async def _pipeline_event(self, message: PipelineEvent) -> None:
        event = message.event
        self._log(f"{event.pipeline or 'run'}: {self._describe(event)}", at=event.at)
        if not event.pipeline:
            return  # run-level events (estimate, warnings) go to the log only
        pane = self.panes.get(event.pipeline)
        if pane is None:
            pane = self.panes[event.pipeline] = self._new_pane(event.pipeline)
            pane.apply(event)
            await self.query_one("#jobs-panes", VerticalScroll).mount(pane)
            return
        pane.apply(event)

    def _describe(self, event) -> str:
        # The engine calls a run that did not succeed "failed"; when nothing under it failed
        # (the user stopped it), the panes say STOPPED and so does the log.
        if isinstance(event, ev.RunFinished) and not event.succeeded:
            states = {pane.state for pane in self.panes.values()}
            if "failed" not in states and "stopped" in states:
                return "run stopped: retry (r) resumes the stopped sub-pipelines"
        return describe_event(event)

    # -- drawing ------------------------------------------------------------------------------
    def _set_running(self, running: bool) -> None:
        self.query_one("#jobs-launch", Button).disabled = running
        self.query_one("#jobs-stop", Button).disabled = not running
        retry = any(p.state in ("failed", "stopped") for p in self.panes.values())
        self.query_one("#jobs-retry", Button).disabled = running or not retry

    def _log(self, line: str, at: float | None = None) -> None:
        stamp = time.strftime("%H:%M:%S", time.localtime(at or time.time()))
        self.query_one("#jobs-log", RichLog).write(Text(f"{stamp} {line}"))  # engine text, not markup

    def _tick(self) -> None:
        for pane in self.panes.values():
            pane.tick()

    @on(Button.Pressed, "#jobs-launch")
    def _launch_pressed(self) -> None:
        self.action_launch()

    @on(Button.Pressed, "#jobs-stop")
    def _stop_pressed(self) -> None:
        self.action_stop()

    @on(Button.Pressed, "#jobs-retry")
    def _retry_pressed(self) -> None:
        self.action_retry()

    def action_toggle_log(self) -> None:
        self.query_one("#jobs-body").toggle_class("-log-hidden")

    def screen_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Launch sub-pipelines", "Run the configured experiment", self.action_launch)
        yield SystemCommand("Stop sub-pipelines", "Stop at the next stage (resumable)", self.action_stop)
        yield SystemCommand("Resume the last run", "Re-attach to its recorded jobs (as --resume)",
                            self.action_resume)
        yield SystemCommand("Retry failed sub-pipelines", "Resume the failed or stopped ones",
                            self.action_retry)
