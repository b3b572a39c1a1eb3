"""The comments a sync writes into a translation (`<!-- amts: ... -->`), as every layer reads them.

Sync marks each machine-translated unit with a review comment glued right after its text
(amts.engine.sync.apply), so such a comment always ends the unit before it. Three readers need
that fact below sync: the sentence segmenter (a sentence ends after its comments, so the comment
stays with the machine text and never starts the next, human, sentence), the aligned pair (text
carrying one is awaiting review) and the parallel-data writer (which leaves such pairs out).
"""

from __future__ import annotations

import re

#: How every comment a sync writes starts (review markers, previous translations, conflicts).
REVIEW_COMMENT_OPEN = "<!-- amts:"
#: One such comment; whitespace after `<!--` is tolerated as a reviewer may have typed it.
REVIEW_COMMENT = re.compile(r"<!--\s*amts:.*?-->", re.DOTALL)
#: A run of them, with the whitespace between (what follows one machine-translated unit).
REVIEW_COMMENT_RUN = re.compile(r"<!--\s*amts:.*?-->(?:\s*<!--\s*amts:.*?-->)*", re.DOTALL)


def has_review_comment(text: str) -> bool:
    """Whether the text carries a sync comment: machine text awaiting review, or a conflict."""
    return REVIEW_COMMENT.search(text) is not None
