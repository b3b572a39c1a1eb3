"""Book screen, the maintainer's home: pick a book (recent, a path, the demo, one of a folder of
editions) and its direction; see its size and cost, and how far each section is behind its
upstream English book (the sync plan), what awaits review and when it was last synced."""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.markup import escape
from textual.widgets import Button, DataTable, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from amts.engine.book import Book
from amts.tui.messages import BookOpened
from amts.tui.screens.base import AmtsScreen
from amts.tui.service import BookStats
from amts.tui.widgets.section_name import section_cell
from amts.tui.widgets.table import MIN_FLEXIBLE_WIDTH, Table

#: How each staleness state shows in the sections table (theme variables, no hex).
STATE_STYLES = {"unchanged": "", "behind": "$text-warning", "new upstream": "$text-accent",
                "deleted upstream": "$text-error"}
#: The states as the narrow State column names them (the summary line says them in full).
STATE_NAMES = {"unchanged": "same", "behind": "behind", "new upstream": "new", "deleted upstream": "deleted"}
STATS_HEADERS = ("Sections", "Paragraphs", "Sentences", "Characters")
COST_HEADERS = ("Variant", "Characters", "USD", "Note")


class BookScreen(AmtsScreen):
    """Open a book and see what translating it would take."""

    MODE = "book"
    AUTO_FOCUS = "#book-list"
    BINDINGS = [
        Binding("o", "focus_path", "Open path", id="book.focus-path"),
        Binding("d", "open_demo", "Demo book", id="book.open-demo"),
        Binding("r", "reverse", "Reverse direction", id="book.reverse"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.shelf: list = []  # books of the folder last opened, when it held several (service.ShelfBook)
        self.staleness = None  # the open book against upstream (engine.sync.staleness.BookStaleness)

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="book-body"):
            with Vertical(id="book-picker", classes="sidebar"):
                yield Label("Books", classes="section-title")
                yield OptionList(id="book-list")
                yield Label("Path to a book", classes="field-label")
                yield Input(placeholder="~/src/d2l-zh", id="book-path")
                yield Label("Direction", classes="field-label")
                yield Select([], prompt="open a book first", id="book-direction", allow_blank=True)
                yield Button("Open", id="book-open", variant="primary", compact=True)
            with VerticalScroll(id="book-details"):
                yield Static("No book open. Pick one on the left, or press [b]d[/b] for the demo book.",
                             id="book-summary")
                # The maintainer's first question: how far behind upstream is the book?
                with Horizontal(id="book-upstream-row"):
                    yield Label("Upstream ", classes="field-label")
                    yield Input(placeholder="source book (e.g. ~/src/d2l-en), Enter to compare",
                                id="book-upstream", compact=True)
                yield Static("", id="book-staleness")
                yield Table(id="book-sections", cursor_type="row", zebra_stripes=True)
                yield Label("Size of the source text", classes="section-title")
                yield Table(id="book-stats", cursor_type="none", show_cursor=False)
                yield Label("Cost estimate per variant", classes="section-title")
                yield Table(id="book-cost", cursor_type="none", show_cursor=False)
                yield Static("", id="book-skipped")

    def on_mount(self) -> None:
        self.query_one("#book-stats", Table).show_rows(STATS_HEADERS, [])
        self.query_one("#book-cost", Table).show_rows(COST_HEADERS, [])
        sections = self.query_one("#book-sections", Table)
        sections.flexible_columns = ("section",)  # the figures always show; long names get "…"
        # The states' colours are the theme's: a theme switch redraws them.
        self.watch(self.app, "theme", lambda _theme: self._draw_staleness(), init=False)
        self._fill_book_list()
        if self.amts.initial_book and self.amts.session.book is None:
            # After the first frame: the frame shows at once, the book (a thread) follows.
            self.call_after_refresh(self.open_book, self.amts.initial_book)

    def _fill_book_list(self) -> None:
        options = self.query_one("#book-list", OptionList)
        options.clear_options()
        for demo in self.amts.service.demo_books():
            options.add_option(Option(Content(f"★ {demo.label}"), id=f"demo:{demo.path}"))
        # Paths as written (Content, not markup: a folder may be called `[draft]`).
        for path in self.amts.settings.recent_books:
            if not self.amts.service.is_demo_book(path):
                options.add_option(Option(Content(self.amts.service.display_path(path)), id=f"recent:{path}"))
        for book in self.shelf:
            options.add_option(Option(Content(f"▸ {book.path.name}  {book.languages}"), id=f"shelf:{book.path}"))

    # -- user actions --------------------------------------------------------------------------
    @on(OptionList.OptionSelected, "#book-list")
    def _book_chosen(self, event: OptionList.OptionSelected) -> None:
        kind, path = (event.option.id or "").split(":", 1)
        self.query_one("#book-path", Input).value = "" if kind == "demo" else path
        self.open_book(path)

    @on(Input.Submitted, "#book-path")
    @on(Button.Pressed, "#book-open")
    def _path_entered(self) -> None:
        path = self.query_one("#book-path", Input).value.strip()
        if path:
            resolved = self.amts.service.resolve_user_path(path)
            shelf = self.amts.service.books_in_folder(resolved)
            if shelf:
                # A folder of books (the editions side by side): list them, the user picks one.
                self.shelf = shelf
                self._fill_book_list()
                self.query_one("#book-list", OptionList).focus()
                self.notify(f"{len(shelf)} books in {self.amts.service.display_path(resolved)}: "
                            + ", ".join(f"{b.path.name} ({b.languages})" for b in shelf), timeout=6,
                            markup=False)
                return
            self.open_book(str(resolved))
        else:
            self.notify("Type the path of a book first", severity="warning")

    @on(Select.Changed, "#book-direction")
    def _direction_chosen(self, event: Select.Changed) -> None:
        book = self.amts.session.book
        if book is None or event.value is Select.NULL:
            return
        source, target = str(event.value).split("-")
        if (source, target) != (book.source_lang, book.target_lang):
            self.open_book(self.amts.session.book_label, source, target)

    @on(Input.Submitted, "#book-upstream")
    def _upstream_entered(self) -> None:
        book = self.amts.session.book
        text = self.query_one("#book-upstream", Input).value.strip()
        if book is None or not text:
            self.notify("Open a book and name its upstream source first", severity="warning")
            return
        upstream = self.amts.service.resolve_user_path(text)
        self.amts.session.upstream = upstream
        self.compare_with_upstream(book, upstream)

    def action_focus_path(self) -> None:
        self.query_one("#book-path", Input).focus()

    def action_open_demo(self) -> None:
        demos = self.amts.service.demo_books()
        if not demos:
            self.notify("The demo book (sample_data/) is not there", severity="warning")
            return
        self.query_one("#book-path", Input).value = ""
        self.open_book(str(demos[0].path))

    def action_reverse(self) -> None:
        book = self.amts.session.book
        if book is not None:
            self.open_book(self.amts.session.book_label, book.target_lang, book.source_lang)

    def screen_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Open the demo book", "Open sample_data/ (en→zh)", self.action_open_demo)
        yield SystemCommand("Reverse direction", "Swap source and target languages", self.action_reverse)

    # -- workers -------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="book", name="Open book", exit_on_error=False)
    def open_book(self, path: str, source_lang: str | None = None, target_lang: str | None = None) -> None:
        """Discover the book's sections off the event loop and share it (the app owns it)."""
        book = self.amts.service.open_book(path, source_lang, target_lang)
        label = str(Path(path).expanduser())
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.post_message, BookOpened(book, label))

    def book_changed(self) -> None:
        """Draw the open book (whoever opened it: this screen, or Sync after writing it)."""
        for table_id in ("#book-stats", "#book-cost"):
            self.query_one(table_id, DataTable).clear()
        opened = self.amts.session.current
        if opened is None:
            return
        self._show_book(opened.book, opened.label)
        self.count_book(opened.book)
        upstream = self.amts.session.upstream or self.amts.service.default_upstream(opened.book)
        if upstream is not None and opened.book.layout == "translation-repo":
            self._upstream_found(opened.book, upstream)

    @work(thread=True, exclusive=True, group="book-stats", name="Count book", exit_on_error=False)
    def count_book(self, book: Book) -> None:
        """Count the book's text, then price it (CPU: off the event loop)."""
        stats = self.amts.service.book_stats(book)
        if get_current_worker().is_cancelled:
            return
        self.app.call_from_thread(self._show_stats, stats)
        rows = self.amts.service.cost_estimate(book, stats)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_cost, rows)

    def _upstream_found(self, book: Book, upstream: Path) -> None:
        if book is not self.amts.session.book:
            return
        self.query_one("#book-upstream", Input).value = self.amts.service.display_path(upstream)
        self.amts.session.upstream = upstream
        self.compare_with_upstream(book, upstream)

    @work(thread=True, exclusive=True, group="book-staleness", name="Compare with upstream", exit_on_error=False)
    def compare_with_upstream(self, book: Book, upstream: Path) -> None:
        """Plan the sync (cached in the work directory) to see how far each section is behind."""
        self.app.call_from_thread(self.query_one("#book-staleness", Static).update,
                                  f"Comparing with {self.amts.service.display_path(upstream)}…")
        staleness = self.amts.service.book_staleness(book, upstream)
        self.app.call_from_thread(self._show_staleness, book, staleness)

    def _show_staleness(self, book: Book, staleness) -> None:
        if book is not self.amts.session.book:
            return
        self.staleness = staleness
        self._draw_staleness()

    def _draw_staleness(self) -> None:
        staleness = self.staleness
        if staleness is None:
            return
        counts = {str(state): n for state, n in staleness.counts.items()}
        last = (time.strftime("%Y-%m-%d %H:%M", time.localtime(staleness.synced_at))
                if staleness.synced_at else "never (by AMTS)")
        self.query_one("#book-staleness", Static).update(
            f"[b]{counts['behind']}[/b] sections behind · {counts['unchanged']} unchanged · "
            f"{counts['new upstream']} new upstream · {counts['deleted upstream']} deleted upstream · "
            f"[b]{staleness.awaiting_review}[/b] units awaiting review (Review, 6) · last sync: {last}")
        table = self.query_one("#book-sections", Table)
        cursor = table.cursor_row
        table.clear(columns=True)
        table.add_column("Section", key="section", width=MIN_FLEXIBLE_WIDTH)
        # Narrow figures, so the names keep most of an 80-column terminal (the summary above
        # says the states in full, and when the book was last synced to the minute).
        for key, label, width in (("state", "State", 7), ("edited", "Ed", 3), ("new", "New", 3),
                                  ("deleted", "Del", 3), ("review", "Rev", 3), ("synced", "Synced", 6)):
            table.add_column(label, key=key, width=width)
        table.fit_columns()
        # Behind first (what needs work), then the rest; each group in book order.
        order = {"behind": 0, "new upstream": 1, "deleted upstream": 2, "unchanged": 3}
        for row in sorted(staleness.sections, key=lambda r: (order[str(r.state)], r.path)):
            style = self.app.theme_variables.get(STATE_STYLES[str(row.state)].lstrip("$"), "")
            synced = time.strftime("%m-%d", time.localtime(row.synced_at)) if row.synced_at else "—"
            table.add_row(section_cell(row.path), Text(STATE_NAMES[str(row.state)], style=style),
                          *(Text(str(n) if n else "·", justify="right")
                            for n in (row.edited, row.new, row.deleted, row.awaiting_review)),
                          synced, key=row.path)
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))

    def worker_failed(self, worker, error) -> None:
        if worker.group == "book-staleness":
            self.query_one("#book-staleness", Static).update(f"[$text-error]{escape(str(error))}[/]")

    def _show_book(self, book: Book, label: str) -> None:
        title = book.title or Path(label).name
        shown = self.amts.service.display_path(label)
        self.summary = (f"[b]{escape(title)}[/b]\n{escape(shown)}\n{book.layout}, "
                        f"{book.source_lang}→{book.target_lang}, {len(book.sections)} sections")
        self.query_one("#book-summary", Static).update(self.summary + "  [i](counting…)[/i]")
        direction = self.query_one("#book-direction", Select)
        forward, backward = f"{book.source_lang}-{book.target_lang}", f"{book.target_lang}-{book.source_lang}"
        with direction.prevent(Select.Changed):
            direction.set_options([(f"{book.source_lang} → {book.target_lang}", forward),
                                   (f"{book.target_lang} → {book.source_lang}", backward)])
            direction.value = forward
        skipped = self.query_one("#book-skipped", Static)
        if book.skipped:
            lines = "\n".join(f"  {escape(str(s))}" for s in book.skipped[:20])
            more = f"\n  … and {len(book.skipped) - 20} more" if len(book.skipped) > 20 else ""
            skipped.update(f"[b]Skipped files ({len(book.skipped)})[/b]\n{lines}{more}")
        else:
            skipped.update("")
        self.staleness = None
        for table_id in ("#book-stats", "#book-cost", "#book-sections"):
            self.query_one(table_id, DataTable).clear()
        self.query_one("#book-staleness", Static).update(
            "" if book.layout == "translation-repo" else "(only a translation repo can be compared with upstream)")
        self._fill_book_list()

    def _show_stats(self, stats: BookStats) -> None:
        self.query_one("#book-stats", Table).show_rows(STATS_HEADERS, [(
            f"{stats.sections:,}", f"{stats.paragraphs:,}", f"{stats.sentences:,}", f"{stats.characters:,}")])
        self.query_one("#book-summary", Static).update(self.summary)

    def _show_cost(self, rows) -> None:
        self.query_one("#book-cost", Table).show_rows(COST_HEADERS, [
            (row.variant, f"{row.characters:,}", f"${row.usd:,.2f}", row.note) for row in rows])

