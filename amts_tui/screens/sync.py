"""Sync screen: what changed upstream, per section, what will be reused; apply with confirmation.

Enter on a section shows its changes (old and new source, what the sync puts in the translation,
unit by unit); space selects sections, and apply (w) then writes only those. The confirmation says
what will be sent to Amazon Translate: units, characters and cost at the ACT batch rate (`--write`
runs one ACT batch job).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.markup import escape
from textual.widgets import Button, Input, Static

from amts.tui.messages import BookOpened
from amts.tui.screens.base import AmtsScreen
from amts.tui.screens.confirm import ConfirmScreen
from amts.tui.service import SyncRow, sync_sending
from amts.tui.widgets.section_name import section_cell
from amts.tui.widgets.table import Table

#: What the sync puts into the translation, per unit action (the machine text comes at apply).
PROPOSED = {
    "translate": "machine translation of the new source, marked for review",
    "reuse": "the human translation of the same sentence elsewhere in the book",
    "patch": "the translation, patched with upstream's change (no machine translation)",
    "merge": "upstream's change merged into the block",
    "insert": "the new block, copied as it is",
    "conflict": "upstream's lines, marked for review (the translator changed them too)",
    "drop": "removed from the translation",
    "skip": "left alone (the translation never had it)",
    "keep": "the translation, unchanged",
}
SELECTED_MARK = "●"


class SyncScreen(AmtsScreen):
    """Plan a sync from the upstream source book, then apply it."""

    MODE = "sync"
    AUTO_FOCUS = "#sync-table"
    BINDINGS = [
        Binding("p", "plan", "Plan", id="sync.plan"),
        Binding("w", "apply", "Apply (write)", id="sync.apply"),
        Binding("space", "toggle_section", "Select", id="sync.select"),
        Binding("enter", "show_changes", "Changes", id="sync.changes"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.plan = None
        #: NAME.md paths of the sections chosen for apply (none: every section that changes).
        self.selected: set[str] = set()

    def compose_body(self) -> ComposeResult:
        with Vertical(id="sync-body"):
            with Horizontal(id="sync-toolbar", classes="toolbar"):
                yield Input(placeholder="upstream source book (e.g. ~/src/d2l-en)", id="sync-upstream")
                yield Button("Plan (p)", id="sync-plan", variant="primary", compact=True)
                yield Button("Apply (w)", id="sync-apply", variant="warning", disabled=True, compact=True)
            yield Table(id="sync-table", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="sync-changes"):
                yield Static("", id="sync-changes-text")
            yield Static("", id="sync-summary")

    def on_mount(self) -> None:
        table = self.query_one("#sync-table", Table)
        table.flexible_columns = ("section",)  # the counts always show; long names get "…"
        table.add_column(" ", key="selected", width=1)
        table.add_column("Section", key="section", width=20)
        for key, label in (("unchanged", "Same"), ("edited", "Edited"), ("new", "New"), ("deleted", "Del."),
                           ("saved", "Saved")):
            table.add_column(label, key=key, width=len(label))
        table.fit_columns()
        self.query_one("#sync-changes").display = False

    def book_changed(self) -> None:
        book = self.amts.session.book
        if self.plan is not None and book is not None and self._same_book(self.plan, book):
            # The same book re-read (this screen wrote it): plan again against the same upstream,
            # the current plan shown until the new one is there.
            self.query_one("#sync-apply", Button).disabled = True
            self.action_plan()
            return
        self.plan = None
        self.selected.clear()
        self.query_one("#sync-changes").display = False
        self.query_one("#sync-table", Table).clear()
        self.query_one("#sync-apply", Button).disabled = True
        service = self.amts.service
        upstream = self.amts.session.upstream or service.default_upstream(book)
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
        paths = {s.path for s in plan.sections}
        self.selected &= paths
        table = self.query_one("#sync-table", Table)
        cursor = table.cursor_row
        table.clear()
        totals = [0, 0, 0, 0]
        for row, section in zip(rows, plan.sections, strict=True):
            counts = (row.unchanged, row.edited, row.new, row.deleted)
            totals = [t + c for t, c in zip(totals, counts)]
            table.add_row(self._mark(section.path), section_cell(section.path),
                          *(Text(str(c), justify="right") for c in counts),
                          Text(f"{row.saved:.0%}", justify="right"), key=section.path)
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))
        changed = sum(1 for r in rows if r.edited or r.new or r.deleted)
        self._summary(
            f"[b]Whole book: {saved:.0%} of the translation workload saved[/b] · "
            f"{totals[0]} unchanged units reused, {totals[1]} edited and {totals[2]} new to translate, "
            f"{totals[3]} deleted · {changed} of {len(rows)} sections change"
            + (f" · {plan.counts.awaiting_review} machine-translated units await review"
               if plan.counts.awaiting_review else ""))
        self.query_one("#sync-apply", Button).disabled = changed == 0
        if self.query_one("#sync-changes").display:
            self.action_show_changes()

    def _mark(self, path: str) -> Text:
        return Text(SELECTED_MARK if path in self.selected else " ", style="bold")

    # -- per section: select, drill down -------------------------------------------------------
    def _section_under_cursor(self):
        table = self.query_one("#sync-table", Table)
        if self.plan is None or not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return next((s for s in self.plan.sections if s.path == row_key.value), None)

    def action_toggle_section(self) -> None:
        section = self._section_under_cursor()
        if section is None:
            return
        if not section.has_work:
            self.notify(f"{section.path}: nothing to apply", timeout=2)
            return
        self.selected ^= {section.path}
        self.query_one("#sync-table", Table).update_cell(section.path, "selected", self._mark(section.path))
        self._summary_selection()

    def _summary_selection(self) -> None:
        if not self.selected:
            self.notify("No section selected: apply (w) writes every section that changes", timeout=3)
            return
        sending = sync_sending(self.plan, sorted(self.selected))
        self.notify(f"{len(self.selected)} selected: {sending.units} units, {sending.characters:,} characters, "
                    f"${sending.usd:.4f}", timeout=3)

    @on(Table.RowSelected, "#sync-table")
    def action_show_changes(self) -> None:
        """The changes of the section under the cursor: old/new source and what goes in, per unit."""
        section = self._section_under_cursor()
        if section is None:
            return
        pane = self.query_one("#sync-changes")
        pane.display = True
        lines = [f"[b]{escape(section.path)}[/b] · {section.status} · {section.edited} edited, {section.new} new, "
                 f"{section.deleted} deleted · {section.characters:,} characters to translate"]
        units = section.changed_units
        if not units:
            lines.append("No change upstream: the translation stays as it is.")
        for unit in units:
            lines.append(f"\n[b]L{unit.line}[/b] {unit.kind} · {unit.status} · {unit.action}"
                         + (f" — {escape(unit.why)}" if unit.why else ""))
            if unit.old_source:
                lines.append(f"  [$text-error]old[/] {escape(_flat(unit.old_source))}")
            if unit.status != "deleted":
                lines.append(f"  [$text-success]new[/] {escape(_flat(unit.source))}")
            proposed = PROPOSED.get(str(unit.action), str(unit.action))
            lines.append(f"  [$text-accent]→[/] {proposed}")
            if unit.translation and str(unit.action) in ("translate", "reuse", "drop", "patch", "conflict"):
                label = "copied" if str(unit.action) == "reuse" else "previous"
                lines.append(f"    [dim]{label}:[/] {escape(_flat(unit.translation))}")
        self.query_one("#sync-changes-text", Static).update("\n".join(lines))
        pane.scroll_home(animate=False)

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
        sections = sorted(self.selected) if self.selected else None
        sending = sync_sending(self.plan, sections)
        which = (f"the {sending.sections} selected section(s)" if sections else
                 f"every changed section ({sending.sections})")
        shown = ", ".join(sections[:4]) + (" …" if len(sections) > 4 else "") if sections else ""

        plan = self.plan

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            if plan is not self.plan:
                # Planned again (or another book opened) while the question was open.
                self.notify("The plan changed meanwhile: apply (w) again to see what it writes",
                            severity="warning")
                return
            self.apply_plan(plan, sections)

        self.app.push_screen(ConfirmScreen(
            "Apply the sync?",
            f"This rewrites {which} of {self.amts.session.book_label}"
            + (f" ({shown})" if shown else "") + ": NAME_origin.md gets the new source, NAME.md keeps "
            "the human translation of every unchanged unit and gets machine translation for the rest.\n\n"
            f"Sent to Amazon Translate: {sending.units} units, {sending.characters:,} characters, "
            f"about ${sending.usd:.4f} at ${sending.usd_per_million:g} per million characters "
            f"(one ACT batch job, {sending.variant}).", "Apply"), confirmed)

    @work(thread=True, exclusive=True, group="sync", name="Apply sync", exit_on_error=False)
    def apply_plan(self, plan, sections: list[str] | None = None) -> None:
        """Apply (the backend translates), then plan again: what is left to do is shown at once."""
        self.app.call_from_thread(self._applying)
        service = self.amts.service
        lines = service.apply_sync(plan, sections)
        shown = [line.strip() for line in lines[:5]] + (["…"] if len(lines) > 5 else [])
        self.app.call_from_thread(self.notify, "\n".join(shown), title="Sync applied", timeout=10, markup=False)
        # The book changed on disk: share the re-read book. Every screen redraws it; this one
        # plans it again against the same upstream (book_changed), so what is left shows at once.
        book = service.open_book(plan.book_root, plan.source_lang, plan.target_lang)
        self.app.call_from_thread(self._selection_written)
        self.app.call_from_thread(self.post_message, BookOpened(book, self.amts.session.book_label))

    def _selection_written(self) -> None:
        self.selected.clear()

    def _applying(self) -> None:
        self.query_one("#sync-apply", Button).disabled = True
        self._summary("Applying: translating the edited and new units, then writing the book…")

    def screen_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Plan sync", "Compare the book with its upstream source", self.action_plan)
        yield SystemCommand("Apply sync", "Write the planned sync (the selected sections) into the book",
                            self.action_apply)
        yield SystemCommand("Show a section's changes", "Old and new source, what goes in", self.action_show_changes)


def _flat(text: str, limit: int = 400) -> str:
    """One paragraph of a unit's text for the changes pane (long code cells cut)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"
