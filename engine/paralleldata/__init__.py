"""Parallel data: Amazon Translate's CSV/TSV/TMX files (and JSONL) written within its limits and read
back, the translation memory over aligned pairs, and term lists (d2l-zh's TERMINOLOGY.md)."""
