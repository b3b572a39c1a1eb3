"""Alignment: a section and its translation paired by paragraphs (document structure) and sentences
(a bead DP with length and anchor evidence); a whole book aligned on all cores, cached by content."""
