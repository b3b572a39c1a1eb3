"""Sync (SPEC §1 step 4, §3; issue 11): keep a translated book in step with its moving source.

    plan = plan_sync(book_root, upstream_root)          # nothing written
    print(sync_diff(plan))                               # the patch --write would apply
    result = await apply_sync(plan, translator)          # NAME.md + NAME_origin.md, atomically
    review = list_review(book_root)                      # what it marked for review, then
    accept_unit / edit_unit / reject_unit(book_root, unit)   # one unit at a time

A sync is a patch of the translation: the old NAME.md is edited where upstream changed, never
rebuilt. This package owns the planning and the writing of files; it never talks to a backend.
The translator is injected: `amts.engine.act.sync_translation` provides one that runs the ACT
batch-job workflow. Planning: `prepare` (cached maps and sentences), `translation_map` (old source
↔ translation, down to characters on disk), `block_diff`, `section` with `prose_patch`,
`line_merge` and `inline_edit` (one section's patch), `plan` (the whole book); writing: `apply`,
`provenance`; reading: `diff`; reviewing what it wrote: `review`.
"""

from amts.engine.sync.apply import DEFAULT_REVIEW_MARKER, ApplyResult, Translator, apply_sync, render_section
from amts.engine.sync.diff import sync_diff
from amts.engine.sync.plan import DEFAULT_COST_VARIANT, plan_sync
from amts.engine.sync.provenance import PROVENANCE_FILE
from amts.engine.sync.review import (
    BookReview,
    ReviewOutcome,
    ReviewResult,
    ReviewSection,
    ReviewUnit,
    accept_unit,
    edit_unit,
    list_review,
    reject_unit,
)
from amts.engine.sync.section import DEFAULT_EDIT_THRESHOLD
from amts.engine.sync.units import (
    SectionPlan,
    SyncPlan,
    SyncUnit,
    TextEdit,
    TextOrigin,
    UnitAction,
    UnitCounts,
    UnitStatus,
)

__all__ = [
    "DEFAULT_COST_VARIANT", "DEFAULT_EDIT_THRESHOLD", "DEFAULT_REVIEW_MARKER", "PROVENANCE_FILE", "ApplyResult",
    "BookReview", "ReviewOutcome", "ReviewResult", "ReviewSection", "ReviewUnit", "SectionPlan", "SyncPlan",
    "SyncUnit", "TextEdit", "TextOrigin", "Translator", "UnitAction", "UnitCounts", "UnitStatus", "accept_unit",
    "apply_sync", "edit_unit", "list_review", "plan_sync", "reject_unit", "render_section", "sync_diff",
]
