"""The AMTS Textual app: a thin shell that holds the service, the settings, the shared state (as
reactives the screens watch) and the screens."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import suppress
from dataclasses import replace
from pathlib import Path

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.theme import Theme
from textual.widgets import HelpPanel
from textual.worker import WorkerCancelled, WorkerFailed, WorkerState

from amts.engine.align.book_alignment import BookAlignment
from amts.engine.errors import AmtsError
from amts.engine.experiment.config import ExperimentConfig, load_config
from amts.engine.experiment.report import ExperimentResult
from amts.tui import textual_fixes
from amts.tui.messages import BookOpened
from amts.tui.screens.align import AlignScreen
from amts.tui.screens.book import BookScreen
from amts.tui.screens.confirm import ConfirmScreen
from amts.tui.screens.jobs import JobsScreen
from amts.tui.screens.results import ResultsScreen
from amts.tui.screens.review import ReviewScreen
from amts.tui.screens.sync import SyncScreen
from amts.tui.service import AmtsService, demo_experiment_config, demo_work_dir
from amts.tui.session import OpenBook, Session
from amts.tui.settings import Settings, load_settings, save_settings
from amts.tui.themes.palettes import APP_VARIABLE_DEFAULTS, DEFAULT_THEME, PALETTES, stylesheet_paths

textual_fixes.apply()

#: Mode name → (title shown in the navigation bar, default key; users remap it by binding id).
SCREEN_TITLES: dict[str, tuple[str, str]] = {
    "book": ("Book", "1"),
    "align": ("Align", "2"),
    "jobs": ("Jobs", "3"),
    "results": ("Results", "4"),
    "sync": ("Sync", "5"),
    "review": ("Review", "6"),
}


class AmtsApp(App[None]):
    """Auto Machine Translation and Synchronization for d2lbook books."""

    TITLE = "AMTS"
    CSS_PATH = stylesheet_paths()
    MODES = {
        "book": BookScreen,
        "align": AlignScreen,
        "jobs": JobsScreen,
        "results": ResultsScreen,
        "sync": SyncScreen,
        "review": ReviewScreen,
    }
    BINDINGS = [
        *(Binding(key, f"show_screen('{mode}')", title, id=f"screen.{mode}", show=False)
          for mode, (title, key) in SCREEN_TITLES.items()),
        Binding("ctrl+t", "cycle_theme", "Theme", id="app.cycle-theme"),
        Binding("question_mark", "toggle_help", "Keys", id="app.help"),
        # F1 works even inside an input, where `?` is a character.
        Binding("f1", "toggle_help", "Keys", id="app.help-f1", show=False, priority=True),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
        Binding("ctrl+p", "command_palette", "Commands", id="app.command-palette", show=False,
                priority=True),
    ]

    # The shared state: one owner (the app), screens watch it. Compared by identity
    # (always_update): a re-opened book or a re-run is news even when equal.
    current_book: reactive[OpenBook | None] = reactive(None, always_update=True, init=False)
    alignment: reactive[BookAlignment | None] = reactive(None, always_update=True, init=False)
    experiment: reactive[ExperimentResult | None] = reactive(None, always_update=True, init=False)

    def __init__(self, settings: Settings, service: AmtsService, *, initial_book: str | None = None):
        super().__init__()
        self.settings = settings
        self.service = service
        self.session = Session(self)
        self.initial_book = initial_book
        self.screen_titles = {mode: title for mode, (title, _) in SCREEN_TITLES.items()}
        self.unexpected_errors: list[BaseException] = []
        for palette in PALETTES:
            self.register_theme(palette)

    def get_theme_variable_defaults(self) -> dict[str, str]:
        # Built-in Textual themes (reachable from the palette) lack the app's own variables.
        return dict(APP_VARIABLE_DEFAULTS)

    def on_mount(self) -> None:
        self.theme = self.settings.theme if self.settings.theme in self.available_themes else DEFAULT_THEME
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        if self.settings.keymap:
            self.set_keymap(self.settings.keymap)
        self.switch_mode("book")
        # After the first frame: look for a run that a killed or stopped session left behind.
        self.call_after_refresh(self.offer_resume)

    # -- navigation ----------------------------------------------------------------------------
    def action_show_screen(self, mode: str) -> None:
        """Show one of the screens (each is built once, on its first visit, and kept)."""
        if mode != self.current_mode:
            self.switch_mode(mode)

    def action_cycle_theme(self) -> None:
        """Switch to the next of the app's palettes (dark → light → high contrast)."""
        names = [p.name for p in PALETTES]
        index = names.index(self.theme) + 1 if self.theme in names else 0
        self.theme = names[index % len(names)]
        self.notify(f"Theme: {self.theme}", timeout=2, markup=False)

    def action_toggle_help(self) -> None:
        """Show (or hide) the keys of the current screen, from its active bindings."""
        if self.screen.query(HelpPanel):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for mode, (title, _) in SCREEN_TITLES.items():
            yield SystemCommand(f"Go to {title}", f"Show the {title} screen",
                                lambda mode=mode: self.action_show_screen(mode))
        yield SystemCommand("Cycle theme", "Dark → light → high contrast", self.action_cycle_theme)
        # Each screen offers its own actions (export, launch jobs, apply sync, ...).
        commands = getattr(screen, "screen_commands", None)
        if callable(commands):
            yield from commands()

    # -- quit and resume -----------------------------------------------------------------------
    def jobs_running(self) -> bool:
        return any(w.group == "jobs" and w.state in (WorkerState.PENDING, WorkerState.RUNNING)
                   for w in self.workers)

    async def action_quit(self) -> None:
        """Quit; while jobs run, ask first (they stay resumable: `--resume` or the offer at start)."""
        if not self.jobs_running():
            self.exit()
            return
        if isinstance(self.screen, ConfirmScreen):
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.stop_jobs_then_exit()

        self.push_screen(ConfirmScreen(
            "Quit while jobs run?",
            "The running sub-pipelines stop where they are. Their batch jobs are recorded in the "
            "work directory: the next start offers to resume them, as `amts-tui --auto --resume` does.",
            "Quit"), answered)

    @work(group="quit", name="Stop jobs and quit", exclusive=True, exit_on_error=False)
    async def stop_jobs_then_exit(self) -> None:
        """Cancel the running jobs and wait for them with the screen still drawn, then exit.

        The engine stops its batch jobs and its embedded backend on cancellation, which takes a
        moment; done during Textual's shutdown it would leave a blank terminal meanwhile."""
        running = [w for w in self.workers if w.group == "jobs" and w.is_running]
        self.notify("Stopping the running jobs (they stay resumable)…", timeout=30)
        for worker in running:
            worker.cancel()
        for worker in running:
            with suppress(WorkerCancelled, WorkerFailed):
                await worker.wait()
        self.exit()

    @work(thread=True, group="resume-offer", name="Look for unfinished runs", exit_on_error=False)
    def offer_resume(self) -> None:
        run = self.service.unfinished_run()
        if run is not None:
            self.call_from_thread(self._offer_resume, run)

    def _offer_resume(self, run) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self.action_show_screen("jobs")
                self.call_after_refresh(lambda: self.screen.run_action("resume"))

        self.push_screen(ConfirmScreen(
            "Resume the unfinished run?",
            f"Run {run.run_id} ended {run.status} before every sub-pipeline finished. Resume "
            "re-attaches to its recorded jobs (nothing is paid twice); Ignore leaves it on disk.",
            "Resume", cancel_label="Ignore"), answered)

    # -- shared state --------------------------------------------------------------------------
    @on(BookOpened)
    def _book_opened(self, message: BookOpened) -> None:
        self.session.open(message.book, message.label)
        if not self.service.is_demo_book(message.label):
            self.settings = self.settings.with_recent_book(message.label)
            self._save_settings()

    def _remember_theme(self, theme: Theme) -> None:
        if theme.name != self.settings.theme:
            self.settings = replace(self.settings, theme=theme.name)
            self._save_settings()

    def _save_settings(self) -> None:
        try:
            save_settings(self.settings)
        except (OSError, AmtsError) as exc:
            self.notify(f"cannot save settings: {exc}", severity="warning", markup=False)


