"""The local endpoint's state: resources and jobs as JSON records in SQLite in the work directory."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import threading
from pathlib import Path
from typing import Any

from amts.engine.atomic import write_bytes_atomic
from amts.engine.errors import AmtsError
from amts.engine.local_service.protocol import invalid_parameter

# A data file's name is one harmless path part: no separator, no leading dot, nothing else.
_DATA_FILE_NAME = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]*$")
_MAX_FILE_NAME_BYTES = 200  # under the 255 of common file systems, with room for a temp suffix
STATE_FILE = "state.sqlite3"


def _reason(exc: BaseException) -> str:
    return str(getattr(exc, "strerror", None) or exc)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (kind, key)
)
"""


class StateStore:
    """Records by (kind, key), kept in creation order, plus data files beside them.

    Kinds used: "parallel-data", "terminology", "job", "client-token".
    """

    def __init__(self, directory: Path):
        self.directory = directory
        self.path = directory / STATE_FILE
        self._lock = threading.RLock()
        try:
            directory.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise AmtsError(f"cannot open the local backend's state: {_reason(exc)}", self.path) from None
        try:
            # A damaged file may open fine and fail on the page a later request reads: look now.
            problems = [row[0] for row in self._db.execute("PRAGMA quick_check").fetchall()]
            if problems != ["ok"]:
                raise sqlite3.DatabaseError("; ".join(problems[:3]))
            self._db.execute(_SCHEMA)
            self._db.commit()
        except sqlite3.Error as exc:
            self._db.close()
            raise AmtsError(
                f"the local backend's state is damaged ({_reason(exc)}): move the file aside to "
                "start the local backend afresh (its resources and jobs are then forgotten)",
                self.path,
            ) from None

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @property
    def lock(self) -> threading.RLock:
        """Held by read-modify-write sequences so they see each other's results."""
        return self._lock

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT body FROM records WHERE kind = ? AND key = ?", (kind, key)
            ).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, kind: str, key: str, record: dict[str, Any]) -> None:
        body = json.dumps(record, ensure_ascii=False)
        with self._lock:
            # UPSERT keeps the rowid, so listings stay in creation order.
            self._db.execute(
                "INSERT INTO records (kind, key, body) VALUES (?, ?, ?) "
                "ON CONFLICT (kind, key) DO UPDATE SET body = excluded.body",
                (kind, key, body),
            )
            self._db.commit()

    def update(self, kind: str, key: str, **changes: Any) -> dict[str, Any]:
        """Merge `changes` into a record (None deletes a field) and return the new record."""
        with self._lock:
            record = self.get(kind, key)
            if record is None:
                raise KeyError(f"{kind} {key} is gone")
            for field, value in changes.items():
                if value is None:
                    record.pop(field, None)
                else:
                    record[field] = value
            self.put(kind, key, record)
            return record

    def delete(self, kind: str, key: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM records WHERE kind = ? AND key = ?", (kind, key))
            self._db.commit()

    def all(self, kind: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT body FROM records WHERE kind = ? ORDER BY rowid", (kind,)
            ).fetchall()
        return [json.loads(row[0]) for row in rows]

    def data_path(self, kind: str, name: str) -> Path:
        """Where a data file of a resource lives (imported records, error files).

        Names come from requests: anything but a plain file name is refused, so no request can
        make the endpoint write outside its folder; a name too long for a file system is hashed.
        """
        if not _DATA_FILE_NAME.match(name):
            raise invalid_parameter(f"{name!r} cannot name a stored file")
        if len(name.encode()) > _MAX_FILE_NAME_BYTES:
            name = hashlib.sha256(name.encode()).hexdigest() + "." + name.rsplit(".", 1)[-1][:16]
        folder = self.directory / kind
        path = folder / name
        if path.parent != folder:  # belt and braces: the pattern already allows no separator
            raise invalid_parameter(f"{name!r} cannot name a stored file")
        return path

    def write_data(self, kind: str, name: str, data: bytes) -> Path:
        path = self.data_path(kind, name)
        write_bytes_atomic(path, data)
        return path
