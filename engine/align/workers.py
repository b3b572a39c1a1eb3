"""Worker processes for CPU-bound alignment that never outlive the process that started them.

A `ProcessPoolExecutor`'s workers wait on a pipe and keep computing if their parent dies: a
SIGTERM or SIGKILL of `amts-tui align` would leave them running. Each worker therefore asks the
kernel to kill it when its parent dies (Linux `prctl(PR_SET_PDEATHSIG)`), and where that is not
available watches its parent's pid from a thread. If the parent already died between the fork and
that request, the worker exits at once.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TypeVar

_PR_SET_PDEATHSIG = 1
_PARENT_POLL_SECONDS = 0.5

Job = TypeVar("Job")
Result = TypeVar("Result")


def _die_with_parent(parent: int) -> None:
    """Worker initializer: end this worker when `parent` ends, however it ends."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
                if os.getppid() != parent:
                    os._exit(1)
                return
        except (OSError, AttributeError):
            pass
    threading.Thread(target=_watch_parent, args=(parent,), name="amts-parent-watch", daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_PARENT_POLL_SECONDS)
    os._exit(1)


def run_in_workers(function: Callable[[Job], Result], jobs: Sequence[Job], workers: int,
                   on_result: Callable[[Job, Result], None]) -> None:
    """`function` over `jobs` in `workers` processes; `on_result` is called in the order of the jobs.

    If anything stops the loop (an exception, a KeyboardInterrupt), pending jobs are cancelled and
    the workers are ended instead of being waited for.
    """
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_die_with_parent, initargs=(os.getpid(),))
    try:
        futures: list[Future[Result]] = [pool.submit(function, job) for job in jobs]
        for job, future in zip(jobs, futures):
            on_result(job, future.result())
    except BaseException:
        # The executor has no public way to stop a running job before Python 3.14.
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        raise
    pool.shutdown(wait=True)
