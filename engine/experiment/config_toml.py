"""Reading TOML tables with validation: every error names the key, the file and the line.

The config model (engine/config.py) says what the options are; this says how a table's values
are checked and how an unknown key or a bad value becomes an `AmtsError` a maintainer can act on.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from amts.engine.errors import AmtsError

LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")


class ConfigTable:
    """One TOML table being read: hands out values by key, remembers which keys were used."""

    def __init__(self, data: dict[str, Any], where: str, reader: ConfigReader):
        self.data, self.where, self.reader = data, where, reader
        self.used: set[str] = set()

    def _key(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def fail(self, key: str, message: str) -> AmtsError:
        return self.reader.error(self.where, key, f"{self._key(key)}: {message}")

    def get(self, key: str, kind: type | tuple[type, ...], default: Any) -> Any:
        self.used.add(key)
        if key not in self.data:
            return default
        value = self.data[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        # TOML's bool is an int in Python: never accept true where a number is meant.
        if isinstance(value, bool) and bool not in kinds or not isinstance(value, kinds):
            names = "a number" if set(kinds) == {int, float} else " or ".join(
                _TYPE_NAMES.get(k, k.__name__) for k in kinds)
            raise self.fail(key, f"expected {names}, got {describe_value(value)}")
        return value

    def string(self, key: str, default: str | None, choices: tuple[str, ...] = ()) -> Any:
        value = self.get(key, str, default)
        if choices and value is not None and value not in choices:
            raise self.fail(key, f"must be one of {', '.join(repr(str(c)) for c in choices)}, not {value!r}")
        return value

    def number(self, key: str, default: float | None, low: float, high: float | None = None) -> Any:
        value = self.get(key, (int, float), default)
        if value is None:
            return None
        # TOML has nan and inf; neither is a limit, a delay or a threshold (nan passes every <).
        if not math.isfinite(value):
            raise self.fail(key, f"must be a finite number, not {value}")
        if value < low or (high is not None and value > high):
            bound = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise self.fail(key, f"must be {bound}, not {value}")
        return float(value)

    def integer(self, key: str, default: int, low: int, high: int | None = None) -> int:
        value = self.get(key, int, default)
        if value < low or (high is not None and value > high):
            bound = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise self.fail(key, f"must be a whole number {bound}, not {value}")
        return int(value)

    def lang(self, key: str, default: str | None) -> Any:
        value = self.string(key, default)
        if value is not None and not LANGUAGE_CODE.match(value):
            raise self.fail(key, f"{value!r} is not a language code (like 'en', 'zh', 'zh-TW')")
        return value

    def path(self, key: str) -> Path | None:
        value = self.string(key, None)
        if value is not None and not value.strip():
            raise self.fail(key, "must name a path, not an empty string")
        return self.reader.resolve(value) if value is not None else None

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.get(key, list, [])
        for item in value:
            if not isinstance(item, str):
                raise self.fail(key, f"expected a list of strings, found {describe_value(item)}")
        return tuple(value)

    def table(self, key: str) -> ConfigTable:
        value = self.get(key, dict, {})
        return ConfigTable(value, self._key(key), self.reader)

    def finish(self) -> None:
        """Reject any key nobody asked for: it is a typo or an option that does not exist."""
        for key in self.data:
            if key not in self.used:
                raise self.reader.error(self.where, key, f"unknown key {self._key(key)!r}")


_TYPE_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true or false",
               list: "a list", dict: "a table"}


def describe_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return _TYPE_NAMES[type(value)]
    return repr(value)


class ConfigReader:
    def __init__(self, text: str, file: Path | None):
        self.text, self.file = text, file
        self.base = file.parent if file else Path.cwd()

    def resolve(self, value: str) -> Path:
        path = Path(value).expanduser()
        # Resolved so that reports name the book plainly, not as "examples/../../shared/...".
        return (path if path.is_absolute() else self.base / path).resolve()

    def error(self, table: str, key: str, message: str) -> AmtsError:
        return AmtsError(message, self.file or "<config>", _line_of(self.text, table, key))


def _line_of(text: str, table: str, key: str) -> int | None:
    """The line where ``key`` is set inside ``[table]`` (best effort: plain TOML layouts).

    ``table`` may end in ``[N]`` for the N-th ``[[table]]`` of an array of tables.
    """
    m = re.match(r"^(.*)\[(\d+)\]$", table)
    name, occurrence = (m.group(1), int(m.group(2))) if m else (table, 0)
    header = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
    assign = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    current, seen = "", -1
    for number, line in enumerate(text.splitlines(), 1):
        h = header.match(line)
        if h:
            current = h.group(1)
            if not name and current.split(".")[0] == key:
                return number  # an unknown table: its header is the place to point at
            if current == name:
                seen += 1
            continue
        if current == name and seen == occurrence and assign.match(line):
            return number
        if not name and current == "" and assign.match(line):
            return number
    # A key given inline (``pipelines = {pairs = [...]}``) sits on its parent's line.
    if name:
        parent, _, leaf = name.rpartition(".")
        return _line_of(text, parent, leaf)
    return None



def config_key_line(file: Path | None, table: str, key: str) -> int | None:
    """The line of ``key`` in ``[table]`` of a config file, for errors found after parsing."""
    if file is None:
        return None
    try:
        return _line_of(file.read_text(encoding="utf-8"), table, key)
    except (OSError, UnicodeDecodeError):
        return None


def decode_error_line(message: str) -> int | None:
    m = re.search(r"line (\d+)", message)
    return int(m.group(1)) if m else None
