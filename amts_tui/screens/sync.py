"""Sync screen: what changed upstream, per section, what will be reused; apply with confirmation."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.widgets import Button, Input, Static

from amts.tui.messages import BookOpened
from amts.tui.screens.base import AmtsScreen
from amts.tui.screens.confirm import ConfirmScreen
from amts.tui.service import SyncRow
from amts.tui.widgets.table import Table, one_line


class SyncScreen(AmtsScreen):
    """Plan a sync from the upstream source book, then apply it."""

    MODE = "sync"
    AUTO_FOCUS = "#sync-table"
    BINDINGS = [
        Binding("p", "plan", "Plan", id="sync.plan"),
        Binding("w", "apply", "Apply (write)", id="sync.apply"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.plan = None

    def compose_body(self) -> ComposeResult:
        with Vertical(id="sync-body"):
            with Horizontal(id="sync-toolbar", classes="toolbar"):
                yield Input(placeholder="upstream source book (e.g. ~/src/d2l-en)", id="sync-upstream")
                yield Button("Plan (p)", id="sync-plan", variant="primary", compact=True)
                yield Button("Apply (w)", id="sync-apply", variant="warning", disabled=True, compact=True)
            yield Table(id="sync-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="sync-summary")

    def on_mount(self) -> None:
        table = self.query_one("#sync-table", Table)
        table.flexible_columns = ("section",)  # the counts always show; long names get "…"
        table.add_column("Section", key="section", width=20)
        for key in ("Unchanged", "Edited", "New", "Deleted", "Saved"):
            table.add_column(key, key=key.lower(), width=len(key))
        table.fit_columns()

    def book_changed(self) -> None:
        book = self.amts.session.book
        if self.plan is not None and book is not None and self._same_book(self.plan, book):
            # The same book re-read (this screen wrote it): plan again against the same upstream,
            # the current plan shown until the new one is there.
            self.query_one("#sync-apply", Button).disabled = True
            self.action_plan()
            return
        self.plan = None
        self.query_one("#sync-table", Table).clear()
        self.query_one("#sync-apply", Button).disabled = True
        service = self.amts.service
        upstream = service.default_upstream(book)
        self.query_one("#sync-upstream", Input).value = service.display_path(upstream) if upstream else ""
        if book is None:
            self._summary("Open a book on the Book screen, then name its upstream source here.")
        elif upstream is not None:
            self.action_plan()
        else:
            self._summary("Name the upstream source book, then plan (p).")

    @staticmethod
    def _same_book(plan, book) -> bool:
        return (Path(plan.book_root).resolve() == Path(book.root).resolve()
                and (plan.source_lang, plan.target_lang) == (book.source_lang, book.target_lang))

    def _summary(self, text: str) -> None:
        self.query_one("#sync-summary", Static).update(text)

    # -- plan ---------------------------------------------------------------------------------
    @on(Button.Pressed, "#sync-plan")
    @on(Input.Submitted, "#sync-upstream")
    def action_plan(self) -> None:
        book = self.amts.session.book
        upstream = self.query_one("#sync-upstream", Input).value.strip()
        if book is None or not upstream:
            self.notify("Open a book and name its upstream source first", severity="warning")
            return
        self._summary("Planning…")
        self.make_plan(book, self.amts.service.resolve_user_path(upstream))

    @work(thread=True, exclusive=True, group="sync", name="Plan sync", exit_on_error=False)
    def make_plan(self, book, upstream: Path) -> None:
        plan, rows, saved = self.amts.service.plan_sync(book, upstream)
        self.app.call_from_thread(self._show_plan, plan, rows, saved)

    def _show_plan(self, plan, rows: list[SyncRow], saved: float) -> None:
        self.plan = plan
        table = self.query_one("#sync-table", Table)
        table.clear()
        totals = [0, 0, 0, 0]
        for row in rows:
            counts = (row.unchanged, row.edited, row.new, row.deleted)
            totals = [t + c for t, c in zip(totals, counts)]
            table.add_row(one_line(row.section), *(Text(str(c), justify="right") for c in counts),
                          Text(f"{row.saved:.0%}", justify="right"), key=row.section)
        changed = sum(1 for r in rows if r.edited or r.new or r.deleted)
        self._summary(
            f"[b]Whole book: {saved:.0%} of the translation workload saved[/b] · "
            f"{totals[0]} unchanged units reused, {totals[1]} edited and {totals[2]} new to translate, "
            f"{totals[3]} deleted · {changed} of {len(rows)} sections change"
            + (f" · {plan.counts.awaiting_review} machine-translated units await review"
               if plan.counts.awaiting_review else ""))
        self.query_one("#sync-apply", Button).disabled = changed == 0

    def worker_failed(self, worker, error) -> None:
        if worker.group == "sync":
            self._summary(f"[$text-error]{escape(str(error))}[/]")
            self.query_one("#sync-apply", Button).disabled = self.plan is None

    # -- apply --------------------------------------------------------------------------------
    @on(Button.Pressed, "#sync-apply")
    def action_apply(self) -> None:
        if self.plan is None:
            self.notify("Plan first (p)", severity="warning")
            return
        if self.query_one("#sync-apply", Button).disabled:
            self.notify("Nothing to apply: no section changes (or a sync is being applied)")
            return
        book = self.amts.session.book

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.apply_plan(self.plan)

        self.app.push_screen(ConfirmScreen(
            "Apply the sync?",
            f"This rewrites the changed sections of {self.amts.session.book_label}: NAME_origin.md "
            f"gets the new {book.source_lang} source, NAME.md keeps the human translation of every "
            "unchanged unit and gets machine translation for the rest.", "Apply"), confirmed)

    @work(thread=True, exclusive=True, group="sync", name="Apply sync", exit_on_error=False)
    def apply_plan(self, plan) -> None:
        """Apply (the backend translates), then plan again: what is left to do is shown at once."""
        self.app.call_from_thread(self._applying)
        service = self.amts.service
        lines = service.apply_sync(plan)
        shown = [line.strip() for line in lines[:5]] + (["…"] if len(lines) > 5 else [])
        self.app.call_from_thread(self.notify, "\n".join(shown), title="Sync applied", timeout=10, markup=False)
        # The book changed on disk: share the re-read book. Every screen redraws it; this one
        # plans it again against the same upstream (book_changed), so what is left shows at once.
        book = service.open_book(plan.book_root, plan.source_lang, plan.target_lang)
        self.app.call_from_thread(self.post_message, BookOpened(book, self.amts.session.book_label))

    def _applying(self) -> None:
        self.query_one("#sync-apply", Button).disabled = True
        self._summary("Applying: translating the edited and new units, then writing the book…")

    def screen_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Plan sync", "Compare the book with its upstream source", self.action_plan)
        yield SystemCommand("Apply sync", "Write the planned sync into the book", self.action_apply)
