"""What every operation of the local Translate endpoint shares: state, S3, faults, threads."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from amts.engine.local_service.faults import LocalFaults
from amts.engine.local_service.quotas import LocalQuotas
from amts.engine.local_service.s3 import make_s3_client
from amts.engine.local_service.store import StateStore
from amts.engine.paralleldata.memory import TranslationMemory

ACCOUNT_ID = "123456789012"
DATA_URL_PATH = "/local-data/"


@dataclass
class LocalContext:
    """Shared by the HTTP handlers and the background workers of one endpoint."""

    store: StateStore
    s3_endpoint: str
    faults: LocalFaults
    delay: float
    quotas: LocalQuotas = field(default_factory=LocalQuotas)
    region: str = "us-east-1"
    account_id: str = ACCOUNT_ID
    translate_endpoint: str = ""
    stopping: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _memories: dict[str, dict[str, TranslationMemory]] = field(default_factory=dict)
    _memory_lock: threading.Lock = field(default_factory=threading.Lock)
    _s3: Any = None

    def s3(self) -> Any:
        """A botocore S3 client for the local S3 (botocore clients are thread-safe)."""
        if self._s3 is None:
            self._s3 = make_s3_client(self.s3_endpoint, self.region)
        return self._s3

    def arn(self, kind: str, name: str) -> str:
        return f"arn:aws:translate:{self.region}:{self.account_id}:{kind}/{name}"

    def spawn(self, target: Callable[[], None], name: str) -> None:
        """Run a background worker; `stop_workers` waits for all of them."""
        thread = threading.Thread(target=target, name=name, daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    def sleep(self, seconds: float | None = None) -> bool:
        """Wait the configured delay; False when the endpoint is stopping (workers then return)."""
        return not self.stopping.wait(self.delay if seconds is None else seconds)

    def stop_workers(self, timeout: float = 10.0) -> None:
        self.stopping.set()
        for thread in self._threads:
            thread.join(timeout)

    def data_url(self, kind: str, name: str) -> str:
        """A URL on the Translate endpoint serving a stored data file (stands in for a presigned
        URL to the service's own bucket)."""
        return f"{self.translate_endpoint}{DATA_URL_PATH}{kind}/{name}"

    def memories(self, data_file: str) -> dict[str, TranslationMemory]:
        """Translation memories (one per target language) over an imported parallel-data file."""
        with self._memory_lock:
            cached = self._memories.get(data_file)
            if cached is None:
                data = json.loads(Path(data_file).read_text(encoding="utf-8"))
                cached = {
                    language: TranslationMemory(
                        # U+2060 only guards a leading + - = @ in the file; not part of the text.
                        (source, targets[language].removeprefix("\u2060"))
                        for source, targets in data["records"]
                        if language in targets
                    )
                    for language in data["targetLanguages"]
                }
                self._memories[data_file] = cached
            return cached
