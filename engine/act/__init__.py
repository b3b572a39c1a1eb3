"""ACT batch jobs: the one workflow (batch_job.py: parallel data → upload → start or re-attach →
watch → download) that the experiment and `sync --write` share, the SQLite run state (state.py)
whose stored ClientToken lets a killed run re-attach instead of paying twice, opening the backend a
run uses (backend.py: AWS, running endpoints, or the embedded local service), and the sync's
batch translator (sync_translation.py)."""
