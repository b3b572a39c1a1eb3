"""The run state in SQLite: what a resumed run needs to find again."""

from __future__ import annotations

import sqlite3
import threading

from amts.engine.act.state import STATE_FILE, StateStore


def test_runs_are_found_again_latest_first(tmp_path):
    store = StateStore(tmp_path)
    first = store.start_run("abc")
    second = store.start_run("abc")
    assert first.run_id != second.run_id
    assert StateStore(tmp_path).latest_run().run_id == second.run_id
    store.finish_run(second.run_id, "failed", "/r/report.md")
    record = store.run(second.run_id)
    assert (record.status, record.report_path) == ("failed", "/r/report.md")
    assert record.finished_at is not None


def test_database_is_in_wal_mode_in_the_workdir(tmp_path):
    StateStore(tmp_path)
    with sqlite3.connect(tmp_path / STATE_FILE) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_reserved_job_keeps_its_token_until_the_id_is_stored(tmp_path):
    store = StateStore(tmp_path)
    run = store.start_run("d")
    reserved = store.reserve_job(run.run_id, "en-zh/act-sentence", "job-name")
    assert reserved.job_id is None and reserved.status == "NOT_STARTED"
    assert 1 <= len(reserved.client_token) <= 64
    # A second process (a resume) reserving again gets the same token, not a fresh one.
    again = StateStore(tmp_path).reserve_job(run.run_id, "en-zh/act-sentence", "other-name")
    assert again.client_token == reserved.client_token and again.job_name == "job-name"
    store.update_job(run.run_id, "en-zh/act-sentence", job_id="J1", status="SUBMITTED")
    store.update_job(run.run_id, "en-zh/act-sentence", status="COMPLETED", output_uri="s3://b/o/")
    job = store.job(run.run_id, "en-zh/act-sentence")
    assert (job.job_id, job.status, job.output_uri) == ("J1", "COMPLETED", "s3://b/o/")
    assert [j.job_id for j in store.jobs(run.run_id)] == ["J1"]


def test_pipeline_stage_and_summary_round_trip(tmp_path):
    store = StateStore(tmp_path)
    run = store.start_run("d")
    store.set_stage(run.run_id, "zh-en/no-act", "translate")
    assert store.pipeline(run.run_id, "zh-en/no-act").stage == "translate"
    store.finish_pipeline(run.run_id, "zh-en/no-act", "succeeded", summary={"bleu": 12.5, "名": "值"})
    record = store.pipeline(run.run_id, "zh-en/no-act")
    assert (record.status, record.stage, record.summary) == ("succeeded", "done", {"bleu": 12.5, "名": "值"})
    assert store.pipeline(run.run_id, "missing") is None


def test_resources_and_artifacts(tmp_path):
    store = StateStore(tmp_path)
    run = store.start_run("d")
    store.record_resource("amts-en-zh-sentence", run.run_id, "en-zh/act-sentence", "ACTIVE",
                          "s3://b/k.csv", imported=10, failed=1)
    resource = store.resource("amts-en-zh-sentence")
    assert (resource.status, resource.imported, resource.failed) == ("ACTIVE", 10, 1)
    store.add_artifact(run.run_id, "p", "output", tmp_path / "a.md")
    store.add_artifact(run.run_id, "p", "output", tmp_path / "a.md")  # recorded once
    assert [a.path for a in store.artifacts(run.run_id, "p")] == [str(tmp_path / "a.md")]


def test_concurrent_writers_lose_nothing(tmp_path):
    store = StateStore(tmp_path)
    run = store.start_run("d")

    def work(n: int) -> None:
        for i in range(20):
            store.set_stage(run.run_id, f"p{n}", f"stage{i}")
            store.add_artifact(run.run_id, f"p{n}", "file", f"/x/{i}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(store.artifacts(run.run_id)) == 80
    assert {p.stage for p in store.pipelines(run.run_id)} == {"stage19"}
