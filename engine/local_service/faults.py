"""Faults the local Translate endpoint injects on purpose, so tests can see clients cope."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from amts.engine.markup.protected_html import protected_span_elements


@dataclass(frozen=True)
class LocalFaults:
    """What should go wrong. Patterns are regular expressions searched (re.search) in the text.

    - throttle_first_calls: the first N Translate API calls answer 429 TooManyRequestsException
      (only calls to `throttle_operations` count, when that is not empty).
    - fail_document_pattern: documents whose key (relative to the input prefix) matches fail;
      the job ends COMPLETED_WITH_ERROR and its details JSON names them.
    - lose_document_pattern: documents whose key matches are translated and reported as such, but
      their output never reaches S3 (an output missing without an error).
    - fail_job_name_pattern: jobs whose JobName matches end FAILED with `fail_job_message`.
    - parallel_data_failed_records: the first N otherwise-valid records of every parallel-data
      import are counted as failed (FailedRecordCount) and listed in the error file.
    - fail_parallel_data_name_pattern: parallel-data imports of matching names end FAILED.
    - import_slot_taken_calls: the first N CreateParallelData/UpdateParallelData calls get
      LimitExceededException, as if an import started elsewhere in the account held the one
      slot (the quota of quotas.py, with its holder outside the test).
    - space_after_span / space_before_span: Amazon's spacing quirk around `translate="no"`
      elements (amazon-translate.md §4: a space inserted after `</span>`, perhaps before
      `<span`), applied to every translated HTML document and TranslateText answer: a space goes
      after (before) each protected span that text follows (precedes) directly.
    """

    throttle_first_calls: int = 0
    throttle_operations: tuple[str, ...] = ()
    fail_document_pattern: str | None = None
    lose_document_pattern: str | None = None
    fail_job_name_pattern: str | None = None
    fail_job_message: str = "Injected failure: the local backend was told to fail this job."
    parallel_data_failed_records: int = 0
    fail_parallel_data_name_pattern: str | None = None
    import_slot_taken_calls: int = 0
    space_after_span: bool = False
    space_before_span: bool = False

    def document_fails(self, relative_key: str) -> bool:
        pattern = self.fail_document_pattern
        return bool(pattern) and re.search(pattern or "", relative_key) is not None

    def document_lost(self, relative_key: str) -> bool:
        pattern = self.lose_document_pattern
        return bool(pattern) and re.search(pattern or "", relative_key) is not None

    def job_fails(self, job_name: str) -> bool:
        pattern = self.fail_job_name_pattern
        return bool(pattern) and re.search(pattern or "", job_name) is not None

    def parallel_data_fails(self, name: str) -> bool:
        pattern = self.fail_parallel_data_name_pattern
        return bool(pattern) and re.search(pattern or "", name) is not None

    def respace_spans(self, translated: str) -> str:
        """The translation as Amazon's spacing quirk leaves it (unchanged when the quirk is off)."""
        if not (self.space_after_span or self.space_before_span):
            return translated
        out, position = [], 0
        for match in protected_span_elements(translated):
            start, end = match.span()
            out.append(translated[position:start])
            if self.space_before_span and start > 0 and _glued(translated[start - 1], ">"):
                out.append(" ")
            out.append(match.group(0))
            if self.space_after_span and end < len(translated) and _glued(translated[end], "<"):
                out.append(" ")
            position = end
        out.append(translated[position:])
        return "".join(out)


def _glued(neighbour: str, tag_edge: str) -> bool:
    """Text touching a span (not a space, not the edge of another tag): where the quirk puts its space."""
    return not neighbour.isspace() and neighbour != tag_edge


class Throttle:
    """Counts calls and says which ones to refuse (thread-safe: the server is threaded)."""

    def __init__(self, faults: LocalFaults):
        self._faults = faults
        self._lock = threading.Lock()
        self._throttled = 0
        self._slot_refused = 0

    def import_slot_taken(self) -> bool:
        """Whether this create/update finds the account's import slot taken (the injected fault)."""
        with self._lock:
            if self._slot_refused < self._faults.import_slot_taken_calls:
                self._slot_refused += 1
                return True
            return False

    def should_throttle(self, operation: str) -> bool:
        if self._faults.throttle_first_calls <= 0:
            return False
        if self._faults.throttle_operations and operation not in self._faults.throttle_operations:
            return False
        with self._lock:
            if self._throttled < self._faults.throttle_first_calls:
                self._throttled += 1
                return True
            return False

    @property
    def throttled_calls(self) -> int:
        """How many calls have been refused so far."""
        with self._lock:
            return self._throttled
