"""The AMTS Textual app: a thin shell that holds the service, the settings and the five screens."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from textual import on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.signal import Signal
from textual.theme import Theme

from amts.engine.errors import AmtsError
from amts.engine.experiment.config import ExperimentConfig, load_config
from amts.tui.messages import BookOpened
from amts.tui.screens.align import AlignScreen
from amts.tui.screens.book import BookScreen
from amts.tui.screens.jobs import JobsScreen
from amts.tui.screens.results import ResultsScreen
from amts.tui.screens.review import ReviewScreen
from amts.tui.screens.sync import SyncScreen
from amts.tui.service import AmtsService, demo_experiment_config, demo_work_dir
from amts.tui.session import Session
from amts.tui.settings import Settings, load_settings, save_settings
from amts.tui.themes.palettes import APP_VARIABLE_DEFAULTS, DEFAULT_THEME, PALETTES, stylesheet_paths

#: Mode name → (title shown in the navigation bar, key).
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
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
        Binding("ctrl+p", "command_palette", "Commands", id="app.command-palette", show=False,
                priority=True),
    ]

    def __init__(self, settings: Settings, service: AmtsService, *, initial_book: str | None = None):
        super().__init__()
        self.settings = settings
        self.service = service
        self.session = Session()
        self.initial_book = initial_book
        #: Published when a run's results land in the session (the Results screen redraws).
        self.experiment_signal: Signal[object] = Signal(self, "experiment")
        #: Published when a book is opened (the screen on display redraws at once, others lazily).
        self.book_signal: Signal[object] = Signal(self, "book")
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

    # -- navigation ----------------------------------------------------------------------------
    def action_show_screen(self, mode: str) -> None:
        """Show one of the five screens."""
        self.switch_mode(mode)

    def action_cycle_theme(self) -> None:
        """Switch to the next of the app's palettes (dark → light → high contrast)."""
        names = [p.name for p in PALETTES]
        index = names.index(self.theme) + 1 if self.theme in names else 0
        self.theme = names[index % len(names)]
        self.notify(f"Theme: {self.theme}", timeout=2)

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

    # -- shared state --------------------------------------------------------------------------
    @on(BookOpened)
    def _book_opened(self, message: BookOpened) -> None:
        self.session.open(message.book, message.label)
        self.book_signal.publish(message.book)
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
            self.notify(f"cannot save settings: {exc}", severity="warning")


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
