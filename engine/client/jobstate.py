"""Pure state logic for batch jobs and parallel data: no I/O, decided from the last response.

In h11's "bring your own I/O" style the client feeds in the dicts that Describe/Get returned and
gets back what they mean: is the job over, is the resource ready, how long to wait before asking
again. Everything here is tested without a network.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

# --- batch jobs ---------------------------------------------------------------------------------

JOB_STATES = (
    "SUBMITTED",
    "IN_PROGRESS",
    "COMPLETED",
    "COMPLETED_WITH_ERROR",
    "FAILED",
    "STOP_REQUESTED",
    "STOPPED",
)
TERMINAL_JOB_STATES = frozenset({"COMPLETED", "COMPLETED_WITH_ERROR", "FAILED", "STOPPED"})
# Output exists (possibly partial) only for these; FAILED and STOPPED jobs may have written nothing.
JOB_STATES_WITH_OUTPUT = frozenset({"COMPLETED", "COMPLETED_WITH_ERROR"})


def is_terminal_job_status(status: str) -> bool:
    """True when a job in this status will never change again."""
    return status in TERMINAL_JOB_STATES


@dataclass(frozen=True)
class JobDescription:
    """What DescribeTextTranslationJob says about one batch job, flattened."""

    job_id: str
    status: str
    job_name: str | None = None
    message: str | None = None
    source_language: str | None = None
    target_languages: tuple[str, ...] = ()
    input_s3_uri: str | None = None
    content_type: str | None = None
    output_s3_uri: str | None = None
    parallel_data_names: tuple[str, ...] = ()
    terminology_names: tuple[str, ...] = ()
    translated_documents: int = 0
    documents_with_errors: int = 0
    input_documents: int = 0
    submitted_at: datetime | None = None
    ended_at: datetime | None = None

    @property
    def is_terminal(self) -> bool:
        return is_terminal_job_status(self.status)

    @property
    def has_output(self) -> bool:
        """True when the job finished in a state that leaves translated documents behind."""
        return self.status in JOB_STATES_WITH_OUTPUT


def parse_job(props: Mapping[str, Any]) -> JobDescription:
    """Turn a TextTranslationJobProperties dict (Describe or List) into a JobDescription."""
    details = props.get("JobDetails") or {}
    input_config = props.get("InputDataConfig") or {}
    output_config = props.get("OutputDataConfig") or {}
    return JobDescription(
        job_id=props["JobId"],
        status=props.get("JobStatus", "SUBMITTED"),
        job_name=props.get("JobName"),
        message=props.get("Message"),
        source_language=props.get("SourceLanguageCode"),
        target_languages=tuple(props.get("TargetLanguageCodes") or ()),
        input_s3_uri=input_config.get("S3Uri"),
        content_type=input_config.get("ContentType"),
        output_s3_uri=output_config.get("S3Uri"),
        parallel_data_names=tuple(props.get("ParallelDataNames") or ()),
        terminology_names=tuple(props.get("TerminologyNames") or ()),
        translated_documents=int(details.get("TranslatedDocumentsCount") or 0),
        documents_with_errors=int(details.get("DocumentsWithErrorsCount") or 0),
        input_documents=int(details.get("InputDocumentsCount") or 0),
        submitted_at=props.get("SubmittedTime"),
        ended_at=props.get("EndTime"),
    )


# --- parallel data ------------------------------------------------------------------------------

ParallelDataPhase = Literal["pending", "active", "failed"]
_PENDING_PARALLEL_DATA = frozenset({"CREATING", "UPDATING"})


@dataclass(frozen=True)
class ParallelDataStatus:
    """Where a parallel data resource stands, with the record counts of its (latest) import.

    ``status`` is the status that matters for the caller's question: the update attempt's status
    while watching an update (Amazon Translate keeps ``Status`` on the old version meanwhile),
    otherwise the resource's own status.
    """

    name: str
    status: str
    imported: int = 0
    failed: int = 0
    skipped: int = 0
    message: str | None = None
    resource_status: str | None = None
    update_status: str | None = None

    @property
    def phase(self) -> ParallelDataPhase:
        if self.status in _PENDING_PARALLEL_DATA:
            return "pending"
        return "active" if self.status == "ACTIVE" else "failed"

    @property
    def is_settled(self) -> bool:
        return self.phase != "pending"


def parallel_data_status(
    props: Mapping[str, Any], watch_update: bool | None = None
) -> ParallelDataStatus:
    """Read readiness from GetParallelData's ParallelDataProperties.

    ``watch_update`` True: judge by LatestUpdateAttemptStatus (missing counts as still updating,
    since an update was just requested). False: judge by Status. None: a running update
    (UPDATING) keeps the resource pending; otherwise judge by Status.
    """
    resource_status = props.get("Status", "CREATING")
    update_status = props.get("LatestUpdateAttemptStatus")
    if resource_status in ("CREATING", "DELETING"):
        effective = resource_status
    elif watch_update is True:
        effective = update_status or "UPDATING"
    elif watch_update is None and update_status in _PENDING_PARALLEL_DATA:
        effective = update_status
    else:
        effective = resource_status
    if effective == "DELETING":
        effective = "FAILED"  # a resource being deleted will never become usable
    return ParallelDataStatus(
        name=props.get("Name", ""),
        status=effective,
        imported=int(props.get("ImportedRecordCount") or 0),
        failed=int(props.get("FailedRecordCount") or 0),
        skipped=int(props.get("SkippedRecordCount") or 0),
        message=props.get("Message") or (
            "the resource is being deleted" if resource_status == "DELETING" else None
        ),
        resource_status=resource_status,
        update_status=update_status,
    )


def update_allowed(props: Mapping[str, Any]) -> bool:
    """UpdateParallelData is accepted only when the resource and any update attempt have settled."""
    return props.get("Status") in ("ACTIVE", "FAILED") and (
        props.get("LatestUpdateAttemptStatus") not in _PENDING_PARALLEL_DATA
    )


# --- polling ------------------------------------------------------------------------------------


def next_poll_delay(
    previous: float | None,
    *,
    initial: float,
    maximum: float,
    factor: float = 1.5,
    status_changed: bool = False,
) -> float:
    """Seconds to wait before the next Describe/Get.

    Starts at ``initial`` and grows by ``factor`` up to ``maximum`` while nothing changes, so a
    job that runs for hours costs few calls; a status change resets to ``initial`` because
    things are moving and the next change is likely soon.
    """
    if previous is None or status_changed:
        return min(initial, maximum)
    return min(previous * factor, maximum)


def retry_delay(attempt: int, *, base: float = 0.5, maximum: float = 20.0) -> float:
    """Upper bound of the backoff before retry number ``attempt`` (1-based): base·2^(n-1), capped.

    The caller draws uniformly below it (full jitter), as botocore's standard mode does.
    """
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    return min(base * (2 ** (attempt - 1)), maximum)
