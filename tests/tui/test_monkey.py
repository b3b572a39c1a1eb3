"""The monkey: every binding of every screen pressed in random orders, with resizes, on the demo.

Seed i starts on the i-th screen (the app's modes in order, modulo their number): every screen's
own keys, dialogs and palette commands are pressed from the first key on, not only in the seeds
that wander there (seed 3, starting on Results, found the palette's late selection: see
`amts.tui.textual_fixes`).

Keys come from the app itself (the app's and every screen class's BINDINGS, plus the bindings
active where the focus is at each step, so remapped keys and new screens are covered), plus the
keys every user presses (Escape, Tab, Enter, arrows, Home/End, PageUp/PageDown). A crash, an
unexpected worker error or a quit fails the test and names the seed and the keys so far.
"""

from __future__ import annotations

import random

import pytest
from textual import events
from textual.keys import key_to_character

from amts.tui.app import make_app
from amts.tui.settings import Settings

SEEDS = range(20)
KEYS_PER_SEED = 100
SIZES = ((80, 24), (120, 40), (60, 18))
GENERIC_KEYS = ("escape", "tab", "shift+tab", "enter", "up", "down", "left", "right", "home", "end",
                "pageup", "pagedown", "question_mark", "f1")
#: Actions the monkey leaves alone: they end the session it is testing.
ENDING_ACTIONS = {"quit", "app.quit"}


def binding_keys(bindings) -> set[str]:
    keys: set[str] = set()
    for binding in bindings:
        if isinstance(binding, tuple):
            continue
        if binding.action in ENDING_ACTIONS:
            continue
        keys.update(key.strip() for key in binding.key.split(","))
    return keys


def static_keys(app) -> set[str]:
    """The keys of the app and of every screen class it installs (the modes)."""
    keys = binding_keys(app.BINDINGS)
    for screen in app.MODES.values():
        keys |= binding_keys(getattr(screen, "BINDINGS", []))
    return keys


def live_keys(app) -> set[str]:
    """The bindings active where the focus is now (after any keymap the user set)."""
    return {key for key, active in app.active_bindings.items()
            if active.binding.action not in ENDING_ACTIONS}


async def press(pilot, key: str) -> None:
    """Send one key as the terminal driver does, then let the screen handle what it queued.

    `pilot.press` also waits until the process is idle, which with workers aligning or jobs
    running is up to a second per key; the monkey is about order and state, not timing."""
    pilot.app.post_message(events.Key(key, key_to_character(key)))
    await pilot.pause(0)


@pytest.fixture
def work(tmp_path, monkeypatch):
    monkeypatch.setenv("AMTS_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("AMTS_WORKDIR", str(tmp_path / "work"))
    # A path the monkey types into the export dialog is relative to the current directory: keep
    # what it exports under tmp_path, not in the checkout (a longer local run left a CSV named
    # "?6d" there).
    monkeypatch.chdir(tmp_path)
    return tmp_path / "work"


@pytest.mark.parametrize("seed", SEEDS)
async def test_monkey_never_crashes(seed, work):
    rng = random.Random(seed)
    app = make_app(settings=Settings(work_dir=str(work)), demo=True)
    pressed: list[str] = []
    everywhere = sorted(static_keys(app) | set(GENERIC_KEYS))
    try:
        async with app.run_test(size=SIZES[seed % len(SIZES)]) as pilot:
            await pilot.pause()
            modes = list(app.MODES)
            start = modes[seed % len(modes)]
            pressed.append(f"<start {start}>")
            app.action_show_screen(start)
            await pilot.pause()
            for _ in range(KEYS_PER_SEED):
                if rng.random() < 0.04:
                    size = rng.choice(SIZES)
                    pressed.append(f"<resize {size[0]}x{size[1]}>")
                    await pilot.resize_terminal(*size)
                    continue
                pool = sorted(live_keys(app)) if rng.random() < 0.5 else everywhere
                key = rng.choice(pool or everywhere)
                pressed.append(key)
                await press(pilot, key)
                assert app.is_running, "the app quit"
            # Let the app handle the last keys before `run_test` shuts it down: that shutdown
            # runs beside the app's message loop (a real exit runs after it), and a key handled
            # during it finds the mode stacks cleared ("No screens on stack").
            await pilot.pause()
            assert app.is_running, "the app quit"
            assert not app.unexpected_errors, app.unexpected_errors
    except BaseException as error:
        raise AssertionError(f"monkey seed {seed} failed after keys {' '.join(pressed)}: "
                             f"{type(error).__name__}: {error}") from error
