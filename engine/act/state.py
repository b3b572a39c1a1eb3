"""What a run has done so far, in SQLite (WORKDIR/state.sqlite3), so a killed run can resume.

Every call opens a short connection (WAL mode), so the store is safe to use from asyncio code
and from worker threads alike; each write is one transaction, so a kill leaves either the old or
the new row, never half of one. The order that matters for correctness is the caller's: a job's
client token is written *before* StartTextTranslationJob is called, so that a resumed run calls
it again with the same token (and gets the same job) instead of starting a second one.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from contextlib import closing
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from amts.engine.errors import AmtsError
from amts.engine.write_targets import ensure_work_directory

STATE_FILE = "state.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY, started_at REAL NOT NULL, finished_at REAL,
    status TEXT NOT NULL, config_digest TEXT NOT NULL, report_path TEXT,
    kind TEXT NOT NULL DEFAULT 'experiment'
);
CREATE TABLE IF NOT EXISTS pipelines (
    run_id TEXT NOT NULL, name TEXT NOT NULL, stage TEXT NOT NULL, status TEXT NOT NULL,
    message TEXT NOT NULL DEFAULT '', summary TEXT NOT NULL DEFAULT '{}', updated_at REAL NOT NULL,
    PRIMARY KEY (run_id, name)
);
CREATE TABLE IF NOT EXISTS resources (
    name TEXT PRIMARY KEY, run_id TEXT NOT NULL, pipeline TEXT NOT NULL, status TEXT NOT NULL,
    s3_uri TEXT NOT NULL, imported INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0, updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS jobs (
    run_id TEXT NOT NULL, pipeline TEXT NOT NULL, client_token TEXT NOT NULL, job_name TEXT NOT NULL,
    job_id TEXT, status TEXT NOT NULL DEFAULT 'NOT_STARTED', output_uri TEXT, message TEXT,
    created_at REAL NOT NULL, updated_at REAL NOT NULL,
    PRIMARY KEY (run_id, pipeline)
);
CREATE TABLE IF NOT EXISTS artifacts (
    run_id TEXT NOT NULL, pipeline TEXT NOT NULL, kind TEXT NOT NULL, path TEXT NOT NULL,
    PRIMARY KEY (run_id, pipeline, kind, path)
);
"""


class RunKind(StrEnum):
    """What a run is: the experiment (`--auto`, the Jobs screen) or a `sync --write`."""

    EXPERIMENT = "experiment"
    SYNC = "sync"


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    started_at: float
    finished_at: float | None
    status: str  # running | succeeded | failed | stopped | refused
    config_digest: str  # the experiment's config, or the sync job's input documents
    report_path: str | None
    kind: str = RunKind.EXPERIMENT


@dataclass(frozen=True)
class PipelineRecord:
    run_id: str
    name: str
    stage: str  # the last stage reached
    status: str  # running | succeeded | failed | stopped
    message: str
    summary: dict[str, Any]
    updated_at: float


@dataclass(frozen=True)
class ResourceRecord:
    name: str
    run_id: str
    pipeline: str
    status: str
    s3_uri: str
    imported: int
    failed: int
    skipped: int
    updated_at: float


@dataclass(frozen=True)
class JobRecord:
    run_id: str
    pipeline: str
    client_token: str
    job_name: str
    job_id: str | None  # None: the start call was (maybe) made but its answer never stored
    status: str
    output_uri: str | None
    message: str | None
    created_at: float
    updated_at: float


@dataclass(frozen=True)
class ArtifactRecord:
    run_id: str
    pipeline: str
    kind: str
    path: str


