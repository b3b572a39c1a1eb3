"""Shared fixtures: where the real d2l data lives (skipped cleanly when ../shared is absent), the
whole d2l-zh book aligned once per session (its cache seeds other work directories), the demo run
once per session, and the builders of a tiny book and config."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from amts.engine import events as ev
from amts.engine.align.book_alignment import AlignmentCache, BookAlignment, align_book
from amts.engine.book import open_book
from amts.engine.experiment.report import ExperimentResult

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("AMTS_SHARED", REPO.parent / "shared"))
SAMPLE_DATA = REPO / "sample_data"


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is absent: the real d2l data lives in ../shared beside the checkout")
    return path


@pytest.fixture(scope="session")
def d2l_zh() -> Path:
    """The translated book (d2lbook layout: NAME_origin.md beside NAME.md)."""
    return _need(SHARED / "d2l" / "d2l-zh")


@pytest.fixture(scope="session")
def d2l_en() -> Path:
    """The newer English book (upstream for sync)."""
    return _need(SHARED / "d2l" / "d2l-en")


@pytest.fixture(scope="session")
def sync_cases_dir() -> Path:
    """Real syncs from the d2l-zh history (en_old, zh_old, en_new, zh_new per case)."""
    return _need(SHARED / "sync-cases")


@pytest.fixture(scope="session")
def gold_dir() -> Path:
    return _need(SHARED / "gold")


@pytest.fixture(scope="session")
def score_tool() -> Path:
    return _need(SHARED / "tools" / "score_alignment.py")


@pytest.fixture(scope="session")
def sample_book() -> Path:
    return SAMPLE_DATA


@dataclass(frozen=True)
class AlignedBook:
    """A book aligned once, and the work directory whose alignment cache holds it."""

    alignment: BookAlignment
    workdir: Path

    def seed(self, workdir: Path) -> Path:
        """`workdir` with this alignment in its cache (keyed by content: any copy of the book hits)."""
        shutil.copytree(AlignmentCache(self.workdir).root, AlignmentCache(workdir).root, dirs_exist_ok=True)
        return workdir


@pytest.fixture(scope="session")
def d2l_zh_aligned(tmp_path_factory, d2l_zh) -> AlignedBook:
    """The whole d2l-zh book aligned once for the session; tests that align it again seed their
    work directory with its cache instead of aligning 135 sections each."""
    workdir = tmp_path_factory.mktemp("d2l-zh-aligned")
    return AlignedBook(align_book(open_book(d2l_zh), workdir=workdir), workdir)


@dataclass(frozen=True)
class DemoRun:
    """`amts-tui --demo --auto`, run once: exit status, printed log, every event, the result."""

    status: int
    log: str
    events: tuple[ev.Event, ...]
    result: ExperimentResult
    workdir: Path


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> DemoRun:
    """The demo experiment run headless once per session (the e2e test checks it, the UI tests
    show its events and result instead of running it again)."""
    from amts.tui.headless import run_headless

    workdir = tmp_path_factory.mktemp("demo-run") / "work"
    events: list[ev.Event] = []
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AMTS_WORKDIR", str(workdir))
        status = run_headless(None, demo=True, resume=False, out=out, force_plain=True, listener=events.append)
    log = out.getvalue()
    found = re.search(r"^report \(JSON\): (.+)$", log, re.M)
    assert found, log[-2000:]
    result = ExperimentResult.from_dict(json.loads(Path(found.group(1)).read_text(encoding="utf-8")))
    return DemoRun(status, log, tuple(events), result, workdir)


@pytest.fixture(scope="module")
def moto_endpoint():
    """moto's S3 server alone, on a free port of 127.0.0.1 (for the S3 layer's own tests)."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


# --- builders shared by engine and end-to-end tests -----------------------------------------------

