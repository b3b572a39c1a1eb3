"""The d2l study (examples/d2l-study.toml) on the local service with AWS's quotas: its four
parallel-data imports take turns (TranslateService.parallel_data_turn), so the one-import-at-a-time
quota never refuses one, even with botocore's retries switched off."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from amts.engine import events as ev
from amts.engine.experiment.config import load_config
from amts.engine.experiment.pipeline import run_experiment
from amts.engine.local_service import AWS_QUOTAS, start_local_backend

from conftest import REPO

STUDY = REPO / "examples" / "d2l-study.toml"


def _import_windows(events: list[ev.Event]) -> list[tuple[str, int, int]]:
    """(resource, first, last) event index of each resource's import, in event order."""
    seen: dict[str, list[int]] = {}
    for index, event in enumerate(events):
        if isinstance(event, ev.ResourceStatus):
            seen.setdefault(event.name, []).append(index)
    return sorted(((name, idx[0], idx[-1]) for name, idx in seen.items()), key=lambda w: w[1])


async def test_the_d2l_study_runs_within_the_one_import_quota(d2l_zh, d2l_zh_aligned, tmp_path):
    workdir = d2l_zh_aligned.seed(tmp_path / "work")
    config = load_config(STUDY)
    config = replace(config, book=replace(config.book, path=d2l_zh))  # wherever $AMTS_SHARED puts it
    events: list[ev.Event] = []
    with start_local_backend(tmp_path / "local", job_delay=0.01, quotas=AWS_QUOTAS) as backend:
        # No retries: a refused import would fail its sub-pipeline instead of being waited out.
        service = replace(config.backend.service, s3_endpoint_url=backend.s3_endpoint,
                          translate_endpoint_url=backend.translate_endpoint, max_attempts=1)
        config = replace(config, workdir=workdir, backend=replace(
            config.backend, service=service, poll_seconds=0.05, max_poll_seconds=0.2))
        result = await run_experiment(config, events.append)
        outcomes = backend.translate_server.call_outcomes
    assert result.succeeded, [(p.name, p.message) for p in result.failed]
    assert len(result.held_out) == 5 and len(result.pipelines) == 6
    act = [p for p in result.pipelines if p.parallel_data is not None]
    assert len(act) == 4 and all(p.parallel_data.imported > 0 for p in act)
    assert outcomes.get(("CreateParallelData", "OK")) == 4
    assert not any(code == "LimitExceededException" for (_, code) in outcomes)
    windows = _import_windows(events)
    assert len(windows) == 4
    for (_, _, last), (_, first, _) in zip(windows, windows[1:]):
        assert last < first  # each import settled before the next one was watched


def test_the_study_example_keeps_its_four_imports():
    config = load_config(STUDY)
    specs = config.resolve_pipelines("en", "zh")
    assert sum(spec.granularity is not None for spec in specs) == 4
    assert Path(config.source_file) == STUDY
