"""`amts-tui --auto`: the experiment without a UI, over SSH or in CI.

Progress bars (rich) when stdout is a terminal, one plain line per event otherwise. The report
path is printed at the end; the exit status is 0 only when every sub-pipeline succeeded.
"""

from __future__ import annotations

import asyncio
import math
import signal
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from amts.engine import events as ev
from amts.engine.errors import AmtsError
from amts.engine.experiment.config import ExperimentConfig, LimitsSettings, demo_config, load_config
from amts.engine.experiment.report import ExperimentResult
from amts.engine.writer_lock import hold_workdir
from amts.tui.event_text import describe_event as describe
from amts.tui.exit_status import ExitStatus
from amts.tui.paths import sample_data_dir

if TYPE_CHECKING:
    from amts.engine.local_service import LocalFaults

SAMPLE_DATA = sample_data_dir()


class PlainPrinter:
    """One line per event, flushed, for logs without a terminal."""

    def __init__(self, out: TextIO):
        self.out = out

    def __call__(self, event: ev.Event) -> None:
        if isinstance(event, ev.Progress) and event.done not in (0, event.total) and event.done % 50:
            return  # a line per 50 steps is plenty in a log
        print(describe(event), file=self.out, flush=True)

    def close(self) -> None:
        pass


class RichProgress:
    """One progress bar per sub-pipeline (its stage as the description), warnings printed above."""

    STAGE_WEIGHT = tuple(stage for stage in ev.Stage if stage != ev.Stage.ALIGN)

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self.console = Console()
        self.progress = Progress(TextColumn("{task.fields[name]:<22}"), BarColumn(),
                                 TextColumn("{task.description}"), TimeElapsedColumn(),
                                 console=self.console)
        self.tasks: dict[str, int] = {}
        self.progress.start()

    def _task(self, name: str) -> int:
        if name not in self.tasks:
            self.tasks[name] = self.progress.add_task("waiting", total=len(self.STAGE_WEIGHT),
                                                      name=name)
        return self.tasks[name]

    def __call__(self, event: ev.Event) -> None:
        if not event.pipeline:
            self.console.print(describe(event))
            return
        task = self._task(event.pipeline)
        match event:
            case ev.StageStarted(stage=stage):
                step = self.STAGE_WEIGHT.index(stage) if stage in self.STAGE_WEIGHT else 0
                self.progress.update(task, description=stage, completed=step)
            case ev.Progress(stage=stage, done=done, total=total):
                self.progress.update(task, description=f"{stage} {done}/{total}")
            case ev.JobStatus(status=status, documents_done=done, documents_total=total):
                docs = f" {done}/{total}" if total else ""
                self.progress.update(task, description=f"job {status}{docs}")
            case ev.ResourceStatus(status=status):
                self.progress.update(task, description=f"parallel data {status}")
            case ev.Finished():
                self.progress.update(task, description="[green]done", completed=len(self.STAGE_WEIGHT))
            case ev.Failed():
                self.progress.update(task, description="[red]failed")
                self.console.print(describe(event), style="red", markup=False, highlight=False)
            case ev.Warning() | ev.CostEstimated():
                self.console.print(describe(event), markup=False, highlight=False)

    def close(self) -> None:
        self.progress.stop()


def load_experiment(config_path: Path | None, demo: bool) -> ExperimentConfig:
    """The config to run: the demo on sample_data, a named file, or ./amts.toml."""
    if demo:
        return demo_config(SAMPLE_DATA)
    path = config_path or Path("amts.toml")
    if config_path is None and not path.is_file():
        raise AmtsError("no config: pass --config FILE (or put amts.toml here), or use --demo")
    return load_config(path)


def run_headless(config_path: Path | None, demo: bool, resume: bool, *,
                 out: TextIO | None = None, force_plain: bool = False,
                 listener: Callable[[ev.Event], None] | None = None, max_cost_usd: float | None = None,
                 local_faults: LocalFaults | None = None) -> int:
    """Run the experiment headless and return the process exit status; `listener`, when given,
    sees every event too (after the printer); `max_cost_usd` replaces the config's limit;
    `local_faults` (tests only) makes the embedded local backend fail on purpose."""
    out = out or sys.stdout
    try:
        config = load_experiment(config_path, demo)
        if max_cost_usd is not None:
            if not math.isfinite(max_cost_usd) or max_cost_usd < 0:
                raise AmtsError(f"--max-cost must be a number of US dollars, at least 0, not {max_cost_usd}")
            config = replace(config, limits=LimitsSettings(max_cost_usd))
    except AmtsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return ExitStatus.USAGE  # the run could not start (config, book, cost limit)
    use_rich = not force_plain and out is sys.stdout and out.isatty()
    printer: PlainPrinter | RichProgress = RichProgress() if use_rich else PlainPrinter(out)
    try:
        with hold_workdir(config.workdir, "--auto"):  # one run per work directory
            result = asyncio.run(_run(config, _tee(printer, listener), resume, local_faults))
    except AmtsError as exc:
        printer.close()
        print(f"error: {exc}", file=sys.stderr)
        return ExitStatus.USAGE
    except KeyboardInterrupt:
        printer.close()
        print("interrupted: the translation jobs were stopped; run again with --resume to keep "
              "what finished", file=sys.stderr)
        return ExitStatus.INTERRUPTED
    printer.close()
    print(f"outcome: {result.outcome}", file=out)
    print(f"report: {result.report_markdown}", file=out)
    print(f"report (JSON): {result.report_json}", file=out)
    if result.succeeded:
        return ExitStatus.OK
    for failed in result.failed:
        print(f"failed: {failed.name}: {failed.status}"
              + (f" at {failed.failed_stage}" if failed.failed_stage else "")
              + f": {failed.message}", file=sys.stderr)
    return ExitStatus.PARTIAL  # some sub-pipeline failed (partial results too) or was stopped


def _tee(printer: Callable[[ev.Event], None],
         listener: Callable[[ev.Event], None] | None) -> Callable[[ev.Event], None]:
    if listener is None:
        return printer

    def both(event: ev.Event) -> None:
        printer(event)
        listener(event)

    return both


async def _run(config: ExperimentConfig, printer: Callable[[ev.Event], None], resume: bool,
               local_faults: LocalFaults | None = None) -> ExperimentResult:
    from amts.engine.experiment.pipeline import run_experiment

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    try:  # SIGTERM (CI cancelling, ssh hang-up) stops cleanly: the run stays resumable
        loop.add_signal_handler(signal.SIGTERM, stop.set)
    except (NotImplementedError, RuntimeError):
        pass
    return await run_experiment(config, printer, stop, resume, local_faults=local_faults)
