"""A U+FFFE (or another character XML cannot carry) in the book does not make a malformed TMX that
fails a whole sub-pipeline: the character is removed, the pair kept, and the run's report says so."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from amts.engine.experiment.config import load_config
from amts.engine.experiment.pipeline import run_experiment

from conftest import make_config

ACT_SENTENCE = '[[pipelines]]\npair = "en-zh"\nvariants = ["act-sentence"]\n'


async def test_xml_invalid_characters_in_the_book_are_removed_and_reported(tmp_path):
    path = make_config(tmp_path, ACT_SENTENCE)
    path.write_text(path.read_text(encoding="utf-8").replace("jobs = 1\n", 'jobs = 1\nformat = "tmx"\n'),
                    encoding="utf-8")
    data = tmp_path / "book" / "chapter_intro" / "data_origin.md"
    data.write_text(data.read_text(encoding="utf-8").replace("Good data", "Good\ufffe data"), encoding="utf-8")
    target = data.with_name("data.md")
    target.write_text(target.read_text(encoding="utf-8").replace("好的数据", "好的\x0b数据"), encoding="utf-8")

    result = await run_experiment(load_config(path))
    [pipeline] = result.pipelines
    assert pipeline.succeeded, pipeline.message
    figures = pipeline.parallel_data
    assert figures is not None and figures.imported == figures.written and figures.failed == 0
    tmx = ET.parse(figures.path)  # well-formed
    segments = [seg.text or "" for seg in tmx.iter("seg")]
    assert "Good data matters more than big models." in segments
    assert not any("\ufffe" in s or "\x0b" in s for s in segments)
    warning = next(w for w in pipeline.warnings if "XML-invalid" in w)
    assert warning.startswith(f"{figures.path}: ") and "such as U+FFFE" in warning
