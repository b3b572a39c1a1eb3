"""The book aligned once for a whole run, shared by every sub-pipeline that needs its pairs.

The alignment runs in a thread (cached on disk by amts.engine.align.book_alignment); the first
sub-pipeline to ask starts it and every other one awaits the same task, each told of its progress.
The reverse direction (zh→en of an en→zh book) is the same pairs swapped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from amts.engine import events as ev
from amts.engine.align.book_alignment import BookAlignment, align_book
from amts.engine.align.pairs import AlignedPair
from amts.engine.book import Book
from amts.engine.experiment.config import PipelineSpec


def _swap(pair: AlignedPair) -> AlignedPair:
    a, _, b = pair.bead.partition("-")
    return replace(pair, source=pair.target, target=pair.source, bead=f"{b}-{a}",
                   source_line=pair.target_line, target_line=pair.source_line)


class SharedAlignment:
    """The book aligned once, shared by all sub-pipelines of a run (see the module doc)."""

    def __init__(self, book: Book, workdir: Path, jobs: int, held_out: tuple[str, ...],
                 include_held_out: bool, emit: Callable[[ev.Event], None]):
        self.book, self.workdir, self.jobs = book, workdir, jobs
        self.held_out, self.include_held_out, self.emit = set(held_out), include_held_out, emit
        self.subscribers: set[str] = set()
        self._task: asyncio.Task[BookAlignment] | None = None
        self._result: BookAlignment | None = None

    async def get(self, subscriber: str) -> BookAlignment:
        self.subscribers.add(subscriber)
        if self._task is None:
            loop = asyncio.get_running_loop()

            def progress(done: int, total: int) -> None:
                for name in sorted(self.subscribers):
                    loop.call_soon_threadsafe(self.emit, ev.Progress(name, ev.Stage.ALIGN, done, total))

            self._task = asyncio.ensure_future(asyncio.to_thread(
                align_book, self.book, workdir=self.workdir, jobs=self.jobs or None,
                on_progress=progress))
        self._result = await asyncio.shield(self._task)
        return self._result

    def _oriented(self, pairs: list[AlignedPair], spec: PipelineSpec) -> list[AlignedPair]:
        if (spec.source_lang, spec.target_lang) == (self.book.source_lang, self.book.target_lang):
            return pairs
        return [_swap(p) for p in pairs]

    async def data_pairs(self, spec: PipelineSpec, granularity: str, subscriber: str) -> list[AlignedPair]:
        """The parallel data of a sub-pipeline: the book minus the held-out articles (by policy)."""
        alignment = await self.get(subscriber)
        pairs = [p for s in alignment.sections
                 if self.include_held_out or s.name not in self.held_out
                 for p in s.pairs(granularity)]
        return self._oriented(pairs, spec)

    async def held_out_pairs(self, spec: PipelineSpec, subscriber: str) -> dict[str, list[AlignedPair]]:
        alignment = await self.get(subscriber)
        return {s.name: self._oriented(list(s.paragraph_pairs), spec)
                for s in alignment.sections if s.name in self.held_out}
