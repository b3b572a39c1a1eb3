"""Sync as a patch (issue 11), on real d2l text: every byte the source did not change stays.

Each test builds a one-section book from a real d2l-zh pair (NAME_origin.md, NAME.md) and an
upstream made from NAME_origin.md with one kind of change, then checks the new NAME.md against
the old one with exactly that change.
"""

from __future__ import annotations

import asyncio
import difflib
import json
import re
import shutil
from pathlib import Path

import pytest

from amts.engine.markup.markdown import BlockKind, parse_markdown
from amts.engine.sync import (
    DEFAULT_REVIEW_MARKER,
    UnitAction,
    UnitStatus,
    apply_sync,
    plan_sync,
    render_section,
    sync_diff,
)

CJK = re.compile(r"[\u4e00-\u9fff]")


async def refusing_translator(texts: list[str], source_lang: str, target_lang: str) -> list[str]:
    raise AssertionError(f"nothing should be machine-translated, got {texts!r}")


async def bracketing_translator(texts: list[str], source_lang: str, target_lang: str) -> list[str]:
    return [f"MT[{text}]" for text in texts]


def one_section(tmp_path: Path, d2l_zh: Path, origin: str, target: str, upstream: str,
                name: str = "chapter_x/sec") -> tuple[Path, Path]:
    """A book holding one section (origin, target) and an upstream holding `upstream`."""
    book, up = tmp_path / "book", tmp_path / "upstream"
    (book / name).parent.mkdir(parents=True)
    (up / name).parent.mkdir(parents=True)
    shutil.copy(d2l_zh / "config.ini", book / "config.ini")
    (book / f"{name}_origin.md").write_bytes(origin.encode("utf-8"))
    (book / f"{name}.md").write_bytes(target.encode("utf-8"))
    (up / f"{name}.md").write_bytes(upstream.encode("utf-8"))
    return book, up


def read(d2l_zh: Path, name: str) -> tuple[str, str]:
    return ((d2l_zh / f"{name}_origin.md").read_bytes().decode("utf-8"),
            (d2l_zh / f"{name}.md").read_bytes().decode("utf-8"))


def synced(tmp_path: Path, d2l_zh: Path, origin: str, target: str, upstream: str, translator=refusing_translator):
    book, up = one_section(tmp_path, d2l_zh, origin, target, upstream)
    plan = plan_sync(book, up, jobs=1)
    asyncio.run(apply_sync(plan, translator))
    written = (book / "chapter_x" / "sec.md").read_bytes().decode("utf-8")
    assert (book / "chapter_x" / "sec_origin.md").read_bytes() == upstream.encode("utf-8")
    return plan.sections[0], written


def test_an_image_path_change_keeps_the_translated_caption(tmp_path, d2l_zh):
    origin, target = read(d2l_zh, "chapter_preliminaries/calculus")
    path = "../img/polygon-circle.svg"
    assert origin.count(path) == target.count(path) == 1 and "![用逼近法求圆的面积]" in target
    section, written = synced(tmp_path, d2l_zh, origin, target, origin.replace(path, "../img/circle-v2.svg"))
    assert written == target.replace(path, "../img/circle-v2.svg")
    assert [(u.kind, u.action) for u in section.changed_units] == [("image", UnitAction.MERGE)]


def _commented_code_line(d2l_zh: Path) -> tuple[str, str, str, str]:
    """The first code line of the book under a Chinese comment, the same in both files."""
    for origin_path in sorted(d2l_zh.glob("chapter_*/*_origin.md")):
        if "appendix" in origin_path.parent.name:
            continue
        name = origin_path.relative_to(d2l_zh).as_posix()[: -len("_origin.md")]
        origin, target = read(d2l_zh, name)
        for block in parse_markdown(target).blocks:
            lines = block.raw.splitlines()
            if block.kind != BlockKind.CODE or not lines[0].startswith("```{.python"):
                continue
            for comment, line in zip(lines, lines[1:]):
                if (re.match(r"\s*# *[\u4e00-\u9fff]", comment) and len(line.strip()) > 15
                        and not line.strip().startswith("#") and origin.count(line + "\n") == 1
                        and target.count(line + "\n") == 1):
                    return name, comment, line, origin
    raise AssertionError("no Chinese comment above a code line in the book")


