"""The experiment end to end on the local backend: concurrency, failure containment, resume."""

from __future__ import annotations

import asyncio
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from amts.engine import events as ev
from amts.engine.act.state import StateStore
from amts.engine.errors import AmtsError
from amts.engine.experiment.config import load_config
from amts.engine.experiment.pipeline import run_experiment
from amts.engine.local_service import LocalFaults, start_local_backend
from amts.tui.evaluate_cmd import run_evaluate
from amts.tui.headless import run_headless

from conftest import HELD_OUT_ONLY_SENTENCE, make_config


async def test_both_directions_all_variants_concurrently(tmp_path):
    config = load_config(make_config(tmp_path))
    seen: list[ev.Event] = []
    result = await run_experiment(config, seen.append)

    assert result.succeeded, [(p.name, p.message) for p in result.failed]
    names = [p.name for p in result.pipelines]
    assert names == [f"{d}/{v}" for d in ("en-zh", "zh-en")
                     for v in ("no-act", "act-paragraph", "act-sentence")]
    assert result.held_out == ("chapter_eval/bleu.md", "chapter_intro/models.md")
    # Concurrency: every sub-pipeline had started before the first one finished.
    first_finish = next(i for i, e in enumerate(seen) if isinstance(e, ev.Finished))
    started = {e.pipeline for e in seen[:first_finish] if isinstance(e, ev.StageStarted)}
    assert started == set(names)

    by_name = {p.name: p for p in result.pipelines}
    for direction in ("en-zh", "zh-en"):
        baseline, act = by_name[f"{direction}/no-act"], by_name[f"{direction}/act-sentence"]
        # The local TranslateText has no memory: it translates nothing. The sentence memory
        # covers the held-out sentences that also occur in training sections.
        assert baseline.job_id == "" and act.job_id
        assert act.bleu > baseline.bleu + 10
        assert act.translated_segments > 0 and act.untranslated_segments > 0
        assert {a.path for a in act.articles} == set(result.held_out)
        assert act.parallel_data.written > 0 and act.parallel_data.imported == act.parallel_data.written
        assert act.characters_sent > 0 and act.estimated_usd > baseline.estimated_usd
    assert len({by_name[n].job_id for n in names if "act-" in n}) == 4
    # Amazon Translate runs one parallel-data create/update per account at a time: the four
    # imports took turns (each one's statuses, first to settled, before the next one's first).
    spans: dict[str, tuple[int, int]] = {}
    for i, event in enumerate(seen):
        if isinstance(event, ev.ResourceStatus):
            spans[event.name] = (spans.get(event.name, (i, i))[0], i)
    turns = sorted(spans.values())
    assert len(turns) == 4 and all(a[1] < b[0] for a, b in zip(turns, turns[1:])), turns

    # Held out means held out: the held-out-only sentence is in no parallel data file.
    for name in ("en-zh/act-sentence", "zh-en/act-paragraph"):
        data = Path(by_name[name].parallel_data.path).read_text(encoding="utf-8")
        assert HELD_OUT_ONLY_SENTENCE not in data and "Remove empty lines before training." in data

    report = result.report_markdown.read_text(encoding="utf-8")
    assert "## en → zh" in report and "## zh → en" in report and "were excluded" in report
    data = json.loads(result.report_json.read_text(encoding="utf-8"))
    assert data["succeeded"] is True and len(data["pipelines"]) == 6
    assert data["include_held_out_in_data"] is False
    restored = Path(by_name["en-zh/act-sentence"].articles[0].output_path).read_text(encoding="utf-8")
    assert restored.startswith("# ")  # Markdown, not HTML
    assert isinstance(seen[-1], ev.RunFinished) and seen[-1].succeeded


