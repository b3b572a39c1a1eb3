"""The experiment config: defaults for everything, and errors that name the key, file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from amts.engine.errors import AmtsError
from amts.engine.experiment.config import (
    VARIANTS,
    ExperimentConfig,
    PipelineSpec,
    demo_config,
    load_config,
    parse_config,
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "amts.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str) -> AmtsError:
    path = write(tmp_path, text)
    with pytest.raises(AmtsError) as info:
        load_config(path)
    assert info.value.path == str(path)
    return info.value


def test_empty_file_gives_every_default(tmp_path, monkeypatch):
    monkeypatch.delenv("AMTS_WORKDIR", raising=False)
    config = load_config(write(tmp_path, ""))
    assert config.backend.kind == "local"
    assert config.evaluation.include_held_out_in_data is False
    assert config.limits.max_cost_usd == 100.0
    assert config.align.min_confidence == 0.5 and config.align.format == "csv"
    assert config.workdir == tmp_path / ".amts"
    # No pipelines configured: both directions of the book, every variant.
    specs = config.resolve_pipelines("en", "zh")
    assert [s.name for s in specs] == [f"{a}/{v}" for a in ("en-zh", "zh-en") for v in VARIANTS]


def test_full_config_is_read_and_paths_are_relative_to_the_file(tmp_path):
    config = load_config(write(tmp_path, """