def make_app(settings: Settings | None = None, demo: bool = False, book_path: str | Path | None = None,
             config: ExperimentConfig | None = None) -> AmtsApp:
    """Build the app for the CLI and the tests.

    `settings`: defaults to those in the user's config dir ($AMTS_CONFIG_DIR overrides it);
    `demo`: open the sample book, with the demo experiment (local backend) unless `config` is given;
    `book_path`: open this book at start; `config`: the experiment for the Jobs screen (its
    `workdir` holds caches, exports and job state; its `[keymap]` adds to the settings').
    """
    settings = settings if settings is not None else load_settings()
    if demo and config is None:
        config = demo_experiment_config(settings)
    work_dir = config.workdir if config is not None else settings.resolved_work_dir()
    keymap = {**(config.keymap if config is not None else {}), **settings.keymap}
    if keymap != settings.keymap:
        settings = replace(settings, keymap=keymap)
    service = AmtsService(Path(work_dir), config=config, demo=demo, demo_dir=demo_work_dir(settings))
    initial = str(book_path) if book_path else None
    if initial is None and config is not None:
        initial = str(config.book.path) if config.book.path else None
    if demo and initial is None:
        demos = service.demo_books()
        initial = str(demos[0].path) if demos else None
    return AmtsApp(settings, service, initial_book=initial)


def run_app(book: Path | None = None, demo: bool = False, config_path: Path | None = None) -> int:
    """`amts-tui [BOOK] [--demo] [--config FILE]`: run the dashboard until the user quits.

    Settings come from the user's config dir, the experiment from `config_path` when given (the
    demo's own otherwise). Errors in either are AmtsErrors, which the CLI shows as one line.
    """
    settings = load_settings()
    config = load_config(Path(config_path)) if config_path is not None else None
    app = make_app(settings=settings, demo=demo, book_path=book, config=config)
    app.run()
    return app.return_code or 0
