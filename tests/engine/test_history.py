"""The run history of a work directory (amts.engine.experiment.history) on the session's real demo
run: read back from disk, a stopped re-run never hiding finished results, runs compared."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace

from amts.engine.act.state import StateStore
from amts.engine.events import PipelineStatus
from amts.engine.experiment.history import compare_runs, read_history, results_to_show, with_result


def test_a_finished_run_reads_back_from_disk(demo_run):
    history = read_history(demo_run.workdir)
    assert [e.run_id for e in history] == [demo_run.result.run_id]
    entry = history[0]
    assert entry.status == "succeeded" and entry.has_scores
    assert entry.result.pipelines == demo_run.result.pipelines


def test_a_stopped_rerun_keeps_each_finished_result_and_names_its_run(demo_run):
    finished = demo_run.result
    stopped_names = {p.name for p in finished.pipelines if p.variant == "act-sentence"}
    rerun = replace(finished, run_id="z-rerun", started_at=finished.started_at + 60, pipelines=tuple(
        replace(p, status=PipelineStatus.STOPPED, articles=(), bleu=None, chrf=None)
        if p.name in stopped_names else replace(p, bleu=(p.bleu or 0) + 1.0) for p in finished.pipelines))
    history = with_result(read_history(demo_run.workdir), rerun)
    assert [e.run_id for e in history] == ["z-rerun", finished.run_id]
    shown = results_to_show(history)
    assert shown.entry.run_id == "z-rerun"
    assert shown.carried == dict.fromkeys(stopped_names, finished.run_id)
    by_name = {p.name: p for p in shown.result.pipelines}
    for p in finished.pipelines:
        if p.name in stopped_names:
            assert by_name[p.name] == p  # the finished result, whole
        else:
            assert by_name[p.name].bleu == (p.bleu or 0) + 1.0  # the re-run's own
    # The older run shown on its own: nothing carried.
    assert results_to_show(history, finished.run_id).carried == {}


def test_compare_runs_gives_per_article_deltas_and_the_corpus_last(demo_run):
    old = demo_run.result
    new = replace(old, pipelines=tuple(replace(p, articles=tuple(replace(a, bleu=a.bleu + 2.5) for a in p.articles),
                                                 chrf=(p.chrf or 0) - 1.0) for p in old.pipelines))
    rows = compare_runs(new, old, "en", "zh")
    articles = sorted({a.path for p in old.pipelines if p.target_lang == "zh" for a in p.articles})
    assert [r.article for r in rows[:-3]] == [a for a in articles for _ in range(3)]
    assert {round(r.bleu_delta, 6) for r in rows[:-3]} == {2.5} and {r.chrf_delta for r in rows[:-3]} == {0.0}
    assert [r.article for r in rows[-3:]] == ["", "", ""] and {round(r.chrf_delta, 6) for r in rows[-3:]} == {-1.0}


def test_a_killed_run_and_a_damaged_report_are_listed_without_scores(demo_run, tmp_path):
    workdir = tmp_path / "work"
    shutil.copytree(demo_run.workdir, workdir)
    killed = StateStore(workdir).start_run("digest")  # started, never finished: no report
    report = next((workdir / "runs").glob("*/report.json"))
    report.write_text("{not json", encoding="utf-8")
    history = read_history(workdir)
    assert [e.run_id for e in history][0] == killed.run_id
    assert history[0].status == "running" and history[0].result is None and "no report" in history[0].problem
    damaged = next(e for e in history if e.run_id == report.parent.name)
    assert damaged.result is None and "damaged report" in damaged.problem
    assert results_to_show(history) is None
    json.loads(demo_run.result.report_json.read_text(encoding="utf-8"))  # the session's run is untouched