def test_a_code_line_changed_under_a_translated_comment(tmp_path, d2l_zh):
    name, comment, line, origin = _commented_code_line(d2l_zh)
    target = read(d2l_zh, name)[1]
    changed = line + "  # changed upstream"
    section, written = synced(tmp_path, d2l_zh, origin, target, origin.replace(line + "\n", changed + "\n"))
    assert written == target.replace(line + "\n", changed + "\n")
    assert comment + "\n" + changed + "\n" in written  # the translated comment stays above it
    assert section.counts.merged == 1 and not section.counts.conflicts


def test_a_code_line_both_changed_takes_upstreams_line_marked(tmp_path, d2l_zh):
    name, comment, line, origin = _commented_code_line(d2l_zh)
    target = read(d2l_zh, name)[1]
    assert "=" in line
    translators, upstreams = line.replace("=", "=  ", 1), line.replace("=", "=   ", 1)  # both change the code
    upstream = origin.replace(line + "\n", upstreams + "\n")
    section, written = synced(tmp_path, d2l_zh, origin, target.replace(line + "\n", translators + "\n"), upstream)
    assert written.replace(upstreams + "\n", "", 1).count(comment + "\n") == target.count(comment + "\n")
    assert comment + "\n" + upstreams + "\n" in written and translators + "\n" not in written
    (conflict,) = [u for u in section.units if u.action == UnitAction.CONFLICT]
    assert conflict.marker in written and " ".join(translators.split()) in conflict.marker
    assert conflict.translation == translators  # what a Review screen's reject puts back


def _inline_code_span(d2l_zh: Path) -> tuple[str, str]:
    """The first section with a code span in a paragraph, once in the source and once in the
    translation (and nowhere else in either)."""
    for origin_path in sorted(d2l_zh.glob("chapter_preliminaries/*_origin.md")):
        name = origin_path.relative_to(d2l_zh).as_posix()[: -len("_origin.md")]
        origin, target = read(d2l_zh, name)
        for block in parse_markdown(origin).blocks:
            if block.kind == BlockKind.PARAGRAPH:
                for span in re.findall(r"(?<![:`])`[A-Za-z_.()]{3,}`", block.raw):
                    if origin.count(span) == 1 and target.count(span) == 1:
                        return name, span
    raise AssertionError("no code span found once in a section and its translation")


def test_an_inline_code_change_is_applied_to_the_human_sentence(tmp_path, d2l_zh):
    name, span = _inline_code_span(d2l_zh)
    origin, target = read(d2l_zh, name)
    renamed = span[:-1] + "_v2`"
    section, written = synced(tmp_path, d2l_zh, origin, target, origin.replace(span, renamed))
    assert written == target.replace(span, renamed)
    (unit,) = section.changed_units
    assert unit.action == UnitAction.PATCH and f"{span} → {renamed}" in unit.why


def test_a_translator_only_cell_stays_after_the_block_it_follows(tmp_path, d2l_zh):
    origin, target = read(d2l_zh, "chapter_linear-networks/linear-regression-concise")
    paddle = re.findall(r"```\{\.python \.input\}\n#@tab paddle\n.*?```\n", target, re.DOTALL)
    assert paddle and not any("#@tab paddle" in c for c in re.findall(r"```.*?```", origin, re.DOTALL))
    # Upstream adds a cell of another framework right where the translator's first paddle cell sits.
    before_paddle = target[:target.index(paddle[0])].rstrip("\n").rsplit("\n```", 1)[0]
    anchor = before_paddle.rsplit("```{.python .input}", 1)[1]
    cell = "```{.python .input}" + anchor + "\n```\n"
    assert origin.count(cell) == 1
    jax = "```{.python .input}\n#@tab jax\nimport jax\n```\n"
    section, written = synced(tmp_path, d2l_zh, origin, target, origin.replace(cell, cell + "\n" + jax))
    for own in paddle:
        assert own in written
    assert written.index(cell) < written.index(paddle[0]) < written.index(jax)
    assert any("#@tab paddle" in line for line in section.translator_blocks)


