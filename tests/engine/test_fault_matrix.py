"""Faults on the local service, with AWS's quotas on (its default): every run ends with the right
status, exit status and report. A held-out article that fails makes a partial result, never a
success whose corpus BLEU silently covers fewer articles."""

from __future__ import annotations

import io
import json
from dataclasses import replace

import pytest

from amts.engine.experiment.config import load_config
from amts.engine.experiment.pipeline import run_experiment
from amts.engine.local_service import LocalFaults
from amts.tui.exit_status import ExitStatus
from amts.tui.headless import run_headless

from conftest import make_config

EN_ZH = '[[pipelines]]\npair = "en-zh"\n'  # no-act, act-paragraph, act-sentence: two imports
FAILED_ARTICLE = "chapter_eval/bleu.md"


async def _run(tmp_path, faults: LocalFaults, max_attempts: int | None = None):
    config = load_config(make_config(tmp_path, EN_ZH))
    if max_attempts is not None:  # no retries to wait through: the fault decides at once
        service = replace(config.backend.service, max_attempts=max_attempts)
        config = replace(config, backend=replace(config.backend, service=service))
    result = await run_experiment(config, local_faults=faults)
    report = result.report_markdown.read_text(encoding="utf-8")
    data = json.loads(result.report_json.read_text(encoding="utf-8"))
    return result, {p.variant.value: p for p in result.pipelines}, report, data


async def test_throttling_is_retried_and_the_run_succeeds(tmp_path):
    result, _, report, data = await _run(tmp_path, LocalFaults(throttle_first_calls=4))
    assert result.outcome == "succeeded" and data["outcome"] == "succeeded"
    assert "## Failed sub-pipelines" not in report


@pytest.mark.parametrize("fault", [LocalFaults(fail_document_pattern="bleu"),  # failed in the job output
                                   LocalFaults(lose_document_pattern="bleu")])  # missing, no error
async def test_a_failed_document_makes_a_partial_result(tmp_path, fault):
    result, by_variant, report, data = await _run(tmp_path, fault)
    assert (result.succeeded, result.outcome, data["outcome"]) == (False, "partial", "partial")
    assert by_variant["no-act"].succeeded  # TranslateText has no documents to fail
    for variant in ("act-paragraph", "act-sentence"):
        partial = by_variant[variant]
        assert partial.partial and partial.failed_articles == (FAILED_ARTICLE,)
        assert [a.path for a in partial.articles] == ["chapter_intro/models.md"]
        assert partial.message == (f"partial: 1 of 2 held-out articles failed ({FAILED_ARTICLE}); "
                                   "its corpus BLEU covers only the other 1")
        assert f"- en-zh/{variant} (partial at evaluate): partial: 1 of 2" in report
        assert f"{variant}: corpus BLEU and chrF cover 1 articles, not all 2: failed `{FAILED_ARTICLE}`" in report
    assert "- Outcome: partial: 1 of 3 sub-pipelines succeeded" in report
    assert [p["failed_articles"] for p in data["pipelines"]] == [[], [FAILED_ARTICLE], [FAILED_ARTICLE]]


async def test_a_failed_job_fails_its_sub_pipeline_only(tmp_path):
    result, by_variant, report, _ = await _run(tmp_path, LocalFaults(fail_job_name_pattern="act-sentence"))
    assert result.outcome == "partial"
    failed = by_variant["act-sentence"]
    assert (failed.status, failed.failed_stage, failed.articles) == ("failed", "job", ())
    assert "Injected failure" in failed.message
    assert by_variant["no-act"].succeeded and by_variant["act-paragraph"].succeeded
    assert f"- en-zh/act-sentence (failed at job): {failed.message}" in report


async def test_failed_records_are_reported_and_the_run_succeeds(tmp_path):
    result, by_variant, report, _ = await _run(tmp_path, LocalFaults(parallel_data_failed_records=2))
    assert result.outcome == "succeeded"
    for variant in ("act-paragraph", "act-sentence"):
        figures = by_variant[variant].parallel_data
        assert figures is not None and figures.failed == 2
        assert any("2 records failed to import" in w for w in by_variant[variant].warnings)
        assert f"| en-zh/{variant} | amts-en-zh-{variant.removeprefix('act-')} |" in report


async def test_an_import_slot_held_elsewhere_is_waited_out_or_reported(tmp_path):
    # Briefly taken: botocore's standard retries (LimitExceeded counts as throttling) wait it out.
    result, _, _, _ = await _run(tmp_path / "brief", LocalFaults(import_slot_taken_calls=2))
    assert result.outcome == "succeeded"
    # Held throughout: the ACT sub-pipelines fail at the import, saying which limit; no-act goes on.
    result, by_variant, report, _ = await _run(tmp_path / "held", LocalFaults(import_slot_taken_calls=100),
                                               max_attempts=1)
    assert result.outcome == "partial" and by_variant["no-act"].succeeded
    for variant in ("act-paragraph", "act-sentence"):
        failed = by_variant[variant]
        assert (failed.status, failed.failed_stage) == ("failed", "parallel-data")
        assert "an Amazon Translate limit was exceeded" in failed.message
        assert f"- en-zh/{variant} (failed at parallel-data)" in report


@pytest.mark.parametrize("faults, status", [
    (LocalFaults(), ExitStatus.OK),
    (LocalFaults(fail_document_pattern="bleu"), ExitStatus.PARTIAL),
])
def test_auto_exits_non_zero_on_a_partial_run(tmp_path, faults, status):
    out = io.StringIO()
    code = run_headless(make_config(tmp_path, EN_ZH), demo=False, resume=False, out=out, force_plain=True,
                        local_faults=faults)
    assert code == status, out.getvalue()[-2000:]
    assert f"outcome: {'succeeded' if status == ExitStatus.OK else 'partial'}" in out.getvalue()
