"""Align screen: articles on the left, their aligned pairs on the right; filter, exclude, export."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.timer import Timer
from textual.widgets import Input, Label, OptionList, ProgressBar, Select, Static
from textual.widgets.option_list import Option

from amts.tui.long_lived import settle_book_data
from amts.tui.messages import PairToggled
from amts.tui.screens.base import AmtsScreen
from amts.tui.screens.confirm import ConfirmScreen
from amts.tui.screens.export import ExportScreen
from amts.tui.session import OpenBook, pair_key
from amts.tui.widgets.pair_table import PairTable
from amts.tui.widgets.section_name import section_label

ALL_ARTICLES = "*"
#: Confidence filters: label, lowest kept, highest kept (exclusive).
CONFIDENCE_FILTERS = {
    "all": ("Any confidence", 0.0, 2.0),
    "high": ("≥ 0.9", 0.9, 2.0),
    "mid": ("0.5 – 0.9", 0.5, 0.9),
    "low": ("< 0.5 (doubtful)", 0.0, 0.5),
}


class AlignScreen(AmtsScreen):
    """Browse the book's aligned pairs and choose which go into the parallel data."""

    MODE = "align"
    AUTO_FOCUS = "#align-pairs"
    BINDINGS = [
        Binding("slash", "focus_search", "Search", id="align.search"),
        Binding("f", "cycle_filter", "Confidence", id="align.filter"),
        Binding("g", "toggle_granularity", "Para/sent", id="align.granularity"),
        Binding("e", "export", "Export", id="align.export"),
        Binding("X", "clear_exclusions", "Clear excl.", id="align.clear-exclusions"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.granularity = "sentence"
        self.article = ALL_ARTICLES
        self._search_timer: Timer | None = None
        self.shown_total = 0
        #: The confidence filter the table shows (a key of CONFIDENCE_FILTERS).
        self.filter_shown = ""

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="align-body"):
            with Vertical(id="align-articles", classes="sidebar"):
                yield Label("Articles", classes="section-title")
                yield OptionList(id="align-article-list")
            with Vertical(id="align-main"):
                with Horizontal(id="align-toolbar", classes="toolbar"):
                    yield Input(placeholder="/ search source or target", id="align-search", compact=True)
                    yield Select([(label, key) for key, (label, _, _) in CONFIDENCE_FILTERS.items()],
                                 value="all", allow_blank=False, id="align-confidence", compact=True)
                yield ProgressBar(id="align-progress", show_eta=False)
                yield PairTable(id="align-pairs")
                yield Static("", id="align-detail")
                yield Static("Open a book on the Book screen to see its aligned pairs.", id="align-status")

    def on_mount(self) -> None:
        self.query_one("#align-progress").display = False

    def book_changed(self) -> None:
        session = self.amts.session
        self.query_one("#align-article-list", OptionList).clear_options()
        self.query_one(PairTable).show_pairs([], set())
        if session.book is None:
            return
        if session.alignment is not None:
            self._show_alignment()
            return
        progress = self.query_one("#align-progress", ProgressBar)
        progress.display = True
        progress.update(total=len(session.book.sections), progress=0)
        self._status(f"Aligning {len(session.book.sections)} sections…")
        self.align(session.current)

    # -- the alignment worker -----------------------------------------------------------------
    @work(thread=True, exclusive=True, group="align", name="Align book", exit_on_error=False)
    def align(self, opened: OpenBook) -> None:
        """Align the whole book off the event loop (sections in parallel, cached on disk)."""
        book = opened.book

        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(self.query_one("#align-progress", ProgressBar).update,
                                      total=total, progress=done)

        alignment = self.amts.service.align_book(book, on_progress=progress)
        exclusions = self.amts.service.read_exclusions(book)
        self.app.call_from_thread(self._alignment_ready, alignment, exclusions, opened)

    def _alignment_ready(self, alignment, exclusions, opened: OpenBook) -> None:
        if opened is not self.amts.session.current:
            return  # another book was opened meanwhile
        # Exclusions first: watchers of the alignment (the Jobs screen) count what they leave out.
        self.amts.session.exclusions = exclusions
        self.amts.session.alignment = alignment
        self._show_alignment()
        settle_book_data()  # the alignment and the table's rows live as long as the book
        warnings = len(alignment.warnings) + len(alignment.skipped)
        if warnings:
            self.notify(f"{warnings} warnings or skipped files while aligning", severity="warning")

    def worker_failed(self, worker, error) -> None:
        self.query_one("#align-progress").display = False
        if worker.group == "align":
            self._status(f"Alignment not available: {escape(str(error))}")

    # -- drawing ------------------------------------------------------------------------------
    def _show_alignment(self) -> None:
        self.query_one("#align-progress").display = False
        alignment = self.amts.session.alignment
        articles = self.query_one("#align-article-list", OptionList)
        articles.clear_options()
        total = sum(len(s.pairs(self.granularity)) for s in alignment.sections)
        articles.add_option(Option(f"All articles ({total:,})", id=ALL_ARTICLES))
        for section in alignment.sections:
            articles.add_option(Option(section_label(section.name, len(section.pairs(self.granularity))),
                                       id=section.name))
        articles.highlighted = 0
        self.article = ALL_ARTICLES
        self.refresh_pairs()

    def refresh_pairs(self) -> None:
        """Redraw the table from the alignment with the current article, search and filter."""
        alignment = self.amts.session.alignment
        if alignment is None:
            return
        search = self.query_one("#align-search", Input).value.strip().lower()
        self.filter_shown = str(self.query_one("#align-confidence", Select).value)
        _, low, high = CONFIDENCE_FILTERS[self.filter_shown]
        rows, total = [], 0
        for section in alignment.sections:
            if self.article not in (ALL_ARTICLES, section.name):
                continue
            for i, pair in enumerate(section.pairs(self.granularity)):
                total += 1
                if not low <= pair.confidence < high:
                    continue
                if search and search not in pair.source.lower() and search not in pair.target.lower():
                    continue
                rows.append((pair_key(pair, i), pair))
        self.query_one(PairTable).show_pairs(rows, self._excluded_keys(rows))
        self.shown_total = total
        self._show_counts()
        self.query_one("#align-detail", Static).update("")

    def _excluded_keys(self, rows: list) -> set[str]:
        is_excluded = self.amts.session.is_excluded
        return {key for key, pair in rows if is_excluded(pair)}

    def _show_counts(self) -> None:
        table = self.query_one(PairTable)
        stored = len(self.amts.session.exclusions or ())
        # Short enough for 80 columns: the keys (x, X, g) are in the footer and the key panel.
        self._status(f"[b]{self.granularity}[/b] pairs: {len(table.rows_shown):,} of "
                     f"{self.shown_total:,} · {len(table.excluded):,} excluded here, "
                     f"{stored:,} stored")

    def _status(self, text: str) -> None:
        self.query_one("#align-status", Static).update(text)

    # -- events and actions -------------------------------------------------------------------
    @on(OptionList.OptionHighlighted, "#align-article-list")
    def _article_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        article = event.option.id or ALL_ARTICLES
        if article != self.article:
            self.article = article
            self.refresh_pairs()

    @on(OptionList.OptionSelected, "#align-article-list")
    def _article_selected(self) -> None:
        self.query_one(PairTable).focus()

    @on(Input.Changed, "#align-search")
    def _search_changed(self) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(0.25, self.refresh_pairs)

    @on(Input.Submitted, "#align-search")
    def _search_submitted(self) -> None:
        self.query_one(PairTable).focus()

    @on(Select.Changed, "#align-confidence")
    def _filter_changed(self, event: Select.Changed) -> None:
        # The Select also reports its first value once mounted: the table shows it already.
        if event.value != self.filter_shown:
            self.refresh_pairs()

    @on(PairTable.RowHighlighted, "#align-pairs")
    def _pair_highlighted(self) -> None:
        current = self.query_one(PairTable).current
        if current is None:
            return
        _, pair = current
        self.query_one("#align-detail", Static).update(
            f"[b]{escape(pair.path)}[/b]:{pair.source_line}  bead {pair.bead}  "
            f"confidence {pair.confidence:.2f}\n{escape(pair.source)}\n[$text-accent]{escape(pair.target)}[/]")

    @on(PairToggled)
    def _pair_toggled(self, message: PairToggled) -> None:
        """Write the change to the book's ExclusionStore at once: it outlives the app, and every
        job and export reads it."""
        session, service = self.amts.session, self.amts.service
        table = self.query_one(PairTable)
        pair = dict(table.rows_shown).get(message.key)
        if pair is None or session.book is None:
            return
        change = service.exclude_pairs if message.excluded else service.include_pairs
        session.exclusions = change(session.book, [pair])
        # An exclusion reaches only pairs of its own section (a paragraph covers its sentences):
        # only that section's rows are checked again, so a toggle stays quick on a whole book.
        same_section = [(key, p) for key, p in table.rows_shown if p.path == pair.path]
        others = table.excluded - {key for key, _ in same_section}
        table.mark_excluded(others | self._excluded_keys(same_section))
        self._show_counts()
        verb = "Excluded" if message.excluded else "Included"
        self.notify(f"{verb} pair · {len(session.exclusions):,} stored for this book", timeout=2)

    def action_clear_exclusions(self) -> None:
        session = self.amts.session
        if session.book is None or not session.exclusions:
            self.notify("No excluded pairs to clear")
            return
        book = session.book

        def confirmed(yes: bool | None) -> None:
            if yes and session.book is book:
                session.exclusions = self.amts.service.clear_exclusions(book)
                table = self.query_one(PairTable)
                table.mark_excluded(set())
                self._show_counts()
                self.notify("Every pair is included again")

        self.app.push_screen(ConfirmScreen(
            "Clear the excluded pairs?",
            f"{len(session.exclusions):,} pairs excluded from this book's parallel data go back into "
            "it (both directions, every granularity).", "Clear"), confirmed)

    def action_focus_search(self) -> None:
        self.query_one("#align-search", Input).focus()

    def action_cycle_filter(self) -> None:
        select = self.query_one("#align-confidence", Select)
        keys = list(CONFIDENCE_FILTERS)
        select.value = keys[(keys.index(str(select.value)) + 1) % len(keys)]

    def action_toggle_granularity(self) -> None:
        self.granularity = "paragraph" if self.granularity == "sentence" else "sentence"
        if self.amts.session.alignment is not None:
            self._show_alignment()

    def action_export(self) -> None:
        session = self.amts.session
        if session.alignment is None or session.book is None:
            self.notify("Nothing aligned yet", severity="warning")
            return
        pairs = session.included_pairs(self.granularity)
        book = session.book
        name = Path(session.book_label).name or "book"
        default = (self.amts.service.work_dir / "exports" /
                   f"{name}.{book.source_lang}-{book.target_lang}.{self.granularity}.csv")

        def export(choice: tuple[str, Path] | None) -> None:
            if choice is not None:
                self.export(pairs, choice[0], choice[1])

        self.app.push_screen(ExportScreen(self.amts.service.export_formats(), default, len(pairs)), export)

    @work(thread=True, group="export", name="Export parallel data", exit_on_error=False)
    def export(self, pairs, fmt: str, path: Path) -> None:
        book = self.amts.session.book
        lines = self.amts.service.export_pairs(pairs, path, fmt, book.source_lang, book.target_lang)
        self.app.call_from_thread(self.notify, "\n".join(lines), title="Exported", timeout=8, markup=False)

    def screen_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Export parallel data", "Write the included pairs as CSV/TSV/TMX",
                            self.action_export)
        yield SystemCommand("Toggle paragraph/sentence pairs", "Switch the alignment granularity",
                            self.action_toggle_granularity)