def test_a_heading_written_with_a_leading_space_is_matched(tmp_path, d2l_zh):
    origin, target = read(d2l_zh, "chapter_preliminaries/calculus")
    target = " " + target  # ` # 微积分`
    paragraph = next(b for b in parse_markdown(origin).blocks if b.kind == BlockKind.PARAGRAPH)
    first_line = paragraph.raw.splitlines()[0]
    section, written = synced(tmp_path, d2l_zh, origin, target,
                              origin.replace(first_line, first_line + " (reworded upstream)", 1), bracketing_translator)
    assert written.startswith(" # 微积分\n")
    heading = [u for u in section.units if u.kind == "heading"]
    assert [(u.source, u.status) for u in heading][:1] == [("Calculus", UnitStatus.UNCHANGED)]
    assert written.count(DEFAULT_REVIEW_MARKER) == 1  # only the edited sentence


def test_front_matter_follows_upstream_silently(tmp_path, d2l_zh):
    origin, target = read(d2l_zh, "chapter_preface/index")
    assert origin.startswith("---\nsource:") and not target.startswith("---")
    upstream = re.sub(r"commit: \w+", "commit: 0123abc", origin, count=1)
    assert upstream != origin
    section, written = synced(tmp_path, d2l_zh, origin, target, upstream)
    assert written == target and not section.edits
    assert not [u for u in section.units if u.action == UnitAction.TRANSLATE]


def test_a_crlf_translation_stays_crlf(tmp_path, d2l_zh):
    name, comment, line, origin = _commented_code_line(d2l_zh)
    target = read(d2l_zh, name)[1]
    crlf = target.replace("\n", "\r\n")
    paragraph = next(b for b in parse_markdown(origin).blocks if b.kind == BlockKind.PARAGRAPH)
    added = "A sentence new upstream."
    upstream = origin.replace(line + "\n", line + "  # changed\n").replace(
        paragraph.raw, paragraph.raw.rstrip("\n") + "\n" + added + "\n")
    section, written = synced(tmp_path, d2l_zh, origin, crlf, upstream.replace("\n", "\r\n"), bracketing_translator)
    assert "\n" not in written.replace("\r\n", "")  # no bare LF: no mixed line endings
    assert (line + "  # changed\r\n") in written and f"MT[{added}]" in written
    lf_section, lf_written = synced(tmp_path / "lf", d2l_zh, origin, target, upstream, bracketing_translator)
    assert written == lf_written.replace("\n", "\r\n")


def test_the_plan_lists_each_changed_unit_and_the_diff_shows_the_patch(tmp_path, d2l_zh):
    name, span = _inline_code_span(d2l_zh)
    origin, target = read(d2l_zh, name)
    paragraph = [b for b in parse_markdown(origin).blocks if b.kind == BlockKind.PARAGRAPH and span not in b.raw][1]
    first_line = paragraph.raw.splitlines()[0]
    upstream = origin.replace(span, span[:-1] + "_v2`").replace(first_line, first_line + " (reworded upstream)", 1)
    book, up = one_section(tmp_path, d2l_zh, origin, target, upstream)
    plan = plan_sync(book, up, jobs=1)
    data = plan.to_json()
    (section,) = data["sections"]
    actions = {u["action"] for u in section["units"]}
    assert {"patch", "translate"} <= actions
    for unit in section["units"]:
        assert set(unit) >= {"old_source", "source", "old_translation", "action", "why"} and unit["why"]
    assert data["cost"]["variant"] == "act-sync" and data["cost"]["usd_per_million_chars"] == 60.0
    diff = sync_diff(plan)
    assert diff.startswith("--- a/chapter_x/sec.md\n+++ b/chapter_x/sec.md\n")
    assert "-" + next(line for line in target.splitlines() if span in line) in diff
    assert "+++ b/chapter_x/sec_origin.md" in diff
    # The diff is exactly what --write then does.
    after = render_section(plan.sections[0])
    asyncio.run(apply_sync(plan, _echo))
    assert (book / "chapter_x" / "sec.md").read_text(encoding="utf-8") == after


async def _echo(texts: list[str], source_lang: str, target_lang: str) -> list[str]:
    return texts


def _case_texts(case: Path) -> dict[str, str]:
    return {k: (case / f"{k}.md").read_bytes().decode("utf-8") for k in ("en_old", "zh_old", "en_new", "zh_new")}


