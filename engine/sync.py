"""Synchronisation (SPEC §1 step 4, §3): keep a translated book in step with its moving source.

    plan = plan_sync(book_root, upstream_root)          # nothing written
    result = await apply_sync(plan, translator)          # NAME.md + NAME_origin.md, atomically

Planning lives in engine.sync_match (old source ↔ translation), engine.sync_section (one
section's three-way merge) and engine.sync_plan (the whole book); applying in engine.sync_apply.
"""

from engine.sync_apply import (DEFAULT_REVIEW_MARKER, ApplyResult, Translator, apply_sync,
                               apply_with_backend, apply_with_local_backend, render_section,
                               service_translator)
from engine.sync_plan import PROVENANCE_FILE, plan_sync
from engine.sync_section import DEFAULT_EDIT_THRESHOLD
from engine.sync_units import (BlockOutput, SectionPlan, SyncPlan, SyncUnit, TextOrigin, UnitCounts,
                               UnitStatus)

__all__ = [
    "DEFAULT_EDIT_THRESHOLD", "DEFAULT_REVIEW_MARKER", "PROVENANCE_FILE", "ApplyResult", "BlockOutput",
    "SectionPlan", "SyncPlan", "SyncUnit", "TextOrigin", "Translator", "UnitCounts", "UnitStatus",
    "apply_sync", "apply_with_backend", "apply_with_local_backend", "plan_sync", "render_section",
    "service_translator",
]
