"""Review screen: the units a sync machine-translated, per section; accept, edit or reject each.

For the unit under the cursor it shows the old and the new source, the human translation the sync
replaced and the machine text, side by side (stacked on narrow terminals). Every action writes
NAME.md atomically through amts.engine.sync.review, which also keeps the sync's record current;
the listing is read from disk whenever the screen is shown, so a sync applied meanwhile (here or
by `amts-tui sync --write`) appears at once.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.markup import escape
from textual.widgets import Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from amts.tui.screens.base import AmtsScreen
from amts.tui.screens.confirm import ConfirmScreen
from amts.tui.widgets.section_name import section_label

#: Below this width the four texts stack in one column.
NARROW_WIDTH = 110


def unit_id(unit) -> str:
    """An option id naming a unit within one listing (its section and where it starts)."""
    return f"unit:{unit.section}:{unit.start}"


class ReviewScreen(AmtsScreen):
    """Accept, edit or reject what a sync machine-translated, one unit at a time."""

    MODE = "review"
    AUTO_FOCUS = "#review-units"
    BINDINGS = [
        Binding("a", "accept", "Accept", id="review.accept"),
        Binding("e", "edit", "Edit", id="review.edit"),
        Binding("r", "reject", "Reject", id="review.reject"),
        Binding("n", "next", "Next", id="review.next"),
        Binding("p", "previous", "Previous", id="review.previous"),
        Binding("ctrl+s", "save_edit", "Save edit", id="review.save", show=False, priority=True),
        Binding("escape", "cancel_edit", "Cancel edit", id="review.cancel", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.review = None  # amts.engine.sync.BookReview
        self.current = None  # the ReviewUnit shown
        self.editing = False
        self.busy = False

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="review-body"):
            with Vertical(id="review-list-pane", classes="sidebar"):
                yield Label("Awaiting review", classes="section-title")
                yield OptionList(id="review-units")
            with Vertical(id="review-main"):
                yield Static("", id="review-heading")
                with Grid(id="review-panes"):
                    for key, title in (("old", "Old source"), ("new", "New source"),
                                       ("previous", "Previous translation"), ("machine", "Machine text")):
                        with Vertical(classes="review-pane", id=f"review-pane-{key}"):
                            yield Label(title, classes="review-pane-title", id=f"review-title-{key}")
                            yield Static("", id=f"review-{key}", markup=False)
                yield Static("Open a book on the Book screen (1); units a sync marked for review "
                             "appear here.", id="review-status")

    def on_resize(self) -> None:
        self.query_one("#review-panes").set_class(self.size.width < NARROW_WIDTH, "-narrow")

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        if self.review is not None and not self.editing:
            self.load_review()  # re-read: a sync may have written the book since (book_changed loads the first)

    def book_changed(self) -> None:
        self.review, self.current = None, None
        self._stop_editing()
        self.query_one("#review-units", OptionList).clear_options()
        self._show_unit()
        if self.amts.session.book is not None:
            self.load_review()

    # -- listing --------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="review-list", name="List units awaiting review",
          exit_on_error=False)
    def load_review(self) -> None:
        book = self.amts.session.book
        review = self.amts.service.list_review(book)
        self.app.call_from_thread(self._review_loaded, review, book)

    def _review_loaded(self, review, book) -> None:
        if book is not self.amts.session.book:
            return
        self.review = review
        current = self.current
        self._fill_list()
        keep = None
        if current is not None:
            keep = next((u for u in review.units if (u.section, u.start) == (current.section, current.start)), None)
        self._select(keep or review.next())

    def _fill_list(self) -> None:
        options = self.query_one("#review-units", OptionList)
        options.clear_options()
        for section in self.review.sections if self.review else ():
            options.add_option(Option(section_label(section.path, len(section.units)),
                                      id=f"section:{section.path}", disabled=True))
            for unit in section.units:
                kind = "" if unit.kind == "sentence" else f" {unit.kind}"
                label = f"  L{unit.line} {unit.status}{kind}" + (" conflict" if unit.is_conflict else "")
                options.add_option(Option(label, id=unit_id(unit)))

    def _select(self, unit) -> None:
        options = self.query_one("#review-units", OptionList)
        if unit is not None and self.review is not None:
            # The unit as this listing has it (one from an action's result may be an older copy).
            unit = next((u for u in self.review.units if (u.section, u.start) == (unit.section, unit.start)), None)
        self.current = unit
        if unit is not None:
            with options.prevent(OptionList.OptionHighlighted):
                options.highlighted = options.get_option_index(unit_id(unit))
        self._show_unit()

    @on(OptionList.OptionHighlighted, "#review-units")
    def _unit_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if self.review is None or self.editing:
            return
        self.current = next((u for u in self.review.units if unit_id(u) == event.option.id), None)
        self._show_unit()

    # -- drawing --------------------------------------------------------------------------------
    def _show_unit(self) -> None:
        unit, book = self.current, self.amts.session.book
        texts = {"old": "", "new": "", "previous": "", "machine": ""}
        if unit is not None:
            texts = {"old": unit.old_source or "(none: new upstream)", "new": unit.source,
                     "previous": unit.previous or "(none)", "machine": unit.machine}
        for key, text in texts.items():
            self.query_one(f"#review-{key}", Static).update(text)
        if book is not None:
            # The book's translation side is NAME.md whichever way round it is opened.
            source, target = self.amts.service.sync_languages(book)
            for key, title in (("old", f"Old source ({source})"), ("new", f"New source ({source})"),
                               ("previous", f"Previous translation ({target})"),
                               ("machine", f"Machine text ({target})")):
                self.query_one(f"#review-title-{key}", Label).update(title)
        total = len(self.review) if self.review is not None else 0
        heading = self.query_one("#review-heading", Static)
        status = self.query_one("#review-status", Static)
        if unit is None:
            heading.update("")
            if book is not None and self.review is not None:
                status.update("Nothing awaits review in this book: every unit a sync wrote has been "
                              "accepted, edited or rejected." if not total else "")
            return
        position = self.review.units.index(unit) + 1 if unit in self.review.units else 0
        note = " · left in the source language by the translator" if unit.left_in_source_language else ""
        heading.update(f"[b]{escape(unit.section)}[/b]:{unit.line}  {unit.kind} · {unit.status}{note}  "
                       f"({position} of {total})")
        reject = "restores the previous translation" if unit.reject_restores else "removes the unit"
        status.update(f"a accept · e edit · r reject ({reject}) · n/p next/previous")

    # -- actions ----------------------------------------------------------------------------------
    def _can_act(self) -> bool:
        if self.busy:
            return False
        if self.current is None:
            self.notify("No unit selected", severity="warning")
            return False
        return True

    def action_accept(self) -> None:
        if not self.editing and self._can_act():
            self.act(self.current, "accept")

    def action_reject(self) -> None:
        if self.editing or not self._can_act():
            return
        unit = self.current
        if unit.reject_restores:
            self.act(unit, "reject")
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.act(unit, "reject")

        self.app.push_screen(ConfirmScreen(
            "Reject this unit?", "It is new upstream and had no translation before: rejecting removes "
            "its machine text from the file (edit it instead to translate it).", "Remove"), confirmed)

    async def action_edit(self) -> None:
        if self.editing or not self._can_act():
            return
        unit = self.current
        self.editing = True
        editors = self.query("#review-editor").results(TextArea)
        editor = next(editors, None)
        if editor is None:
            # Built on the first edit, not with the screen: a TextArea is a good part of the
            # cost of the screen's first showing, and most reviews only accept or reject.
            editor = TextArea("", id="review-editor", soft_wrap=True)
            await self.query_one("#review-pane-machine").mount(editor)
            if not self.editing or self.current is not unit:
                editor.display = False  # the book or the unit changed while it was built
                return
        editor.text = unit.machine
        self.query_one("#review-machine").display = False
        editor.display = True
        editor.focus()
        self.query_one("#review-status", Static).update("Editing: ctrl+s saves, Escape cancels")

    def action_save_edit(self) -> None:
        if not self.editing or self.busy or self.current is None:
            return
        editor = next(self.query("#review-editor").results(TextArea), None)
        if editor is None:
            return  # still being built (the first edit)
        text = editor.text
        if not text.strip():
            self.notify("An empty translation cannot be saved: reject the unit instead", severity="warning")
            return
        self.act(self.current, "edit", text)

    def action_cancel_edit(self) -> None:
        """Escape: out of the editor (dropping the edit); elsewhere, back to the list as on
        every screen."""
        if self.editing:
            self._stop_editing()
            self._show_unit()
        else:
            self.focus_main()

    def _stop_editing(self) -> None:
        self.editing = False
        for editor in self.query("#review-editor"):
            editor.display = False
        self.query_one("#review-machine").display = True
        self.query_one("#review-units").focus()

    def action_next(self) -> None:
        if self.review is not None and not self.editing:
            following = self.review.next(self.current)
            if following is None:
                self.notify("Last unit", timeout=2)
            else:
                self._select(following)

    def action_previous(self) -> None:
        if self.review is not None and not self.editing:
            before = self.review.previous(self.current)
            if before is None:
                self.notify("First unit", timeout=2)
            else:
                self._select(before)

    @work(thread=True, exclusive=True, group="review-act", name="Review a unit", exit_on_error=False)
    def act(self, unit, action: str, text: str = "") -> None:
        """One action, written atomically by the engine (off the event loop: it reads the file back)."""
        self.app.call_from_thread(setattr, self, "busy", True)
        book = self.amts.session.book
        try:
            result = self.amts.service.review_unit(book, unit, action, text)
        finally:
            self.app.call_from_thread(setattr, self, "busy", False)
        self.app.call_from_thread(self._acted, result)

    def _acted(self, result) -> None:
        if self.editing:
            self._stop_editing()
        severity = "information" if result.written else "warning"
        self.notify(result.message, severity=severity, timeout=4, markup=False)
        self.review = self.review.updated(result)
        self._fill_list()
        self._select(result.next if result.written else result.unit)

    def worker_failed(self, worker, error) -> None:
        self.busy = False

    def screen_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Accept the unit", "Keep the machine text, drop its review marker", self.action_accept)
        yield SystemCommand("Edit the unit", "Write the translation in place", self.action_edit)
        yield SystemCommand("Reject the unit", "Put the previous translation back", self.action_reject)