def test_real_syncs_identity_and_exact_cases(tmp_path, d2l_zh, sync_cases_dir):
    """Upstream = the old source: every case's translation is left byte for byte, nothing sent to
    machine translation. Where the human made only the upstream change, the result is theirs."""
    cases = sorted(d for d in sync_cases_dir.iterdir() if (d / "en_old.md").exists())
    assert len(cases) >= 20
    for k, case in enumerate(cases):
        t = _case_texts(case)
        _, written = synced(tmp_path / f"same{k}", d2l_zh, t["en_old"], t["zh_old"], t["en_old"])
        assert written == t["zh_old"], case.name
    for name in ("ae016c8f-text-preprocessing", "bf0b6c30-batch-norm", "c68292a4-linear-regression-concise"):
        t = _case_texts(sync_cases_dir / name)
        _, written = synced(tmp_path / name, d2l_zh, t["en_old"], t["zh_old"], t["en_new"])
        assert written == t["zh_new"], name


def _diff_size(a: str, b: str) -> int:
    la, lb = a.replace("\r\n", "\n").split("\n"), b.replace("\r\n", "\n").split("\n")
    ops = difflib.SequenceMatcher(None, la, lb, autojunk=False).get_opcodes()
    return sum(i2 - i1 + j2 - j1 for tag, i1, i2, j1, j2 in ops if tag != "equal")


def test_real_syncs_are_never_further_from_the_human_than_doing_nothing(tmp_path, d2l_zh, sync_cases_dir):
    """On each real case, the patched file is at most as many changed lines away from what the
    translator made as the untouched old file is (machine text standing in as the English)."""
    total_tool = total_untouched = 0
    for k, case in enumerate(sorted(d for d in sync_cases_dir.iterdir() if (d / "en_old.md").exists())):
        t = _case_texts(case)
        _, written = synced(tmp_path / f"c{k}", d2l_zh, t["en_old"], t["zh_old"], t["en_new"], _echo)
        tool, untouched = _diff_size(written, t["zh_new"]), _diff_size(t["zh_old"], t["zh_new"])
        assert tool <= untouched, case.name
        total_tool, total_untouched = total_tool + tool, total_untouched + untouched
    assert total_tool < total_untouched


def test_whole_book_with_its_own_sources_as_upstream_changes_nothing(tmp_path, d2l_zh):
    book, upstream = tmp_path / "book", tmp_path / "upstream"
    shutil.copytree(d2l_zh, book, ignore=shutil.ignore_patterns("img", "*.png", "*.svg"))
    for origin in book.rglob("*_origin.md"):
        target = upstream / origin.relative_to(book).with_name(origin.name.replace("_origin.md", ".md"))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(origin, target)
    before = {p: p.read_bytes() for p in book.rglob("*") if p.is_file()}
    plan = plan_sync(book, upstream, workdir=tmp_path / "work")
    assert len(plan.sections) == 135 and all(s.untouched and not s.edits for s in plan.sections)
    result = asyncio.run(apply_sync(plan, refusing_translator))
    assert result.written == () and result.translated_units == 0
    assert {p: p.read_bytes() for p in book.rglob("*") if p.is_file()} == before


@pytest.fixture(scope="module")
def d2l_en_written(tmp_path_factory, d2l_zh, d2l_en, d2l_zh_aligned):
    root = tmp_path_factory.mktemp("d2l-en-sync")
    book = root / "book"
    shutil.copytree(d2l_zh, book, ignore=shutil.ignore_patterns("img", "*.png", "*.svg"))
    # The session's alignment of d2l-zh seeds the work directory's cache (keyed by content).
    plan = plan_sync(book, d2l_en, workdir=d2l_zh_aligned.seed(root / "work"))
    asyncio.run(apply_sync(plan, _echo))
    return plan, book


def test_whole_book_sync_keeps_chinese_in_unchanged_code_and_every_paddle_cell(d2l_en_written):
    plan, book = d2l_en_written
    kept = total = paddle = 0
    for section in plan.sections:
        written = (book / section.path).read_text(encoding="utf-8")
        new_cells = {b.raw for b in parse_markdown(section.upstream_text).blocks if b.kind == BlockKind.CODE}
        old = parse_markdown(section.origin_text)
        from amts.engine.sync.structure import structure_counterparts

        target = parse_markdown(section.target_text)
        lines = set(written.splitlines())
        for i, t in structure_counterparts(old, target).items():
            if old.blocks[i].kind == BlockKind.CODE and old.blocks[i].raw in new_cells:
                for line in target.blocks[t].raw.splitlines():
                    chinese = len(CJK.findall(line))
                    total += chinese
                    kept += chinese if line in lines else 0
        for cell in re.findall(r"```\{\.python \.input\}\n#@tab paddle\n.*?```", section.target_text, re.DOTALL):
            paddle += 1
            assert cell in written, section.path
    assert total > 1000 and kept == total
    assert paddle > 400


