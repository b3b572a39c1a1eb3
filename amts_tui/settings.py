"""User settings: TOML in the user's config directory, read into a typed, validated model.

`AMTS_CONFIG_DIR` overrides the directory (tests point it at `tmp_path`). Writes are atomic, so a
crash never leaves a half-written settings file.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

import platformdirs
import tomli

from amts.engine.atomic import write_text_atomic
from amts.engine.errors import AmtsError
from amts.engine.workdir import WorkdirDefault, resolve_workdir

CONFIG_DIR_ENV = "AMTS_CONFIG_DIR"
SETTINGS_FILE = "settings.toml"
MAX_RECENT_BOOKS = 8
DEFAULT_THEME = "amts-dark"


@dataclass(frozen=True, slots=True)
class Settings:
    """What the app remembers between sessions."""

    theme: str = DEFAULT_THEME
    recent_books: tuple[str, ...] = ()
    #: Binding id → keys, e.g. {"align.exclude": "x,delete"}; applied with `App.set_keymap`.
    keymap: dict[str, str] = field(default_factory=dict)
    #: Where alignment caches, exports and job state go; empty means the user cache directory.
    work_dir: str = ""
    #: Where these settings were read from and are saved to; None means not persisted.
    path: Path | None = None

    def with_recent_book(self, book: str) -> Settings:
        """These settings with `book` first in the recent list (once, at most MAX_RECENT_BOOKS)."""
        books = (book, *(b for b in self.recent_books if b != book))
        return replace(self, recent_books=books[:MAX_RECENT_BOOKS])

    def resolved_work_dir(self) -> Path:
        """The work directory to use: the configured one, else $AMTS_WORKDIR, else the user cache
        directory (amts.engine.workdir)."""
        return resolve_workdir(self.work_dir, default=WorkdirDefault.USER_CACHE)


def config_dir() -> Path:
    """The settings directory: $AMTS_CONFIG_DIR, else the platform's user config directory."""
    override = os.environ.get(CONFIG_DIR_ENV)
    return Path(override) if override else Path(platformdirs.user_config_dir("amts"))


def settings_path() -> Path:
    return config_dir() / SETTINGS_FILE


def load_settings(path: Path | None = None) -> Settings:
    """Read settings; a missing file gives the defaults, a bad one an AmtsError naming it."""
    path = path or settings_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings(path=path)
    except (OSError, UnicodeDecodeError) as exc:
        raise AmtsError(f"cannot read settings: {exc}", path) from None
    try:
        data = tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        raise AmtsError(f"settings are not valid TOML: {exc.msg}", path, exc.lineno) from None
    return _settings_from_dict(data, path)


def _settings_from_dict(data: dict, path: Path) -> Settings:
    def expect(key: str, kind: type, what: str):
        value = data.get(key)
        if value is not None and not isinstance(value, kind):
            raise AmtsError(f"settings: `{key}` must be {what}", path)
        return value

    theme = expect("theme", str, "a theme name") or DEFAULT_THEME
    books = expect("recent_books", list, "a list of paths") or []
    if not all(isinstance(b, str) for b in books):
        raise AmtsError("settings: `recent_books` must be a list of paths", path)
    keymap = expect("keymap", dict, "a table of binding id = \"keys\"") or {}
    if not all(isinstance(v, str) for v in keymap.values()):
        raise AmtsError("settings: every [keymap] value must be a string of keys, e.g. \"ctrl+e\"", path)
    work_dir = expect("work_dir", str, "a folder path") or ""
    unknown = sorted(set(data) - {"theme", "recent_books", "keymap", "work_dir"})
    if unknown:
        raise AmtsError(f"settings: unknown key(s) {', '.join(unknown)}", path)
    return Settings(theme, tuple(books[:MAX_RECENT_BOOKS]), dict(keymap), work_dir, path)


def settings_to_toml(settings: Settings) -> str:
    """Settings as TOML. JSON string escapes are valid TOML basic-string escapes."""
    lines = [
        "# AMTS settings (written by amts-tui; edit freely while it is not running)",
        f"theme = {json.dumps(settings.theme, ensure_ascii=False)}",
        "recent_books = [" + ", ".join(json.dumps(b, ensure_ascii=False) for b in settings.recent_books) + "]",
    ]
    if settings.work_dir:
        lines.append(f"work_dir = {json.dumps(settings.work_dir, ensure_ascii=False)}")
    lines += ["", "[keymap]"]
    lines += [f"{json.dumps(k)} = {json.dumps(v)}" for k, v in sorted(settings.keymap.items())]
    return "\n".join(lines) + "\n"


def save_settings(settings: Settings) -> None:
    """Write settings atomically to where they came from (no-op for unpersisted settings)."""
    if settings.path is not None:
        write_text_atomic(settings.path, settings_to_toml(settings))