workdir = "work"
[book]
path = "../d2l-zh"
[[pipelines]]
pair = "en-zh"
variants = ["act-sentence", "no-act"]
[[pipelines]]
source_lang = "zh"
target_lang = "en"
variant = "act-paragraph"
[evaluation]
articles = ["bert-dataset", "chapter_x/approx-training.md"]
include_held_out_in_data = true
[backend]
kind = "aws"
region = "eu-west-1"
bucket = "my-bucket"
role_arn = "arn:aws:iam::1:role/T"
[limits]
max_cost_usd = 5
[align]
min_confidence = 0.8
format = "tsv"
[keymap]
quit = "ctrl+q"
"""))
    assert config.workdir == tmp_path / "work"
    assert config.book.path == (tmp_path / "../d2l-zh").resolve()
    assert config.pipelines == (PipelineSpec("en", "zh", "act-sentence"), PipelineSpec("en", "zh", "no-act"),
                                PipelineSpec("zh", "en", "act-paragraph"))
    assert config.evaluation.articles == ("bert-dataset", "chapter_x/approx-training.md")
    assert config.evaluation.include_held_out_in_data is True
    assert (config.backend.kind, config.backend.service.region, config.backend.service.bucket) == \
        ("aws", "eu-west-1", "my-bucket")
    assert config.limits.max_cost_usd == 5.0
    assert (config.align.min_confidence, config.align.format) == (0.8, "tsv")
    assert config.keymap == {"quit": "ctrl+q"}
    assert config.source_file == tmp_path / "amts.toml"


def test_compact_pipelines_table():
    config = parse_config('pipelines = { pairs = ["en-zh", "zh-en"], variants = ["no-act"] }\n')
    assert [s.name for s in config.pipelines] == ["en-zh/no-act", "zh-en/no-act"]


def test_unknown_key_names_key_file_and_line(tmp_path):
    err = error_of(tmp_path, "[backend]\nkind = \"local\"\nbukcet = \"x\"\n")
    assert "backend.bukcet" in err.message and err.line == 3


def test_unknown_table_is_an_error(tmp_path):
    err = error_of(tmp_path, "[book]\npath = \"x\"\n\n[evalution]\narticles = []\n")
    assert "evalution" in err.message and err.line == 4


@pytest.mark.parametrize("text, key, line", [
    ('[backend]\nkind = "gcp"\n', "backend.kind", 2),
    ('[limits]\nmax_cost_usd = true\n', "limits.max_cost_usd", 2),
    ('[limits]\nmax_cost_usd = -1\n', "limits.max_cost_usd", 2),
    ('[align]\nmin_confidence = 1.5\n', "align.min_confidence", 2),
    ('[align]\nformat = "xlsx"\n', "align.format", 2),
    ('[book]\nsource_lang = "English"\n', "book.source_lang", 2),
    ('[evaluation]\narticles = "bert"\n', "evaluation.articles", 2),
    ('[evaluation]\narticles = ["a", "a"]\n', "evaluation.articles", 2),
    ('[[pipelines]]\npair = "en-zh"\n[[pipelines]]\npair = "zh-en"\nvariants = ["act-words"]\n',
     "pipelines[1].variants", 5),
    ('[[pipelines]]\npair = "english"\n', "pipelines[0].pairs", None),
    ('[backend]\nbucket = "Not_A_Bucket"\n', "backend.bucket", 2),
    ('[backend]\ntranslate_endpoint_url = "localhost:9"\n', "backend.translate_endpoint_url", 2),
    # nan passes every comparison: as a cost limit it would turn the guard off.
    ('[limits]\nmax_cost_usd = nan\n', "limits.max_cost_usd", 2),
    ('[backend]\npoll_seconds = nan\n', "backend.poll_seconds", 2),
    ('[align]\nmin_confidence = nan\n', "align.min_confidence", 2),
    ('[backend]\nmax_poll_seconds = inf\n', "backend.max_poll_seconds", 2),
    ('[align]\njobs = 1.5\n', "align.jobs", 2),
    ('\n\nworkdir = ""\n', "workdir", 3),
])
def test_bad_values_name_the_key(tmp_path, text, key, line):
    err = error_of(tmp_path, text)
    assert err.message.startswith(key), err.message
    if line is not None:
        assert err.line == line


def test_book_trees_need_languages(tmp_path):
    err = error_of(tmp_path, '[book]\nsource = "en"\ntarget = "zh"\n')
    assert "source_lang" in err.message


def test_invalid_toml_names_the_line(tmp_path):
    err = error_of(tmp_path, "[book]\npath = \n")
    assert "not valid TOML" in err.message and err.line == 2


def test_workdir_environment_override(tmp_path, monkeypatch):
    monkeypatch.setenv("AMTS_WORKDIR", str(tmp_path / "elsewhere"))
    assert parse_config("").workdir == tmp_path / "elsewhere"
    assert parse_config('workdir = "/abs/w"\n').workdir == Path("/abs/w")


def test_demo_config_on_sample_data(sample_book, tmp_path):
    if not (sample_book / "zh" / "config.ini").is_file():
        pytest.skip("sample_data/zh is not written yet")
    config = demo_config(sample_book, workdir=tmp_path)
    assert isinstance(config, ExperimentConfig)
    assert config.backend.kind == "local" and config.workdir == tmp_path
    assert config.evaluation.articles, "the demo holds some articles out"
    for article in config.evaluation.articles:
        stem = article.removesuffix(".md")
        assert (config.book.path / f"{stem}_origin.md").is_file() or any(
            config.book.path.rglob(f"{Path(stem).name}_origin.md"))


def test_a_config_that_is_not_utf8_names_the_line(tmp_path):
    path = tmp_path / "amts.toml"
    path.write_bytes(b'[book]\n# caf\xe9\npath = "x"\n')
    with pytest.raises(AmtsError) as info:
        load_config(path)
    assert "UTF-8" in info.value.message and info.value.line == 2 and info.value.path == str(path)


def test_a_held_out_article_that_matches_nothing_names_the_config_line(tmp_path):
    from amts.engine.book import open_book
    from amts.engine.experiment.pipeline import select_held_out

    from conftest import write_book

    book = write_book(tmp_path / "book")
    path = write(tmp_path, '[book]\npath = "book"\n\n[evaluation]\narticles = ["no-such-article"]\n')
    config = load_config(path)
    with pytest.raises(AmtsError) as info:
        select_held_out(open_book(book), config.evaluation.articles, config.source_file)
    assert "no-such-article" in info.value.message and info.value.line == 5


async def test_a_missing_book_folder_names_the_config_key_and_line(tmp_path):
    from amts.engine.experiment.pipeline import run_experiment

    path = write(tmp_path, '[evaluation]\narticles = ["a"]\n\n[book]\npath = "no-such-book"\n')
    with pytest.raises(AmtsError) as info:
        await run_experiment(load_config(path))
    assert info.value.message.startswith("book.path: folder not found")
    assert (info.value.path, info.value.line) == (str(path), 5)
