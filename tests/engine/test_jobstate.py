"""Pure job and parallel-data state logic, fed with the dicts Describe/Get return (no network)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from amts.engine.client.jobstate import (
    JOB_STATES,
    TERMINAL_JOB_STATES,
    is_terminal_job_status,
    next_poll_delay,
    parallel_data_status,
    parse_job,
    retry_delay,
    update_allowed,
)
from amts.engine.client.polling import poll_until_settled
from amts.engine.errors import AmtsError

DESCRIBE = {
    "JobId": "a1b2c3",
    "JobName": "amts-ch1",
    "JobStatus": "IN_PROGRESS",
    "JobDetails": {"TranslatedDocumentsCount": 3, "DocumentsWithErrorsCount": 1,
                   "InputDocumentsCount": 7},
    "SourceLanguageCode": "en",
    "TargetLanguageCodes": ["zh"],
    "ParallelDataNames": ["d2l"],
    "InputDataConfig": {"S3Uri": "s3://amts/in/", "ContentType": "text/html"},
    "OutputDataConfig": {"S3Uri": "s3://amts/out/123456789012-TranslateText-a1b2c3/"},
    "SubmittedTime": datetime(2024, 1, 2, tzinfo=UTC),
}


def test_terminal_states_are_exactly_the_four_final_ones():
    assert [s for s in JOB_STATES if is_terminal_job_status(s)] == [
        "COMPLETED", "COMPLETED_WITH_ERROR", "FAILED", "STOPPED"]
    assert not is_terminal_job_status("STOP_REQUESTED")
    assert TERMINAL_JOB_STATES <= set(JOB_STATES)


def test_parse_job_flattens_describe_response():
    job = parse_job(DESCRIBE)
    assert (job.job_id, job.status, job.job_name) == ("a1b2c3", "IN_PROGRESS", "amts-ch1")
    assert (job.translated_documents, job.documents_with_errors, job.input_documents) == (3, 1, 7)
    assert job.target_languages == ("zh",) and job.parallel_data_names == ("d2l",)
    assert job.input_s3_uri == "s3://amts/in/" and job.content_type == "text/html"
    assert not job.is_terminal and not job.has_output
    done = parse_job({**DESCRIBE, "JobStatus": "COMPLETED_WITH_ERROR"})
    assert done.is_terminal and done.has_output
    failed = parse_job({**DESCRIBE, "JobStatus": "FAILED", "Message": "role cannot be assumed"})
    assert failed.is_terminal and not failed.has_output and failed.message.startswith("role")


def test_parse_job_tolerates_a_freshly_submitted_job_without_details():
    job = parse_job({"JobId": "x", "JobStatus": "SUBMITTED"})
    assert job.translated_documents == 0 and job.target_languages == ()


CREATING = {"Name": "d2l", "Status": "CREATING"}
ACTIVE = {"Name": "d2l", "Status": "ACTIVE", "ImportedRecordCount": 120,
          "FailedRecordCount": 2, "SkippedRecordCount": 5}


def test_parallel_data_creation_pending_then_active_with_counts():
    assert parallel_data_status(CREATING).phase == "pending"
    ready = parallel_data_status(ACTIVE)
    assert ready.phase == "active" and ready.is_settled
    assert (ready.imported, ready.failed, ready.skipped) == (120, 2, 5)


def test_parallel_data_failed_create_reports_message():
    failed = parallel_data_status({"Name": "d2l", "Status": "FAILED", "Message": "bad header"})
    assert failed.phase == "failed" and failed.message == "bad header"


def test_update_is_judged_by_latest_update_attempt_not_old_status():
    # During an update Status stays ACTIVE (the old version is still in use).
    updating = {**ACTIVE, "LatestUpdateAttemptStatus": "UPDATING"}
    assert parallel_data_status(updating).phase == "pending"
    assert parallel_data_status(updating, watch_update=True).status == "UPDATING"
    assert parallel_data_status(updating, watch_update=False).phase == "active"
    # Just after UpdateParallelData the attempt may not be visible yet: still pending.
    assert parallel_data_status(ACTIVE, watch_update=True).phase == "pending"
    update_failed = {**ACTIVE, "LatestUpdateAttemptStatus": "FAILED", "Message": "bad rows"}
    assert parallel_data_status(update_failed, watch_update=True).phase == "failed"
    # Without asking about the update, the resource itself is usable (old version).
    assert parallel_data_status(update_failed).phase == "active"
    updated = {**ACTIVE, "LatestUpdateAttemptStatus": "ACTIVE"}
    assert parallel_data_status(updated, watch_update=True).phase == "active"


def test_deleting_resource_never_becomes_ready():
    status = parallel_data_status({"Name": "d2l", "Status": "DELETING"}, watch_update=True)
    assert status.phase == "failed" and "deleted" in status.message


def test_update_allowed_only_when_settled():
    assert update_allowed(ACTIVE)
    assert update_allowed({**ACTIVE, "Status": "FAILED"})
    assert not update_allowed(CREATING)
    assert not update_allowed({**ACTIVE, "LatestUpdateAttemptStatus": "UPDATING"})


def test_poll_delay_grows_to_maximum_and_resets_on_change():
    delays, delay = [], None
    for _ in range(8):
        delay = next_poll_delay(delay, initial=2, maximum=20, factor=2)
        delays.append(delay)
    assert delays == [2, 4, 8, 16, 20, 20, 20, 20]
    assert next_poll_delay(20, initial=2, maximum=20, status_changed=True) == 2


def test_retry_delay_doubles_and_caps():
    assert [retry_delay(n, base=0.5, maximum=3) for n in (1, 2, 3, 4, 5)] == [0.5, 1, 2, 3, 3]
    with pytest.raises(ValueError):
        retry_delay(0)


async def test_poll_loop_reports_each_status_and_stops_when_settled():
    answers = iter(["SUBMITTED", "IN_PROGRESS", "IN_PROGRESS", "COMPLETED", "never asked"])
    seen = []

    async def fetch():
        return next(answers)

    final = await poll_until_settled(
        fetch, is_settled=is_terminal_job_status, progress_key=lambda s: s, what="job",
        on_status=seen.append, poll_interval=0.001, max_poll_interval=0.002)
    assert final == "COMPLETED"
    assert seen == ["SUBMITTED", "IN_PROGRESS", "IN_PROGRESS", "COMPLETED"]


async def test_poll_loop_times_out_with_last_status_in_message():
    async def fetch():
        return "IN_PROGRESS"

    with pytest.raises(AmtsError, match="IN_PROGRESS"):
        await poll_until_settled(fetch, is_settled=is_terminal_job_status,
                                 progress_key=lambda s: s, what="job j1",
                                 poll_interval=0.01, timeout=0.05)


async def test_poll_loop_returns_unsettled_status_when_stopped():
    stop = asyncio.Event()
    calls = []

    async def fetch():
        calls.append(1)
        if len(calls) == 2:
            stop.set()
        return "IN_PROGRESS"

    result = await poll_until_settled(fetch, is_settled=is_terminal_job_status,
                                      progress_key=lambda s: s, what="job", stop=stop,
                                      poll_interval=0.001)
    assert result == "IN_PROGRESS" and len(calls) == 2
