"""`--resume` continues a run only with the config it started with: the run state keeps a digest of
the config, and a changed config is refused with a message saying so and how to start fresh."""

from __future__ import annotations

import asyncio

import pytest

from amts.engine.act.state import StateStore
from amts.engine.errors import AmtsError
from amts.engine.experiment.config import load_config
from amts.engine.experiment.pipeline import config_digest, run_experiment
from amts.tui.cli import main as cli_main
from amts.tui.exit_status import ExitStatus

from conftest import make_config

NO_ACT = '[[pipelines]]\npair = "en-zh"\nvariants = ["no-act"]\n'


async def test_resume_with_a_changed_config_is_refused(tmp_path, capsys):
    path = make_config(tmp_path, NO_ACT)
    first = await run_experiment(load_config(path))
    assert first.succeeded and not first.resumed
    recorded = StateStore(tmp_path / "work").latest_run()
    assert recorded is not None and recorded.config_digest == config_digest(load_config(path))

    again = await run_experiment(load_config(path), resume=True)  # the same config: resumed
    assert (again.resumed, again.run_id) == (True, first.run_id)

    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace("[align]\n", "[align]\nmin_confidence = 0.8\n"), encoding="utf-8")
    with pytest.raises(AmtsError) as error:
        await run_experiment(load_config(path), resume=True)
    assert error.value.path == str(path)
    assert error.value.message == (f"cannot resume run {first.run_id}: the config changed since that run "
                                   "started. Run without --resume to start a fresh run with this config, "
                                   "or restore the config the run started with")
    status = await asyncio.to_thread(cli_main, ["--auto", "--config", str(path), "--resume"])
    assert status == ExitStatus.USAGE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "the config changed since that run started" in err

    fresh = await run_experiment(load_config(path))  # without --resume: a new run
    assert fresh.succeeded and fresh.run_id != first.run_id


async def test_raising_the_cost_limit_is_not_a_config_change(tmp_path):
    path = make_config(tmp_path, NO_ACT + "[limits]\nmax_cost_usd = 0.0\n")
    with pytest.raises(AmtsError, match="over the limit"):
        await run_experiment(load_config(path))
    path.write_text(path.read_text(encoding="utf-8").replace("max_cost_usd = 0.0", "max_cost_usd = 10.0"),
                    encoding="utf-8")
    resumed = await run_experiment(load_config(path), resume=True)
    assert resumed.resumed and resumed.succeeded
