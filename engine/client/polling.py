"""One polling loop for everything that must be watched until it settles (jobs, parallel data).

The loop asks, reports, decides with ``jobstate.next_poll_delay`` how long to wait, and stops on
a settled status, a timeout (AmtsError) or the caller's ``stop`` event (returns the last status).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Hashable
from typing import TypeVar

from amts.engine.client.jobstate import next_poll_delay
from amts.engine.errors import AmtsError

S = TypeVar("S")
StatusCallback = Callable[[S], object]  # may return an awaitable; it is then awaited


async def poll_until_settled(
    fetch: Callable[[], Awaitable[S]],
    *,
    is_settled: Callable[[S], bool],
    progress_key: Callable[[S], Hashable],
    what: str,
    on_status: StatusCallback | None = None,
    poll_interval: float = 2.0,
    max_poll_interval: float = 30.0,
    timeout: float | None = None,
    stop: asyncio.Event | None = None,
) -> S:
    """Call ``fetch`` until ``is_settled``; report every status to ``on_status``.

    The delay grows while ``progress_key`` stays the same and resets when it changes. On
    ``timeout`` raises AmtsError naming ``what`` and its last status; when ``stop`` is set,
    returns the last status even though it has not settled (the caller decides what that means).
    """
    loop = asyncio.get_running_loop()
    deadline = None if timeout is None else loop.time() + timeout
    delay: float | None = None
    last_key: Hashable = object()
    while True:
        status = await fetch()
        if on_status is not None:
            reported = on_status(status)
            if inspect.isawaitable(reported):
                await reported
        if is_settled(status):
            return status
        key = progress_key(status)
        delay = next_poll_delay(delay, initial=poll_interval, maximum=max_poll_interval,
                                status_changed=key != last_key)
        last_key = key
        wait = delay
        if deadline is not None:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AmtsError(
                    f"gave up waiting for {what} after {timeout:g} s (last status: {key}); "
                    "it keeps running on the service side"
                )
            wait = min(wait, remaining)
        if stop is None:
            await asyncio.sleep(wait)
            continue
        try:
            await asyncio.wait_for(stop.wait(), wait)
        except TimeoutError:
            continue
        return status