class StateStore:
    """The run state of one work directory."""

    def __init__(self, workdir: Path):
        self.path = ensure_work_directory(workdir) / STATE_FILE
        try:
            with closing(self._connect()) as db, db:
                db.execute("PRAGMA journal_mode=WAL")
                # A damaged file may open fine and fail on the page a later call reads: look now.
                problems = [row[0] for row in db.execute("PRAGMA quick_check").fetchall()]
                if problems != ["ok"]:
                    raise sqlite3.DatabaseError("; ".join(problems[:3]))
                db.executescript(_SCHEMA)
                columns = {row["name"] for row in db.execute("PRAGMA table_info(runs)")}
                if "kind" not in columns:  # a work directory from before sync runs were recorded
                    db.execute("ALTER TABLE runs ADD COLUMN kind TEXT NOT NULL DEFAULT 'experiment'")
        except sqlite3.Error as exc:
            raise AmtsError(f"cannot open the run state ({exc}): move the file aside to start "
                            "afresh (a run it holds can then no longer be resumed)", self.path) from None

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA busy_timeout=30000")
        return db

    def _write(self, sql: str, args: tuple = ()) -> None:
        try:
            with closing(self._connect()) as db:
                db.execute("BEGIN IMMEDIATE")
                try:
                    db.execute(sql, args)
                    db.execute("COMMIT")
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
        except sqlite3.Error as exc:
            raise AmtsError(f"cannot write the run state: {exc}", self.path) from None

    def _rows(self, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
        try:
            with closing(self._connect()) as db:
                return db.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise AmtsError(f"cannot read the run state: {exc}", self.path) from None

    # --- runs ---------------------------------------------------------------------------------

    def start_run(self, config_digest: str, kind: RunKind = RunKind.EXPERIMENT) -> RunRecord:
        """A new run, with a fresh id (time-sortable, unique)."""
        run_id = time.strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:6]
        self._write("INSERT INTO runs (run_id, started_at, status, config_digest, kind) VALUES (?, ?, ?, ?, ?)",
                    (run_id, time.time(), "running", config_digest, str(kind)))
        return self.run(run_id)  # type: ignore[return-value]

    def run(self, run_id: str) -> RunRecord | None:
        rows = self._rows("SELECT * FROM runs WHERE run_id = ?", (run_id,))
        return RunRecord(**dict(rows[0])) if rows else None

    def latest_run(self, kind: RunKind = RunKind.EXPERIMENT) -> RunRecord | None:
        """The most recently started run of this kind, whatever its status."""
        rows = self._rows("SELECT * FROM runs WHERE kind = ? ORDER BY started_at DESC, rowid DESC LIMIT 1",
                          (str(kind),))
        return RunRecord(**dict(rows[0])) if rows else None

    def runs(self, kind: RunKind = RunKind.EXPERIMENT) -> list[RunRecord]:
        """Every run of this kind, newest first (the Results screen's history)."""
        rows = self._rows("SELECT * FROM runs WHERE kind = ? ORDER BY started_at DESC, rowid DESC", (str(kind),))
        return [RunRecord(**dict(row)) for row in rows]

    def reopen_run(self, run_id: str) -> None:
        self._write("UPDATE runs SET status = 'running', finished_at = NULL WHERE run_id = ?", (run_id,))

    def finish_run(self, run_id: str, status: str, report_path: str | None = None) -> None:
        self._write("UPDATE runs SET status = ?, finished_at = ?, report_path = ? WHERE run_id = ?",
                    (status, time.time(), report_path, run_id))

    # --- sub-pipelines ------------------------------------------------------------------------

    def set_stage(self, run_id: str, pipeline: str, stage: str, status: str = "running",
                  message: str = "") -> None:
        """Record the stage a sub-pipeline reached (and its status)."""
        self._write(
            "INSERT INTO pipelines (run_id, name, stage, status, message, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, name) DO UPDATE SET "
            "stage = excluded.stage, status = excluded.status, message = excluded.message, "
            "updated_at = excluded.updated_at",
            (run_id, pipeline, stage, status, message, time.time()))

    def finish_pipeline(self, run_id: str, pipeline: str, status: str, message: str = "",
                        summary: dict[str, Any] | None = None, stage: str = "done") -> None:
        self._write(
            "INSERT INTO pipelines (run_id, name, stage, status, message, summary, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, name) DO UPDATE SET "
            "stage = excluded.stage, status = excluded.status, message = excluded.message, "
            "summary = excluded.summary, updated_at = excluded.updated_at",
            (run_id, pipeline, stage, status, message,
             json.dumps(summary or {}, ensure_ascii=False), time.time()))

    def pipeline(self, run_id: str, name: str) -> PipelineRecord | None:
        rows = self._rows("SELECT * FROM pipelines WHERE run_id = ? AND name = ?", (run_id, name))
        return _pipeline(rows[0]) if rows else None

    def pipelines(self, run_id: str) -> list[PipelineRecord]:
        return [_pipeline(r) for r in self._rows(
            "SELECT * FROM pipelines WHERE run_id = ? ORDER BY name", (run_id,))]

    # --- parallel-data resources --------------------------------------------------------------

    def record_resource(self, name: str, run_id: str, pipeline: str, status: str, s3_uri: str,
                        imported: int = 0, failed: int = 0, skipped: int = 0) -> None:
        self._write(
            "INSERT OR REPLACE INTO resources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (name, run_id, pipeline, status, s3_uri, imported, failed, skipped, time.time()))

    def resource(self, name: str) -> ResourceRecord | None:
        rows = self._rows("SELECT * FROM resources WHERE name = ?", (name,))
        return ResourceRecord(**dict(rows[0])) if rows else None

    # --- batch jobs ---------------------------------------------------------------------------

    def reserve_job(self, run_id: str, pipeline: str, job_name: str) -> JobRecord:
        """The job of this sub-pipeline: the stored one, or a new row with a fresh client token.

        Called before StartTextTranslationJob, so the token survives a kill during the call.
        """
        token = uuid.uuid4().hex  # 32 of [a-zA-Z0-9-], within ClientToken's 1-64
        now = time.time()
        self._write(
            "INSERT OR IGNORE INTO jobs (run_id, pipeline, client_token, job_name, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?)", (run_id, pipeline, token, job_name, now, now))
        return self.job(run_id, pipeline)  # type: ignore[return-value]

    def update_job(self, run_id: str, pipeline: str, *, job_id: str | None = None,
                   status: str | None = None, output_uri: str | None = None,
                   message: str | None = None) -> None:
        """Set the given fields of a reserved job (None leaves a field as it is)."""
        self._write(
            "UPDATE jobs SET job_id = COALESCE(?, job_id), status = COALESCE(?, status), "
            "output_uri = COALESCE(?, output_uri), message = COALESCE(?, message), updated_at = ? "
            "WHERE run_id = ? AND pipeline = ?",
            (job_id, status, output_uri, message, time.time(), run_id, pipeline))

    def forget_job(self, run_id: str, pipeline: str) -> None:
        """Drop a sub-pipeline's job row (a job stopped on request: a resumed run starts anew)."""
        self._write("DELETE FROM jobs WHERE run_id = ? AND pipeline = ?", (run_id, pipeline))

    def job(self, run_id: str, pipeline: str) -> JobRecord | None:
        rows = self._rows("SELECT * FROM jobs WHERE run_id = ? AND pipeline = ?", (run_id, pipeline))
        return JobRecord(**dict(rows[0])) if rows else None

    def jobs(self, run_id: str | None = None) -> list[JobRecord]:
        if run_id is None:
            rows = self._rows("SELECT * FROM jobs ORDER BY created_at")
        else:
            rows = self._rows("SELECT * FROM jobs WHERE run_id = ? ORDER BY created_at", (run_id,))
        return [JobRecord(**dict(r)) for r in rows]

    # --- artifacts ----------------------------------------------------------------------------

    def add_artifact(self, run_id: str, pipeline: str, kind: str, path: str | Path) -> None:
        """Remember a file a sub-pipeline wrote (parallel data, documents, outputs, report)."""
        self._write("INSERT OR IGNORE INTO artifacts VALUES (?, ?, ?, ?)",
                    (run_id, pipeline, kind, str(path)))

    def artifacts(self, run_id: str, pipeline: str | None = None) -> list[ArtifactRecord]:
        if pipeline is None:
            rows = self._rows("SELECT * FROM artifacts WHERE run_id = ? ORDER BY rowid", (run_id,))
        else:
            rows = self._rows("SELECT * FROM artifacts WHERE run_id = ? AND pipeline = ? "
                              "ORDER BY rowid", (run_id, pipeline))
        return [ArtifactRecord(**dict(r)) for r in rows]


def _pipeline(row: sqlite3.Row) -> PipelineRecord:
    data = dict(row)
    data["summary"] = json.loads(data["summary"] or "{}")
    return PipelineRecord(**data)