# A tiny en→zh book of our own text. Some sentences recur across sections, so a memory built
# from the training sections covers part of the held-out ones (bleu, models) and not the rest.
SECTIONS = {
    "chapter_intro/overview": (
        "# Overview\n:label:`sec_overview`\n\nThis book teaches machine translation.\n"
        "Each chapter builds on the previous one.\n\nWe use `numpy` for arrays and $x_i$ for inputs.\n\n"
        "```{.python .input}\nimport numpy as np\n```\n\n"
        "Translation memories store pairs of sentences.\nThey help translators work faster.\n",
        "# 概述\n:label:`sec_overview`\n\n本书讲授机器翻译。\n每一章都建立在前一章之上。\n\n"
        "我们使用`numpy`处理数组，用$x_i$表示输入。\n\n```{.python .input}\nimport numpy as np\n```\n\n"
        "翻译记忆库存储句子对。\n它们帮助译者更快地工作。\n"),
    "chapter_intro/data": (
        "# Data\n\nParallel data pairs a sentence with its translation.\n"
        "Good data matters more than big models.\n\nTranslation memories store pairs of sentences.\n\n"
        "## Cleaning\n\nRemove empty lines before training.\nCheck every file for errors.\n",
        "# 数据\n\n平行数据将句子与其译文配对。\n好的数据比大模型更重要。\n\n翻译记忆库存储句子对。\n\n"
        "## 清洗\n\n训练前删除空行。\n检查每个文件是否有错误。\n"),
    "chapter_intro/models": (
        "# Models\n\nA model maps a sentence to its translation.\nEach chapter builds on the previous one.\n\n"
        "Good data matters more than big models.\nWe evaluate models with BLEU.\n",
        "# 模型\n\n模型将句子映射到其译文。\n每一章都建立在前一章之上。\n\n"
        "好的数据比大模型更重要。\n我们用BLEU评估模型。\n"),
    "chapter_eval/bleu": (
        "# BLEU\n\nWe evaluate models with BLEU.\nBLEU counts matching n-grams.\n\n"
        "Check every file for errors.\nA higher score is better.\n",
        "# BLEU\n\n我们用BLEU评估模型。\nBLEU统计匹配的n元语法。\n\n检查每个文件是否有错误。\n分数越高越好。\n"),
    "chapter_eval/chrf": (
        "# chrF\n\nchrF compares character n-grams.\nIt suits languages without spaces.\n\n"
        "A higher score is better.\nRemove empty lines before training.\n",
        "# chrF\n\nchrF比较字符n元语法。\n它适合没有空格的语言。\n\n分数越高越好。\n训练前删除空行。\n"),
}
HELD_OUT_ONLY_SENTENCE = "BLEU counts matching n-grams."


def write_book(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "config.ini").write_text("[project]\nlang = zh\n\n[translation]\norigin_lang = en\n",
                                     encoding="utf-8")
    (root / "TERMINOLOGY.md").write_text("## 英汉术语对照\n\n模型，model\n\n数据，data\n",
                                         encoding="utf-8")
    for name, (en, zh) in SECTIONS.items():
        path = root / f"{name}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(zh, encoding="utf-8")
        (root / f"{name}_origin.md").write_text(en, encoding="utf-8")
    return root


def make_config(tmp_path: Path, extra: str = "", job_seconds: float = 0.02) -> Path:
    write_book(tmp_path / "book")
    path = tmp_path / "amts.toml"
    path.write_text(f"""workdir = "work"
[book]
path = "book"
[evaluation]
articles = ["bleu", "chapter_intro/models.md"]
[backend]
poll_seconds = 0.05
max_poll_seconds = 0.2
local_job_seconds = {job_seconds}
[align]
jobs = 1
{extra}""", encoding="utf-8")
    return path


@pytest.fixture
def settings(tmp_path, monkeypatch):
    """Dashboard settings persisted under tmp_path (AMTS_CONFIG_DIR and AMTS_WORKDIR there too)."""
    from dashboard_support import tmp_settings  # tests/tui: the dashboard's own helpers

    return tmp_settings(tmp_path, monkeypatch)
