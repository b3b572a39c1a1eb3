"""Keys typed ahead while the command palette closes: Enter on a command, then Escape or a second
Enter before the app has handled the first. The monkey found it (seed 3, starting on Results:
ScreenStackError, the app gone); the work-around is in `amts.tui.textual_fixes`."""

from __future__ import annotations

from dashboard_support import settle, wait_until
from textual import events
from textual.command import CommandList, CommandPalette
from textual.keys import key_to_character

from amts.tui.app import make_app
from amts.tui.screens.book import BookScreen
from amts.tui.screens.jobs import JobsScreen

SIZE = (80, 24)


async def search_palette(app, pilot, query: str) -> None:
    """Open the palette and search `query`, until its hits are listed."""
    await pilot.press("ctrl+p", *query)
    commands = app.screen.query_one(CommandList)
    await wait_until(pilot, lambda: commands.option_count > 0)
    assert "Go to Jobs" in str(commands.get_option_at_index(0).prompt)


async def type_ahead(app, pilot, *keys: str) -> None:
    """Send `keys` as a fast typist's terminal does: one turn of the event loop each, where
    `pilot.press` would wait until the app is idle (the monkey's way); then let the app settle."""
    for key in keys:
        app.post_message(events.Key(key, key_to_character(key)))
        await pilot.pause(0)
    await settle(app, pilot)


def stack(app) -> list[str]:
    return [type(screen).__name__ for screen in app.screen_stack]


async def test_escape_typed_after_enter_in_the_palette_closes_it_without_the_command(settings):
    app = make_app(settings=settings, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await search_palette(app, pilot, "jobs")
        await type_ahead(app, pilot, "down", "enter", "escape")
        assert app.is_running
        # Escape closed the palette before its selection arrived: the choice is void.
        assert app.current_mode == "book" and isinstance(app.screen, BookScreen), stack(app)
        assert not CommandPalette.is_open(app)
        await pilot.press("4")  # the next key is the app's again
        assert app.current_mode == "results" and len(app.screen_stack) == 1, stack(app)
        assert not app.unexpected_errors


async def test_enter_typed_twice_in_the_palette_runs_the_command_once(settings):
    app = make_app(settings=settings, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await search_palette(app, pilot, "jobs")
        await type_ahead(app, pilot, "down", "enter", "enter")
        assert app.is_running
        assert app.current_mode == "jobs" and isinstance(app.screen, JobsScreen), stack(app)
        assert len(app.screen_stack) == 1, stack(app)
        assert not app.unexpected_errors
