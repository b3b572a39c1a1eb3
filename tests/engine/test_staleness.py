"""Per-section staleness of a translated book against upstream (amts.engine.sync.staleness), on a
copy of the demo book (zh against en-upstream), before and after a real sync --write."""

from __future__ import annotations

import shutil

from amts.engine.act.sync_translation import apply_with_local_backend
from amts.engine.sync import list_review, plan_sync
from amts.engine.sync.staleness import Staleness, book_staleness


def test_staleness_follows_the_plan_then_the_sync(sample_book, tmp_path):
    shutil.copytree(sample_book, tmp_path / "demo")
    book, upstream = tmp_path / "demo" / "zh", tmp_path / "demo" / "en-upstream"
    plan = plan_sync(book, upstream, workdir=tmp_path / "work")
    before = book_staleness(plan, list_review(book))
    behind = {s.path for s in plan.sections if not s.untouched}
    assert {s.path for s in before.sections if s.state == Staleness.BEHIND} == behind and behind
    assert before.counts[Staleness.UNCHANGED] == len(plan.sections) - len(behind) > 0
    assert before.synced_at is None and before.awaiting_review == 0
    row = next(s for s in before.sections if s.path in behind and s.edited)
    section = next(s for s in plan.sections if s.path == row.path)
    assert (row.edited, row.new, row.deleted) == (section.edited, section.new, section.deleted)

    apply_with_local_backend(plan, tmp_path / "work")
    review = list_review(book)
    after = book_staleness(plan_sync(book, upstream, workdir=tmp_path / "work"), review)
    assert after.counts[Staleness.BEHIND] == 0 and after.counts[Staleness.UNCHANGED] == len(plan.sections)
    assert after.awaiting_review == len(review) > 0
    synced = {s.path for s in after.sections if s.synced_at is not None}
    assert synced == behind and after.synced_at == max(s.synced_at for s in after.sections if s.synced_at)
    assert {s.path: s.awaiting_review for s in after.sections if s.awaiting_review} == {
        s.path: len(s.units) for s in review.sections}