async def test_article_bleu_equals_sacrebleu_command_line(tmp_path):
    config = load_config(make_config(tmp_path, '[[pipelines]]\npair = "en-zh"\nvariant = "act-sentence"\n'))
    result = await run_experiment(config)
    [pipeline] = result.pipelines
    article = next(a for a in pipeline.articles if a.path == "chapter_intro/models.md")
    units = config.workdir / "runs" / result.run_id / "en-zh__act-sentence" / "units"
    hyp, ref = units / "chapter_intro/models.hyp.txt", units / "chapter_intro/models.ref.txt"
    cli = subprocess.run([sys.executable, "-m", "sacrebleu", str(ref), "-i", str(hyp), "-tok", "zh",
                          "-b", "-w", "4", "-m", "bleu"], capture_output=True, text=True, check=True)
    assert float(cli.stdout.strip()) == pytest.approx(article.bleu, abs=1e-4)
    # The evaluate subcommand on the same files gives the same figure and writes the JSON.
    (tmp_path / "hyp").mkdir()
    (tmp_path / "ref").mkdir()
    (tmp_path / "hyp" / "models.txt").write_bytes(hyp.read_bytes())
    (tmp_path / "ref" / "models.txt").write_bytes(ref.read_bytes())
    out = io.StringIO()
    assert run_evaluate(tmp_path / "hyp", tmp_path / "ref", "zh", tmp_path / "s.json", out=out) == 0
    scores = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert scores["articles"][0]["bleu"] == pytest.approx(article.bleu, abs=0.01)
    assert "tok:zh" in scores["signature"] and "models.txt" in out.getvalue()


async def test_a_failing_job_is_contained(tmp_path):
    config = load_config(make_config(tmp_path))
    seen: list[ev.Event] = []
    result = await run_experiment(config, seen.append,
                                  local_faults=LocalFaults(fail_job_name_pattern="act-paragraph"))
    failed = {p.name for p in result.failed}
    assert failed == {"en-zh/act-paragraph", "zh-en/act-paragraph"}
    assert {e.pipeline for e in seen if isinstance(e, ev.Failed)} == failed
    assert all(p.failed_stage == "job" and "Injected failure" in p.message for p in result.failed)
    assert sum(p.succeeded for p in result.pipelines) == 4
    assert "## Failed sub-pipelines" in result.report_markdown.read_text(encoding="utf-8")


async def test_cost_limit_stops_the_run_before_it_starts(tmp_path):
    config = load_config(make_config(tmp_path, "[limits]\nmax_cost_usd = 0.001\n"))
    seen: list[ev.Event] = []
    with pytest.raises(AmtsError, match="max_cost_usd"):
        await run_experiment(config, seen.append)
    assert any(isinstance(e, ev.CostEstimated) for e in seen)
    assert not any(isinstance(e, ev.StageStarted) for e in seen)
    assert StateStore(config.workdir).jobs() == []


async def test_cancelled_after_job_start_stops_it_and_resume_starts_a_new_one(tmp_path):
    """A cancelled run (the UI's stop, Ctrl-C) stops its job; --resume then starts a new job
    rather than re-attaching to a stopped one. (A killed run re-attaches:
    tests/e2e/test_resume_after_kill.py.)"""
    config = load_config(make_config(tmp_path, '[[pipelines]]\npair = "en-zh"\nvariant = "act-sentence"\n',
                                     job_seconds=0.4))
    started = asyncio.Event()

    def watch(event: ev.Event) -> None:
        if isinstance(event, ev.JobStatus):
            started.set()

    task = asyncio.create_task(run_experiment(config, watch))
    await asyncio.wait_for(started.wait(), 60)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    store = StateStore(config.workdir)
    [job] = store.jobs()
    assert job.job_id and job.status == "STOPPED"

    result = await run_experiment(config, resume=True)
    assert result.succeeded and result.resumed
    [again] = store.jobs()
    assert again.job_id == result.pipelines[0].job_id != job.job_id
    assert again.client_token != job.client_token

    # The service saw the stopped job and the new one.
    import boto3

    with start_local_backend(config.workdir, job_delay=0.01) as backend:
        client = boto3.client("translate", region_name="us-east-1",
                              endpoint_url=backend.translate_endpoint,
                              aws_access_key_id="testing", aws_secret_access_key="testing")
        jobs = client.list_text_translation_jobs()["TextTranslationJobPropertiesList"]
    assert {j["JobId"]: j["JobStatus"] for j in jobs} == {job.job_id: "STOPPED", again.job_id: "COMPLETED"}


