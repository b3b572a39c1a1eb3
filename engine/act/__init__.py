"""ACT batch jobs: the one workflow (parallel data → upload → start or re-attach → watch → download)
that the experiment and `sync --write` share, and the SQLite record of runs and jobs that lets a
killed run re-attach instead of paying twice."""
