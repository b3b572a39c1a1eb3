"""Section plans kept in the work directory: a re-plan of an unchanged book is near-instant.

A section's plan is a pure function of its three texts, the languages, the edit threshold, the
code (`code_digest`) and the book's memory, and the memory is a function of the texts of the
sections it is built from. So a plan is stored under a hash of the section's texts and of a
digest of the whole book (`book_digest`): when any file of the book or of upstream changes,
every section is planned again (from the cached maps), never from a stale plan.
"""

from __future__ import annotations

import hashlib

from amts.engine.sync.prepare import SyncCache, code_digest
from amts.engine.sync.units import (
    SectionPlan,
    SyncUnit,
    TextEdit,
    TextOrigin,
    UnitAction,
    UnitCounts,
    UnitStatus,
)

#: Bump whenever planning changes what it produces.
PLAN_VERSION = "1"


def book_digest(texts: list[tuple[str, str, str, str]], source_lang: str, target_lang: str,
                threshold: float) -> str:
    """One hash of every (path, old source, translation, new source) of the plan, in order."""
    h = hashlib.sha256()
    for part in (PLAN_VERSION, code_digest(), source_lang, target_lang, repr(threshold)):
        h.update(part.encode())
        h.update(b"\0")
    for name, old, target, new in texts:
        for part in (name, old, target, new):
            h.update(hashlib.sha256(part.encode("utf-8")).digest())
    return h.hexdigest()


def section_key(book: str, name: str) -> str:
    return hashlib.sha256(f"{book}\0{name}".encode()).hexdigest()


def cached_plan(cache: SyncCache, key: str, upstream_text: str, target_text: str,
                origin_text: str) -> SectionPlan | None:
    data = cache.get("plan", key)
    if not isinstance(data, dict):
        return None
    try:
        units = tuple(SyncUnit(UnitStatus(u[0]), u[1], u[2], TextOrigin(u[3]), u[4], u[5], u[6], u[7], u[8],
                               UnitAction(u[9]), u[10], u[11]) for u in data["units"])
        edits = tuple(TextEdit(e[0], e[1], tuple(e[2])) for e in data["edits"])
        return SectionPlan(data["path"], units, UnitCounts(**data["counts"]), edits, upstream_text, target_text,
                           origin_text, data["status"], data["words"], data["words_reused"], data["characters"],
                           tuple(data["warnings"]), tuple(data["translator_blocks"]), data["eol"])
    except (KeyError, TypeError, ValueError, IndexError):
        return None


def store_plan(cache: SyncCache, key: str, plan: SectionPlan) -> None:
    cache.put("plan", key, {
        "path": plan.path, "status": plan.status, "words": plan.words, "words_reused": plan.words_reused,
        "characters": plan.characters, "warnings": list(plan.warnings),
        "translator_blocks": list(plan.translator_blocks), "eol": plan.eol,
        "counts": {name: getattr(plan.counts, name) for name in UnitCounts.__dataclass_fields__},
        "units": [[str(u.status), u.source, u.translation, str(u.origin), u.old_source, u.score, u.line, u.words,
                   u.kind, str(u.action), u.why, u.marker] for u in plan.units],
        "edits": [[e.start, e.end, list(e.parts)] for e in plan.edits],
    })