async def test_a_stop_request_ends_as_stopped_and_the_run_resumes(tmp_path):
    config = load_config(make_config(tmp_path, '[[pipelines]]\npair = "en-zh"\nvariant = "act-sentence"\n',
                                     job_seconds=0.4))
    stop = asyncio.Event()
    seen: list[ev.Event] = []

    def watch(event: ev.Event) -> None:
        seen.append(event)
        if isinstance(event, ev.JobStatus):
            stop.set()  # what the Jobs screen's Stop does while the job runs

    result = await run_experiment(config, watch, stop)
    [stopped] = result.pipelines
    assert stopped.status == ev.PipelineStatus.STOPPED and stopped.failed_stage == ev.Stage.JOB
    [failed] = [e for e in seen if isinstance(e, ev.Failed)]
    assert (failed.status, failed.stage) == (ev.PipelineStatus.STOPPED, ev.Stage.JOB)
    resumed = await run_experiment(config, resume=True)
    assert resumed.succeeded and resumed.pipelines[0].job_id == stopped.job_id


def test_headless_plain_output_and_exit_status(tmp_path):
    config = make_config(tmp_path, '[[pipelines]]\npair = "zh-en"\nvariants = ["no-act", "act-sentence"]\n')
    out = io.StringIO()
    assert run_headless(config, demo=False, resume=False, out=out) == 0
    lines = out.getvalue().splitlines()
    assert any(line.startswith("[zh-en/act-sentence] job ") for line in lines)
    assert any("cost estimate" in line for line in lines)
    assert lines[-2].startswith("report: ") and Path(lines[-2][8:]).is_file()


def test_headless_config_error_exit_status(tmp_path, capsys):
    path = tmp_path / "amts.toml"
    path.write_text("[backend]\nkind = \"gcp\"\n", encoding="utf-8")
    assert run_headless(path, demo=False, resume=False, out=io.StringIO()) == 2
    assert "backend.kind" in capsys.readouterr().err


async def test_pairs_the_user_excluded_never_reach_a_jobs_parallel_data(tmp_path):
    """Exclusions are data (issue 14): stored per book in the work directory, honoured by the job's
    parallel data in either direction, and counted in the report."""
    from amts.engine.align.book_alignment import align_book
    from amts.engine.book import open_book
    from amts.engine.paralleldata.exclusions import ExclusionStore
    from amts.engine.paralleldata.read import read_parallel_data

    config = load_config(make_config(
        tmp_path, '[[pipelines]]\npairs = ["en-zh", "zh-en"]\nvariant = "act-sentence"\n'))
    book = open_book(config.book.path)
    pairs = [p for p in align_book(book, workdir=config.workdir).pairs("sentence")
             if p.source == "Good data matters more than big models."]
    assert pairs  # an en→zh pair of a training section, so it would be parallel data
    ExclusionStore.for_book(config.workdir, book.root).add(pairs[:1], "en", "zh")

    result = await run_experiment(config)

    assert result.succeeded, [(p.name, p.message) for p in result.failed]
    for pipeline in result.pipelines:
        data = pipeline.parallel_data
        assert data is not None and data.excluded == 1
        written = read_parallel_data(Path(data.path)).pairs
        assert len(written) == data.written
        sides = {p.source for p in written} | {p.target for p in written}
        assert pairs[0].source not in sides and pairs[0].target not in sides
    report = Path(result.report_markdown).read_text(encoding="utf-8")
    assert "| Excluded |" in report
