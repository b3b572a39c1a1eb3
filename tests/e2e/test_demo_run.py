"""The demo end to end, headless: `amts-tui --demo --auto` on sample_data with the local backend.

sample_data repeats some text across sections as real textbooks do (README.md there), so the local
translation memory covers part of the held-out articles: the ACT variants must beat the no-ACT
baseline, sentence-level data must cover more than paragraph-level data, and most of the text
must stay untranslated (the memory never invents a translation). The run is the session's one
demo run (conftest.demo_run); the UI tests show the same run.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from amts.engine import events as ev
from amts.tui.exit_status import ExitStatus


def test_demo_runs_headless_and_act_beats_the_baseline(demo_run):
    log = demo_run.log
    assert demo_run.status == ExitStatus.OK, log[-2000:]
    report_md = Path(re.search(r"^report: (.+)$", log, re.M).group(1))
    report_json = Path(re.search(r"^report \(JSON\): (.+)$", log, re.M).group(1))
    assert report_md.is_file() and report_json.is_file()
    assert report_md.is_relative_to(demo_run.workdir) and report_json.is_relative_to(demo_run.workdir)
    assert isinstance(demo_run.events[-1], ev.RunFinished) and demo_run.events[-1].succeeded

    report = json.loads(report_json.read_text("utf-8"))
    assert report["succeeded"] is True
    assert report["held_out"] and report["include_held_out_in_data"] is False
    by_name = {p["name"]: p for p in report["pipelines"]}
    assert set(by_name) == {f"{pair}/{variant}" for pair in ("en-zh", "zh-en")
                            for variant in ("no-act", "act-paragraph", "act-sentence")}

    no_act, paragraph, sentence = (by_name[f"en-zh/{v}"] for v in ("no-act", "act-paragraph", "act-sentence"))
    assert sentence["bleu"] > no_act["bleu"]
    assert sentence["bleu"] > paragraph["bleu"] > no_act["bleu"]
    # The memory covers a minority of the held-out sentences, sentence pairs more than paragraphs.
    for pair in ("en-zh", "zh-en"):
        para, sent = by_name[f"{pair}/act-paragraph"], by_name[f"{pair}/act-sentence"]
        assert 0 < para["translated_segments"] < sent["translated_segments"]
        assert sent["translated_segments"] < sent["untranslated_segments"]
    # The report reads back into the result it was written from (the UI tests show that result).
    assert json.loads(json.dumps(demo_run.result.to_dict())) == {k: v for k, v in report.items()
                                                                 if k != "held_out_policy"}
