"""The app's colour palettes: Textual `Theme` objects, plus the variables the app's own widgets use.

Structure lives in the `.tcss` sheets beside this module; colour lives only here, so that a
theme switch at run time recolours everything (job states and diff highlights included).
"""

from __future__ import annotations

from importlib import resources

from textual.theme import Theme

#: Variables the app's own widgets use; each palette may override them. Values are plain hex
#: colours because the diff view also turns them into Rich styles (`Color.parse`).
APP_VARIABLE_DEFAULTS: dict[str, str] = {
    "job-pending": "#8a8a8a",
    "job-running": "#3b8eea",
    "job-completed": "#4ebf71",
    "job-warning": "#e5c07b",
    "job-failed": "#e06c75",
    "job-stopped": "#c678dd",
    "diff-delete": "#e06c75",  # in the machine output, not in the reference
    "diff-insert": "#4ebf71",  # in the reference, missing from the machine output
    "confidence-low": "#e5c07b",
    "pair-excluded": "#8a8a8a",
}

AMTS_DARK = Theme(
    name="amts-dark",
    primary="#4f9fe6",
    secondary="#2d6aa8",
    accent="#f0a35e",
    warning="#e5c07b",
    error="#e06c75",
    success="#4ebf71",
    foreground="#dcdfe4",
    background="#1b1e24",
    surface="#22262e",
    panel="#2c313a",
    dark=True,
    variables={**APP_VARIABLE_DEFAULTS, "footer-key-foreground": "#4f9fe6"},
)

AMTS_LIGHT = Theme(
    name="amts-light",
    primary="#1f5fa8",
    secondary="#3b82c4",
    accent="#b55a00",
    warning="#9a6700",
    error="#b42318",
    success="#1a7f37",
    foreground="#1f2328",
    background="#f6f8fa",
    surface="#ffffff",
    panel="#e6eaef",
    dark=False,
    variables={
        "job-pending": "#6e7781",
        "job-running": "#1f5fa8",
        "job-completed": "#1a7f37",
        "job-warning": "#9a6700",
        "job-failed": "#b42318",
        "job-stopped": "#8250df",
        "diff-delete": "#b42318",
        "diff-insert": "#1a7f37",
        "confidence-low": "#9a6700",
        "pair-excluded": "#8c959f",
        "footer-key-foreground": "#1f5fa8",
    },
)

# High contrast: pure black and white with saturated state colours; every state colour reaches
# at least 7:1 against the background (WCAG AAA for text).
AMTS_HIGH_CONTRAST = Theme(
    name="amts-high-contrast",
    primary="#ffff00",
    secondary="#00ffff",
    accent="#ff00ff",
    warning="#ffff00",
    error="#ff5555",
    success="#00ff00",
    foreground="#ffffff",
    background="#000000",
    surface="#000000",
    panel="#1a1a1a",
    dark=True,
    luminosity_spread=0.25,
    text_alpha=1.0,
    variables={
        "job-pending": "#ffffff",
        "job-running": "#00ffff",
        "job-completed": "#00ff00",
        "job-warning": "#ffff00",
        "job-failed": "#ff5555",
        "job-stopped": "#ff00ff",
        "diff-delete": "#ff5555",
        "diff-insert": "#00ff00",
        "confidence-low": "#ffff00",
        "pair-excluded": "#aaaaaa",
        "footer-key-foreground": "#ffff00",
        "block-cursor-background": "#ffff00",
        "block-cursor-foreground": "#000000",
        "block-cursor-text-style": "bold",
    },
)

#: The app's palettes, in the order the "cycle theme" key walks them.
PALETTES: tuple[Theme, ...] = (AMTS_DARK, AMTS_LIGHT, AMTS_HIGH_CONTRAST)
DEFAULT_THEME = AMTS_DARK.name


def stylesheet_paths() -> list[str]:
    """The structural `.tcss` sheets shipped in this package, in load order."""
    folder = resources.files("amts.tui.themes")
    return [str(folder / name) for name in ("amts.tcss", "screens.tcss", "widgets.tcss")]
