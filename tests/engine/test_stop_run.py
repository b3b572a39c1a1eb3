"""Stop really stops: a cancelled run or `sync --write` (the UI's stop cancels its worker, Ctrl-C
cancels asyncio.run's task) calls StopTextTranslationJob for the job it started, the job ends
STOPPED on the local endpoint, the run state says stopped, and the events say STOPPED."""

from __future__ import annotations

import asyncio
import shutil

import pytest

from amts.engine import events as ev
from amts.engine.act.batch_job import PollingPace
from amts.engine.act.state import RunKind, StateStore
from amts.engine.act.sync_translation import apply_through_backend
from amts.engine.client.service import open_service
from amts.engine.client.settings import BackendSettings
from amts.engine.experiment.config import load_config
from amts.engine.experiment.pipeline import run_experiment
from amts.engine.local_service import start_local_backend
from amts.engine.sync import plan_sync
from amts.tui.event_text import describe_event

from conftest import make_config


async def _until(condition, what: str, polls: int = 600) -> None:
    """Wait (polling, bounded) until `condition()` holds; fail naming `what` if it never does."""
    for _ in range(polls):
        if condition():
            return
        await asyncio.sleep(0.05)
    pytest.fail(f"never happened: {what}")


def _started_job(state: StateStore) -> bool:
    return any(job.job_id for job in state.jobs())


async def test_cancelling_a_sync_write_stops_its_job(tmp_path, sample_book):
    book, work = tmp_path / "book", tmp_path / "work"
    shutil.copytree(sample_book / "zh", book)
    before = {p: p.read_bytes() for p in book.rglob("*.md")}
    plan = plan_sync(book, sample_book / "en-upstream", jobs=1)
    with start_local_backend(tmp_path / "local", job_delay=1.0) as backend:
        settings = BackendSettings(kind="local").with_endpoints(backend.s3_endpoint, backend.translate_endpoint)
        task = asyncio.create_task(apply_through_backend(plan, settings, work, pace=PollingPace(0.05, 0.2)))
        state = StateStore(work)
        await _until(lambda: _started_job(state), "the sync's batch job started")
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert backend.translate_server.call_outcomes.get(("StopTextTranslationJob", "OK")) == 1
        [job] = state.jobs()
        async with open_service(settings) as service:
            assert (await service.describe_job(job.job_id)).status == "STOPPED"
    assert job.status == "STOPPED"
    run = state.latest_run(RunKind.SYNC)
    assert run is not None and run.status == "stopped"
    assert {p: p.read_bytes() for p in book.rglob("*.md")} == before  # nothing written


async def test_cancelling_an_experiment_stops_its_jobs_and_says_stopped(tmp_path):
    config = load_config(make_config(tmp_path, '[[pipelines]]\npair = "en-zh"\nvariant = "act-sentence"\n',
                                     job_seconds=1.0))
    seen: list[ev.Event] = []
    task = asyncio.create_task(run_experiment(config, seen.append))
    await _until(lambda: any(isinstance(e, ev.JobStatus) for e in seen), "the experiment's job started")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    statuses = [e.status for e in seen if isinstance(e, ev.JobStatus)]
    assert "STOP_REQUESTED" in statuses and statuses[-1] == "STOPPED"  # as Amazon moves a stopped job
    [ended] = [e for e in seen if isinstance(e, ev.Failed)]
    assert ended.status == ev.PipelineStatus.STOPPED
    assert describe_event(ended).startswith("[en-zh/act-sentence] STOPPED at job")
    state = StateStore(config.workdir)
    run = state.latest_run(RunKind.EXPERIMENT)
    assert run is not None and run.status == "stopped"
    [job] = state.jobs(run.run_id)
    assert job.status == "STOPPED"
    assert state.pipeline(run.run_id, "en-zh/act-sentence").status == "stopped"
    with start_local_backend(config.workdir, job_delay=0.01) as backend:  # the endpoint agrees
        settings = BackendSettings(kind="local").with_endpoints(backend.s3_endpoint, backend.translate_endpoint)
        async with open_service(settings) as service:
            assert (await service.describe_job(job.job_id)).status == "STOPPED"


async def test_cancelled_while_the_start_call_is_out_the_job_is_still_stopped(tmp_path, sample_book):
    from amts.engine.local_service import LocalFaults

    book, work = tmp_path / "book", tmp_path / "work"
    shutil.copytree(sample_book / "zh", book)
    plan = plan_sync(book, sample_book / "en-upstream", jobs=1)
    # The start call is throttled twice: the SDK's backoff keeps it out while we cancel.
    faults = LocalFaults(throttle_first_calls=2, throttle_operations=("StartTextTranslationJob",))
    with start_local_backend(tmp_path / "local", faults, job_delay=1.0) as backend:
        settings = BackendSettings(kind="local").with_endpoints(backend.s3_endpoint, backend.translate_endpoint)
        task = asyncio.create_task(apply_through_backend(plan, settings, work, pace=PollingPace(0.05, 0.2)))
        state = StateStore(work)
        await _until(lambda: backend.translate_server.throttled_calls >= 1, "the start call was throttled")
        assert not _started_job(state)  # reserved, its id not known yet
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert backend.translate_server.call_outcomes.get(("StopTextTranslationJob", "OK")) == 1
        [job] = state.jobs()
        assert job.job_id and job.status == "STOPPED"
