"""Sync (SPEC §1 step 4, §3): keep a translated book in step with its moving source.

    plan = plan_sync(book_root, upstream_root)          # nothing written
    result = await apply_sync(plan, translator)          # NAME.md + NAME_origin.md, atomically

This package owns the planning and the writing of files; it never talks to a backend. The
translator is injected: `amts.engine.act.sync_translation` provides one that runs the ACT
batch-job workflow. Planning: `translation_map` (old source ↔ translation), `section` (one
section's three-way merge), `plan` (the whole book); writing: `apply`.
"""

from amts.engine.sync.apply import DEFAULT_REVIEW_MARKER, ApplyResult, Translator, apply_sync, render_section
from amts.engine.sync.plan import PROVENANCE_FILE, plan_sync
from amts.engine.sync.section import DEFAULT_EDIT_THRESHOLD
from amts.engine.sync.units import BlockOutput, SectionPlan, SyncPlan, SyncUnit, TextOrigin, UnitCounts, UnitStatus

__all__ = [
    "DEFAULT_EDIT_THRESHOLD", "DEFAULT_REVIEW_MARKER", "PROVENANCE_FILE", "ApplyResult", "BlockOutput",
    "SectionPlan", "SyncPlan", "SyncUnit", "TextOrigin", "Translator", "UnitCounts", "UnitStatus",
    "apply_sync", "plan_sync", "render_section",
]
