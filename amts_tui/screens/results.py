"""Results screen: the article × variant BLEU/chrF table; select an article for a side-by-side diff."""

from __future__ import annotations

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
from amts.tui.service import article_diff, scored_units_diff
from amts.tui.widgets.bleu_table import BleuTable
from amts.tui.widgets.diff_view import DiffView


class ResultsScreen(AmtsScreen):
    """Scores of the last run, per direction, and the diff of any scored article."""

    MODE = "results"
    AUTO_FOCUS = "#results-table"
    BINDINGS = [
        Binding("d", "diff", "Diff", id="results.diff"),
        Binding("tab", "app.focus_next", "Next pane", show=False, id="results.focus-next"),
    ]

    def __init__(self) -> None:
        super().__init__()
        #: The app's experiment changed since this screen drew it (drawn when shown).
        self.experiment_stale = True

    def compose_body(self) -> ComposeResult:
        with Vertical(id="results-body"):
            with Horizontal(id="results-toolbar", classes="toolbar"):
                yield Select([], prompt="no results", id="results-direction", allow_blank=True)
                yield Static("", id="results-summary")
            yield BleuTable(id="results-table")
            yield DiffView(id="results-diff")

    def on_mount(self) -> None:
        self.watch(self.app, "experiment", self._experiment_watched, init=False)

    def _experiment_watched(self, _result) -> None:
        self.experiment_stale = True
        if self.is_current:
            self._refresh_experiment()

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        self._refresh_experiment()

    def _refresh_experiment(self) -> None:
        if self.experiment_stale:
            self.experiment_stale = False
            self._show_experiment()

    def _directions(self) -> list[tuple[str, str]]:
        seen: list[tuple[str, str]] = []
        for p in self.amts.session.experiment.pipelines:
            if (p.source_lang, p.target_lang) not in seen:
                seen.append((p.source_lang, p.target_lang))
        return seen

    def _show_experiment(self) -> None:
        result = self.amts.session.experiment
        select = self.query_one("#results-direction", Select)
        table = self.query_one(BleuTable)
        self.query_one(DiffView).clear()
        if result is None:
            with select.prevent(Select.Changed):
                select.set_options([])
            table.clear(columns=True)
            self.query_one("#results-summary", Static).update(
                "No results yet: launch the sub-pipelines on the Jobs screen.")
            return
        directions = self._directions()
        with select.prevent(Select.Changed):
            select.set_options([(f"{s} → {t}", f"{s}-{t}") for s, t in directions])
            if directions:
                select.value = f"{directions[0][0]}-{directions[0][1]}"
        self._show_direction()

    @on(Select.Changed, "#results-direction")
    def _show_direction(self) -> None:
        result = self.amts.session.experiment
        value = self.query_one("#results-direction", Select).value
        if result is None or value is Select.NULL:
            return
        source, target = str(value).split("-", 1)
        pipelines = [p for p in result.pipelines if (p.source_lang, p.target_lang) == (source, target)]
        self.workers.cancel_group(self, "diff")  # a diff still loading belongs to the other direction
        self.query_one(DiffView).clear()
        self.query_one(BleuTable).show(pipelines)
        failed = [p for p in pipelines if not p.succeeded]
        signature = next((p.bleu_signature for p in pipelines if p.bleu_signature), "")
        lines = [f"backend {result.backend} · "
                 f"{len(pipelines) - len(failed)}/{len(pipelines)} succeeded"]
        lines += [f"[$text-error]{escape(f'{p.variant}: {p.status} — {p.message}')}[/]" for p in failed]
        if result.backend == "local":
            # The local stand-in translates only what its memory covers: say how much, per variant.
            coverage = [f"{p.variant} {p.translated_segments}/{p.translated_segments + p.untranslated_segments}"
                        for p in pipelines if p.translated_segments + p.untranslated_segments]
            lines.append("local backend: the parallel data as a translation memory; segments it "
                         "translated: " + (", ".join(coverage) or "none") + " · no-act translates nothing")
        if signature:
            lines.append(f"[dim]{escape(signature)}[/]")
        self.query_one("#results-summary", Static).update("\n".join(lines))

    # -- diff ---------------------------------------------------------------------------------
    @on(ArticleSelected)
    def _article_selected(self) -> None:
        self.action_diff()

    def action_diff(self) -> None:
        chosen = self.query_one(BleuTable).selected()
        result = self.amts.session.experiment
        if chosen is None or result is None:
            self.notify("Put the cursor on an article's score first", severity="warning")
            return
        article, variant = chosen
        value = str(self.query_one("#results-direction", Select).value)
        source, target = value.split("-", 1)
        pipeline = next((p for p in result.pipelines if (p.source_lang, p.target_lang, p.variant)
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
