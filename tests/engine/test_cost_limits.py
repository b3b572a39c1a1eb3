"""The budget: the sync plan prices what `--write` runs (one ACT batch job, at the ACT rate), and
every billed path (`sync --write`, `--auto`, the engine's apply the UI uses) refuses an estimate
over `max_cost_usd` / `--max-cost` before any call, saying the estimate, the limit and how to raise
it."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from amts.engine.act.state import StateStore
from amts.engine.act.sync_translation import BatchJobTranslator, apply_with_local_backend, batch_documents
from amts.engine.cost import ACT_USD_PER_MILLION_CHARS, CostLimitError, billable_characters
from amts.engine.sync import apply_sync, plan_sync
from amts.tui.cli import main as cli_main
from amts.tui.exit_status import ExitStatus
from amts.tui.headless import run_headless

from conftest import make_config


@pytest.fixture
def sync_plan(tmp_path, sample_book):
    book = tmp_path / "book"
    shutil.copytree(sample_book / "zh", book)
    return plan_sync(book, sample_book / "en-upstream", jobs=1)


def _book_files(book: Path) -> dict[str, bytes]:
    return {p.relative_to(book).as_posix(): p.read_bytes() for p in sorted(book.rglob("*.md"))}


async def test_the_sync_plan_prices_the_act_batch_job_write_runs(sync_plan):
    plan = sync_plan
    assert plan.characters_to_translate > 0
    assert (plan.cost.variant, plan.cost.usd_per_million_chars) == ("act-sync", ACT_USD_PER_MILLION_CHARS)
    assert plan.cost.usd == pytest.approx(plan.characters_to_translate * ACT_USD_PER_MILLION_CHARS / 1e6)
    sent: list[str] = []

    async def record(texts: list[str], source_lang: str, target_lang: str) -> list[str]:
        sent.extend(texts)
        return texts

    await apply_sync(plan, record)  # the units --write hands to the batch job
    documents = batch_documents(sent)
    billed = sum(billable_characters(d, "text/html") for d in documents)
    # The plan counts the units' text; the job's documents add only the line breaks between units
    # (the translator checks that exact bill again before its first call).
    assert 0 <= billed - plan.characters_to_translate <= len(sent) + len(documents)


def test_the_engine_apply_refuses_over_the_limit_before_anything(sync_plan, tmp_path):
    before = _book_files(sync_plan.book_root)
    with pytest.raises(CostLimitError) as error:
        apply_with_local_backend(sync_plan, tmp_path / "work", max_cost_usd=0.001)
    message = str(error.value)
    assert f"would cost an estimated ${sync_plan.cost.usd:.2f}" in message
    assert "over the limit of $0.00: raise it with --max-cost USD or limits.max_cost_usd" in message
    assert _book_files(sync_plan.book_root) == before
    assert not (tmp_path / "work").exists()  # no backend started, no job recorded
    assert f"this sync ({sync_plan.characters_to_translate} characters at $60 per million)" in message
    with pytest.raises(CostLimitError) as error:  # the realtime path: TranslateText, the standard rate
        apply_with_local_backend(sync_plan, tmp_path / "work", realtime=True, max_cost_usd=0.001)
    assert f"({sync_plan.characters_to_translate} characters at $15 per million)" in str(error.value)


async def test_the_batch_translator_checks_its_exact_bill_before_any_call(sync_plan, tmp_path):
    translator = BatchJobTranslator(None, sync_plan.book_root, tmp_path / "work",  # type: ignore[arg-type]
                                    max_cost_usd=0.0)  # no service: a call would fail otherwise
    with pytest.raises(CostLimitError, match=r"the sync's batch job \(\d+ characters at \$60 per million\)"):
        await translator(["<p>Tensors are arrays.</p>"], "en", "zh")


def test_sync_write_max_cost_flag(sync_plan, sample_book, tmp_path, capsys):
    book = sync_plan.book_root
    before = _book_files(book)
    args = ["sync", str(book), "--upstream", str(sample_book / "en-upstream"), "--workdir", str(tmp_path / "w"),
            "--jobs", "1", "--write"]
    assert cli_main([*args, "--max-cost", "0.001"]) == ExitStatus.USAGE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "over the limit of $0.00: raise it with --max-cost" in err
    assert _book_files(book) == before
    config = tmp_path / "amts.toml"
    config.write_text("[limits]\nmax_cost_usd = 0.0\n", encoding="utf-8")
    assert cli_main([*args, "--config", str(config)]) == ExitStatus.USAGE  # the config's limit
    assert "over the limit of $0.00" in capsys.readouterr().err
    assert cli_main([*args, "--config", str(config), "--max-cost", "5"]) == ExitStatus.OK  # the flag wins
    assert _book_files(book) != before


def test_auto_max_cost_flag_refuses_before_any_call(tmp_path, capsys):
    config = make_config(tmp_path)
    code = run_headless(config, demo=False, resume=False, out=io.StringIO(), force_plain=True, max_cost_usd=0.0)
    assert code == ExitStatus.USAGE
    err = capsys.readouterr().err
    assert "would cost an estimated $" in err and "over the limit of $0.00" in err and "--max-cost" in err
    workdir = tmp_path / "work"
    assert not (workdir / "local-s3").exists()  # the local service never started
    latest = StateStore(workdir).latest_run()
    assert latest is not None and latest.status == "refused"
    assert cli_main(["--auto", "--config", str(config), "--max-cost", "-1"]) == ExitStatus.USAGE
    assert "--max-cost must be a number of US dollars" in capsys.readouterr().err
