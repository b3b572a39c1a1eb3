"""The book's record of what sync wrote and what awaits review: `.amts/sync-provenance.json`.

Format (version 2), one record per section that a sync wrote::

    {"version": 2,
     "review_marker": "<!-- amts: machine translation, review -->",
     "sections": {"chapter_x/sec.md": {
         "written": {"origin_sha256": "...", "target_sha256": "..."},
         "review": [{"kind": "sentence", "status": "edited", "action": "translate",
                     "source": "new English", "old_source": "old English",
                     "translation": "the text written into NAME.md (without marker)",
                     "marker": "the comment(s) written right after it",
                     "previous": "the exact text of NAME.md it replaced (\\"\\" for new text)",
                     "line": 12}, ...]}}}

Every unit marked for review in NAME.md has one entry, found in the file as `translation +
marker` (a sentence, caption) or as `marker` on its own line after a block (a code conflict,
whose `translation` is upstream's lines and `previous` the translator's). A Review screen accepts
a unit by deleting `marker`, rejects it by putting `previous` back in place of `translation +
marker`, or replaces `translation` with the reviewer's text (amts.engine.sync.review does, and
removes the entry). Entries of earlier syncs stay while their `translation + marker` is still in
the file: whether a unit awaits review is read from NAME.md, the record only says what it is.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from amts.engine.sync.translation_map import normalise

#: Where apply records the units awaiting review and the hashes of the files it wrote.
PROVENANCE_FILE = Path(".amts") / "sync-provenance.json"
PROVENANCE_VERSION = 2


def read_provenance(book_root: Path) -> dict:
    """The record of earlier syncs (empty when there is none or it cannot be read)."""
    try:
        data = json.loads((Path(book_root) / PROVENANCE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) and isinstance(data.get("sections"), dict) else {}


def section_record(provenance: dict, path: str) -> dict:
    record = provenance.get("sections", {}).get(path, {})
    return record if isinstance(record, dict) else {}


def review_entries(provenance: dict, path: str) -> list[dict]:
    """A section's entries (version 1 called them "machine")."""
    record = section_record(provenance, path)
    entries = record.get("review", record.get("machine", []))
    return [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []


def pending_machine_text(provenance: dict, path: str, target_text: str) -> dict[str, str]:
    """Source → machine text of the units of a section still marked for review in NAME.md."""
    default = provenance.get("review_marker", "")
    pending = {}
    for entry in review_entries(provenance, path):
        source, translation = entry.get("source"), entry.get("translation")
        marker = entry.get("marker", default)
        if isinstance(source, str) and isinstance(translation, str) and marker and \
                translation + marker in target_text and entry.get("action", "translate") == "translate":
            pending[normalise(source)] = translation
    return pending


#: Units whose machine text is written with the marker glued after it; the others (conflicts in
#: code cells, math, tables, directives) have the marker on a line of its own after their block.
INLINE_KINDS = ("sentence", "heading", "caption")


def entry_needle(entry: dict) -> str | None:
    """What NAME.md holds while an entry awaits review: `translation + marker` (a sentence,
    heading, caption) or `marker` (a conflict); None for an entry that cannot be read."""
    marker, translation = entry.get("marker"), entry.get("translation", "")
    if not (isinstance(marker, str) and isinstance(translation, str) and marker):
        return None
    return translation + marker if entry.get("kind") in INLINE_KINDS else marker


def still_pending(entries: list[dict], target_text: str) -> list[dict]:
    """The entries whose marked text is still in the file (the others were reviewed)."""
    return [entry for entry in entries if (needle := entry_needle(entry)) is not None and needle in target_text]


def text_digest(text: str) -> str:
    """The hash apply records of a file it wrote (of the text exactly as written)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
