"""Results screen: every run of the work directory, newest first; one run's article × variant
BLEU/chrF table, or two runs compared; select an article for a side-by-side diff.

The runs are read from disk (run state and reports), so a restarted app shows them all. A stopped
or failed run never hides finished results: its sub-pipelines that did not finish show their
newest earlier success, marked `*` (engine: amts.engine.experiment.history).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.widgets import Select, Static
from textual.worker import get_current_worker

from amts.tui.messages import ArticleSelected
from amts.tui.screens.base import AmtsScreen
from amts.tui.service import article_diff, compare_runs, results_to_show, scored_units_diff
from amts.tui.widgets.bleu_table import BleuTable
from amts.tui.widgets.diff_view import DiffView

NO_RESULTS = "No results yet: launch the sub-pipelines on the Jobs screen (3), or run `amts-tui --auto`."
STATUS_MARKS = {"succeeded": "✓", "failed": "✗", "stopped": "■", "running": "…", "killed": "?", "refused": "✗"}


def run_label(entry) -> str:
    """A run as the pickers show it: start time, book, status (compact: the toolbar is narrow)."""
    stamp = time.strftime("%m-%d %H:%M", time.localtime(entry.started_at)) if entry.started_at else entry.run_id
    book = Path(entry.result.book).name if entry.result is not None else ""
    status = "" if entry.status == "succeeded" else f" {entry.status}"
    return f"{stamp} {book} {STATUS_MARKS.get(entry.status, '')}{status}".replace("  ", " ")


class ResultsScreen(AmtsScreen):
    """Scores of any run, per direction, two runs compared, and the diff of any scored article."""

    MODE = "results"
    AUTO_FOCUS = "#results-table"
    BINDINGS = [
        Binding("d", "diff", "Diff", id="results.diff"),
        Binding("c", "compare", "Compare", id="results.compare"),
        Binding("R", "reload", "Reload runs", id="results.reload"),
        Binding("tab", "app.focus_next", "Next pane", show=False, id="results.focus-next"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.history: list = []
        self.shown = None  # history.ShownResults of the chosen run

    def compose_body(self) -> ComposeResult:
        with Vertical(id="results-body"):
            with Horizontal(id="results-toolbar", classes="toolbar"):
                yield Select([], prompt="run", id="results-run", allow_blank=True, compact=True)
                yield Select([], prompt="compare with…", id="results-compare", allow_blank=True, compact=True)
                yield Select([], prompt="direction", id="results-direction", allow_blank=True, compact=True)
            yield Static(NO_RESULTS, id="results-summary")
            yield BleuTable(id="results-table")
            yield DiffView(id="results-diff")

    def on_mount(self) -> None:
        self.watch(self.app, "experiment", lambda _result: self.load_history(), init=False)
        self.load_history()

    def on_resize(self) -> None:
        if self.shown is not None:
            self._draw()

    # -- history --------------------------------------------------------------------------------
    def action_reload(self) -> None:
        self.load_history()

    @work(thread=True, exclusive=True, group="results", name="Read run history", exit_on_error=False)
    def load_history(self) -> None:
        """Read every run's state and report from the work directory (off the event loop)."""
        entries = self.amts.service.run_history(self.amts.session.experiment)
        self.app.call_from_thread(self._history_loaded, entries)

    def _history_loaded(self, entries: list) -> None:
        known = {e.run_id for e in self.history}
        self.history = entries
        run_select = self.query_one("#results-run", Select)
        compare = self.query_one("#results-compare", Select)
        previous = run_select.value
        options = [(run_label(e), e.run_id) for e in entries]
        with run_select.prevent(Select.Changed), compare.prevent(Select.Changed):
            run_select.set_options(options)
            compare.set_options([(f"vs {label}", value) for label, value in options])
        if not entries:
            self.shown = None
            self._draw()
            return
        # A run that appeared since (just finished, or run headless meanwhile) is shown; else the
        # run the user picked stays.
        fresh = any(e.run_id not in known for e in entries)
        chosen = previous if previous in [e.run_id for e in entries] and not fresh else entries[0].run_id
        with run_select.prevent(Select.Changed):
            run_select.value = chosen
        self._choose_run()

    @on(Select.Changed, "#results-run")
    def _choose_run(self) -> None:
        value = self.query_one("#results-run", Select).value
        run_id = None if value is Select.NULL else str(value)
        self.shown = results_to_show(self.history, run_id)
        directions: list[tuple[str, str]] = []
        for p in self.shown.result.pipelines if self.shown else ():
            if (p.source_lang, p.target_lang) not in directions:
                directions.append((p.source_lang, p.target_lang))
        select = self.query_one("#results-direction", Select)
        keep = select.value
        with select.prevent(Select.Changed):
            select.set_options([(f"{s}→{t}", f"{s}-{t}") for s, t in directions])
            values = [f"{s}-{t}" for s, t in directions]
            if values:
                select.value = keep if keep in values else values[0]
        self._draw()

    @on(Select.Changed, "#results-direction")
    @on(Select.Changed, "#results-compare")
    def _draw(self) -> None:
        table = self.query_one(BleuTable)
        self.workers.cancel_group(self, "diff")  # a diff still loading belongs to what was shown
        self.query_one(DiffView).clear()
        summary = self.query_one("#results-summary", Static)
        if self.shown is None:
            table.clear(columns=True)
            runs = len(self.history)
            summary.update(NO_RESULTS if not runs else
                           f"{runs} run(s) in the work directory, none with a report yet (killed or running).")
            return
        direction = self.query_one("#results-direction", Select).value
        if direction is Select.NULL:
            return
        source, target = str(direction).split("-", 1)
        result = self.shown.result
        pipelines = [p for p in result.pipelines if (p.source_lang, p.target_lang) == (source, target)]
        available = self.query_one("#results-body").size.width or self.app.size.width
        other = self._compared_entry()
        if other is not None:
            table.show_comparison(compare_runs(result, other.result, source, target), available)
            summary.update(self._comparison_summary(other))
            return
        table.show(pipelines, frozenset(self.shown.carried), available)
        summary.update(self._run_summary(pipelines))

    def _compared_entry(self):
        value = self.query_one("#results-compare", Select).value
        if value is Select.NULL or self.shown is None:
            return None
        other = next((e for e in self.history if e.run_id == value), None)
        if other is None or other.result is None or other.run_id == self.shown.entry.run_id:
            return None
        return other

    def _run_summary(self, pipelines: list) -> str:
        shown, result = self.shown, self.shown.result
        entry = shown.entry
        chosen = self.query_one("#results-run", Select).value
        lines = [f"run {entry.run_id} · {entry.status} · backend {result.backend} · "
                 f"{sum(p.succeeded for p in pipelines)}/{len(pipelines)} succeeded"]
        if chosen is not Select.NULL and chosen != entry.run_id:
            picked = next((e for e in self.history if e.run_id == chosen), None)
            if picked is not None:
                lines.insert(0, f"[$text-warning]run {picked.run_id} has no report ({escape(picked.problem)}): "
                                f"showing the newest run that has one[/]")
        for p in pipelines:
            if p.name in shown.carried:
                own = next((q for q in entry.result.pipelines if q.name == p.name), None)
                lines.append(f"[$text-warning]* {p.variant}: {own.status if own else 'not run'} in this run — "
                             f"finished result of run {shown.carried[p.name]} kept[/]")
            elif not p.succeeded:
                lines.append(f"[$text-error]{p.variant}: {p.status} — {escape(p.message)}[/]")
        table = self.query_one(BleuTable)
        if table.terms_hidden:
            lines.append("[dim]terms columns hidden at this width (widen the terminal to see them)"
                         + (" · ← → scroll the scores" if table.overflows else "") + "[/]")
        if result.backend == "local":
            coverage = [f"{p.variant} {p.translated_segments}/{p.translated_segments + p.untranslated_segments}"
                        for p in pipelines if p.translated_segments + p.untranslated_segments]
            lines.append("local backend (a translation memory): segments translated: "
                         + (", ".join(coverage) or "none"))
        signature = next((p.bleu_signature for p in pipelines if p.bleu_signature), "")
        if signature:
            lines.append(f"[dim]{escape(signature)}[/]")
        return "\n".join(lines)

    def _comparison_summary(self, other) -> str:
        scroll = " · ← → scroll the scores" if self.query_one(BleuTable).overflows else ""
        return (f"Δ = run {self.shown.entry.run_id} − run {other.run_id} (BLEU and chrF, per article and "
                f"corpus; green better, red worse) · c: stop comparing · d: diff of the newer run{scroll}")

    def action_compare(self) -> None:
        """Compare with the next older run that has results (again: back to the single run)."""
        compare = self.query_one("#results-compare", Select)
        if self._compared_entry() is not None:
            compare.clear()
            return
        if self.shown is None:
            self.notify("No results to compare", severity="warning")
            return
        older = [e for e in self.history if e.result is not None and e.run_id != self.shown.entry.run_id
                 and e.started_at <= self.shown.entry.started_at]
        if not older:
            self.notify("No earlier run with results to compare with", severity="warning")
            return
        compare.value = older[0].run_id

    # -- diff ---------------------------------------------------------------------------------
    @on(ArticleSelected)
    def _article_selected(self) -> None:
        self.action_diff()

    def action_diff(self) -> None:
        chosen = self.query_one(BleuTable).selected()
        if chosen is None or self.shown is None:
            self.notify("Put the cursor on an article's score first", severity="warning")
            return
        article, variant = chosen
        value = str(self.query_one("#results-direction", Select).value)
        source, target = value.split("-", 1)
        pipeline = next((p for p in self.shown.result.pipelines if (p.source_lang, p.target_lang, str(p.variant))
                         == (source, target, variant)), None)
        score = next((a for a in pipeline.articles if a.path == article), None) if pipeline else None
        if score is None or not score.output_path:
            self.notify(f"No output of {variant} for {article}", severity="warning", markup=False)
            return
        self.load_diff(score.output_path, score.reference_path, target, f"{variant}: {Path(article).name}",
                       score.diff_path)

    @work(thread=True, exclusive=True, group="diff", name="Diff article", exit_on_error=False)
    def load_diff(self, output_path: str, reference_path: str, target_lang: str, title: str,
                  diff_path: str = "") -> None:
        if diff_path and Path(diff_path).is_file():
            units = scored_units_diff(diff_path)  # exactly the units BLEU scored
        else:
            units = article_diff(output_path, reference_path, target_lang)
        if get_current_worker().is_cancelled:
            return  # the direction changed while it loaded
        self.app.call_from_thread(self.query_one(DiffView).show, units,
                                  f"Machine output ({title})", f"Reference ({Path(reference_path).name})")

    def screen_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Diff the selected article", "Machine output vs reference, unit by unit",
                            self.action_diff)
        yield SystemCommand("Compare with an earlier run", "BLEU/chrF deltas per article", self.action_compare)
        yield SystemCommand("Reload the run history", "Read the work directory's runs again", self.action_reload)