def test_whole_book_sync_review_data_is_complete(d2l_en_written):
    plan, book = d2l_en_written
    provenance = json.loads((book / ".amts" / "sync-provenance.json").read_text(encoding="utf-8"))
    assert provenance["version"] == 2
    for section in plan.sections:
        written = (book / section.path).read_text(encoding="utf-8")
        entries = provenance["sections"].get(section.path, {}).get("review", [])
        machine = [u for u in section.units if u.needs_translation]
        conflicts = [u for u in section.units if u.action == UnitAction.CONFLICT]
        assert len(entries) == len(machine) + len(conflicts), section.path
        for entry in entries:
            found = entry["translation"] + entry["marker"] if entry["action"] == "translate" else entry["marker"]
            assert found in written, (section.path, entry["source"][:60])
            line = written.splitlines()[entry["line"] - 1]
            assert entry["marker"][:30] in line or entry["translation"][:30] in line


def test_sync_command_prints_or_writes_the_diff(tmp_path, d2l_zh, capsys):
    from amts.tui.cli import main as cli_main

    name, span = _inline_code_span(d2l_zh)
    origin, target = read(d2l_zh, name)
    book, up = one_section(tmp_path, d2l_zh, origin, target, origin.replace(span, span[:-1] + "_v2`"))
    assert cli_main(["sync", str(book), "--upstream", str(up), "--diff"]) == 0
    out = capsys.readouterr()
    assert out.out.startswith("--- a/chapter_x/sec.md\n") and "workload saved" in out.err
    patch, plan_file = tmp_path / "sync.diff", tmp_path / "plan.json"
    assert cli_main(["sync", str(book), "--upstream", str(up), "--diff", str(patch), "--json", str(plan_file)]) == 0
    assert patch.read_text(encoding="utf-8") == out.out
    units = json.loads(plan_file.read_text(encoding="utf-8"))["sections"][0]["units"]
    assert [u["action"] for u in units] == ["patch"]
    assert (book / "chapter_x" / "sec.md").read_bytes() == target.encode("utf-8")  # a preview writes nothing
    assert cli_main(["sync", str(book), "--upstream", str(up), "--diff", str(book / "chapter_x" / "x.diff")]) == 2
    assert "refusing to write inside the book" in capsys.readouterr().err


def test_a_reworded_english_comment_keeps_its_translation_marked(tmp_path, d2l_zh, sync_cases_dir):
    """85d39034: upstream rewords a comment the translator translated, and adds two code lines
    under it (in two framework cells)."""
    t = _case_texts(sync_cases_dir / "85d39034-batch-norm")
    section, written = synced(tmp_path, d2l_zh, t["en_old"], t["zh_old"], t["en_new"])
    for added in ("            self.gamma.data() = self.gamma.data().copyto(X.ctx)\n",
                  "            self.gamma.data = self.gamma.data.to(X.device)\n"):
        assert added in written and added in t["zh_new"]
    assert written.count("        # 如果 `X` 不在内存上，将 `moving_mean` 和 `moving_var`\n") == 2
    conflicts = [u for u in section.units if u.action == UnitAction.CONFLICT]
    assert len(conflicts) == 2 and all("`gamma` and `beta`" in u.marker for u in conflicts)
    assert all(written.count(u.marker) == 2 for u in conflicts)  # one line after each cell
    assert "self.moving_var = np.ones(shape)" in written  # the translator's own fix stays


def test_an_upstream_fix_reaches_every_cell_of_the_old_source_and_no_translator_cell(
        tmp_path, d2l_zh, sync_cases_dir):
    """65f2035a: the fix lands in the two cells the old source had; the translator's paddle cell
    (which the human also fixed by hand) is the translator's."""
    t = _case_texts(sync_cases_dir / "65f2035a-language-models-and-dataset")
    section, written = synced(tmp_path, d2l_zh, t["en_old"], t["zh_old"], t["en_new"])
    assert written.count("offset = random.randint(0, num_steps - 1)") == 2
    assert written.count("offset = random.randint(0, num_steps)") == 1  # in the paddle cell
    changed = {(a, b) for a, b in zip(written.splitlines(), t["zh_new"].splitlines()) if a != b}
    assert len(changed) == 1 and "num_steps)" in changed.pop()[0]
