"""The experiment (SPEC §1 steps 2-3): a TOML config, sub-pipelines per language pair and variant run
concurrently, their articles scored against the human reference, and the report."""
