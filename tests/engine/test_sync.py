"""Sync (issue 5): plan the three-way merge, apply it, and find nothing to do the second time."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from pathlib import Path

import pytest

from amts.engine.act.sync_translation import apply_with_local_backend
from amts.engine.markup.markdown import protected_spans
from amts.engine.sync import DEFAULT_REVIEW_MARKER, TextOrigin, UnitStatus, apply_sync, plan_sync
from amts.tui.cli import main as cli_main

CONFIG = "[project]\nname = t\nlang = {lang}\n\n[translation]\norigin_lang = en\n"
TOPICS = ["rivers", "mountains", "forests", "deserts"]


async def fake_translator(texts: list[str], source_lang: str, target_lang: str) -> list[str]:
    return [f"MT[{text}]" for text in texts]


async def refusing_translator(texts: list[str], source_lang: str, target_lang: str) -> list[str]:
    raise AssertionError(f"nothing should be machine-translated, got {texts!r}")


def _write_book(root: Path, lang: str, pairs: dict[str, tuple[str, str]]) -> None:
    root.mkdir(parents=True)
    (root / "config.ini").write_text(CONFIG.format(lang=lang), encoding="utf-8")
    for rel, (origin, translation) in pairs.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.with_name(path.stem + "_origin.md").write_text(origin, encoding="utf-8")
        path.write_text(translation, encoding="utf-8")


def _synthetic_sentences() -> tuple[list[list[str]], list[list[str]]]:
    english, spanish = [], []
    for p, topic in enumerate(TOPICS):
        english.append([f"Sentence {p * 4 + k} is about {topic} and counts {p * 40 + k * 7} apples."
                        for k in range(4)])
        spanish.append([f"La frase {p * 4 + k} habla de {topic} y cuenta {p * 40 + k * 7} manzanas."
                        for k in range(4)])
    return english, spanish


def _document(paragraphs: list[list[str]]) -> str:
    return "# Title\n\n" + "\n\n".join("\n".join(p) for p in paragraphs) + "\n"


def test_untouched_sentences_are_reused_and_every_edited_one_is_flagged(tmp_path):
    english, spanish = _synthetic_sentences()
    translation = {"Sentence " + s.split()[1]: t for p, q in zip(english, spanish) for s, t in zip(p, q)}
    _write_book(tmp_path / "book", "es", {"ch/sec.md": (_document(english), _document(spanish).replace(
        "# Title", "# Título"))})
    edited = {(0, 1), (1, 3), (2, 0), (3, 2)}
    upstream = [[s.replace("apples.", "green apples today.") if (p, k) in edited else s
                 for k, s in enumerate(paragraph)] for p, paragraph in enumerate(english)]
    (tmp_path / "up" / "ch").mkdir(parents=True)
    (tmp_path / "up" / "ch" / "sec.md").write_text(_document(upstream), encoding="utf-8")

    plan = plan_sync(tmp_path / "book", tmp_path / "up", jobs=1)
    (section,) = plan.sections
    by_status = {status: [u for u in section.units if u.status == status] for status in UnitStatus}
    touched = {upstream[p][k] for p, k in edited}
    untouched = {s for p in upstream for s in p} - touched
    reused = {u.source for u in by_status[UnitStatus.UNCHANGED] if u.kind == "sentence"}
    assert reused == untouched
    assert {u.source for u in by_status[UnitStatus.EDITED]} == touched
    assert not by_status[UnitStatus.NEW] and not by_status[UnitStatus.DELETED]
    for unit in by_status[UnitStatus.EDITED]:
        assert unit.translation == translation["Sentence " + unit.source.split()[1]]  # the suggestion
        assert unit.origin == TextOrigin.MACHINE and unit.score >= 60
    assert all(u.origin == TextOrigin.HUMAN for u in by_status[UnitStatus.UNCHANGED])
    assert plan.characters_to_translate == sum(len(s) for s in touched)

    result = asyncio.run(apply_sync(plan, fake_translator))
    written = (tmp_path / "book" / "ch" / "sec.md").read_text(encoding="utf-8")
    assert "ch/sec.md" in result.written
    assert written.count(DEFAULT_REVIEW_MARKER) == len(touched)
    assert "# Título" in written
    for sentence in untouched:
        assert translation["Sentence " + sentence.split()[1]] in written
    for sentence in touched:
        assert f"MT[{sentence}]{DEFAULT_REVIEW_MARKER}<!-- amts: previous translation: " \
               f"{translation['Sentence ' + sentence.split()[1]]} -->" in written
    assert (tmp_path / "book" / "ch" / "sec_origin.md").read_text(encoding="utf-8") == _document(upstream)

    again = plan_sync(tmp_path / "book", tmp_path / "up", jobs=1)
    assert not again.has_work and again.characters_to_translate == 0
    assert again.counts.awaiting_review == len(touched)


def _synced_pair(tmp_path: Path) -> tuple[Path, Path, set[str], dict[str, str]]:
    """Two synthetic sections synced once with the fake translator: book, upstream, the machine-
    translated sentences of ch/a.md, and each source sentence's human translation."""
    english, spanish = _synthetic_sentences()
    translation = {s: t for p, q in zip(english, spanish) for s, t in zip(p, q)}
    pair = (_document(english), _document(spanish).replace("# Title", "# Título"))
    _write_book(tmp_path / "book", "es", {"ch/a.md": pair, "ch/b.md": pair})
    edited = {(0, 1), (2, 3)}
    upstream_a = [[s.replace("apples.", "green apples today.") if (p, k) in edited else s
                   for k, s in enumerate(paragraph)] for p, paragraph in enumerate(english)]
    upstream = tmp_path / "up"
    (upstream / "ch").mkdir(parents=True)
    (upstream / "ch" / "a.md").write_text(_document(upstream_a), encoding="utf-8")
    (upstream / "ch" / "b.md").write_text(_document(english), encoding="utf-8")
    asyncio.run(apply_sync(plan_sync(tmp_path / "book", upstream, jobs=1), fake_translator))
    return tmp_path / "book", upstream, {upstream_a[p][k] for p, k in edited}, translation


def test_a_synced_section_is_left_alone_until_upstream_moves_again(tmp_path, monkeypatch):
    import amts.engine.sync.prepare

    book, upstream, machine, _ = _synced_pair(tmp_path)
    real_map = amts.engine.sync.prepare.map_translation
    aligned: list[str] = []

    def recording_map(old_text, target_text, source_lang, target_lang, path="", alignment=None):
        aligned.append(path)
        return real_map(old_text, target_text, source_lang, target_lang, path, alignment)

    monkeypatch.setattr(amts.engine.sync.prepare, "map_translation", recording_map)
    again = plan_sync(book, upstream, jobs=1)
    assert aligned == []  # NAME_origin.md is upstream in both sections: nothing is aligned
    assert not again.has_work and all(s.untouched and not s.edits for s in again.sections)
    a, b = again.sections
    assert {u.source for u in a.units if u.origin == TextOrigin.MACHINE} == machine
    assert a.counts.awaiting_review == len(machine) and b.counts.awaiting_review == 0
    assert b.words_reused == b.words > 0 and a.words_reused == a.words - sum(
        u.words for u in a.units if u.source in machine)
    assert asyncio.run(apply_sync(again, refusing_translator)).written == ()

    # Upstream moves again in ch/b.md: only it is aligned and patched; ch/a.md stays as it is.
    moved = (upstream / "ch" / "b.md").read_text(encoding="utf-8").replace(
        "Sentence 5 is about mountains and counts 47 apples.", "Sentence 5 is about mountains and counts 47 pears.")
    (upstream / "ch" / "b.md").write_text(moved, encoding="utf-8")
    third = plan_sync(book, upstream, jobs=1)
    assert aligned == ["ch/b.md"]
    a, b = third.sections
    assert a.untouched and not a.edits and a.counts.awaiting_review == len(machine)
    assert (b.edited, b.new, b.deleted) == (1, 0, 0)
    assert [u.source for u in b.units if u.status == UnitStatus.EDITED] == [
        "Sentence 5 is about mountains and counts 47 pears."]


def test_a_reviewed_unit_counts_as_human(tmp_path):
    book, upstream, machine, translation = _synced_pair(tmp_path)
    path = book / "ch" / "a.md"
    written = path.read_text(encoding="utf-8")
    reviewed = sorted(machine)[0]
    machine_line = next(line for line in written.splitlines() if line.startswith(f"MT[{reviewed}]"))
    revised = translation[reviewed.replace("green apples today.", "apples.")].replace(
        "manzanas.", "manzanas verdes hoy.")
    path.write_text(written.replace(machine_line, revised), encoding="utf-8")  # marker removed

    again = plan_sync(book, upstream, jobs=1)
    a, b = again.sections
    assert a.untouched and b.untouched and not again.has_work
    (unit,) = [u for u in a.units if u.source == reviewed]
    assert unit.status == UnitStatus.UNCHANGED and unit.origin == TextOrigin.HUMAN
    assert a.counts.awaiting_review == len(machine) - 1
    assert {u.source for u in a.units if u.origin == TextOrigin.MACHINE} == machine - {reviewed}
    asyncio.run(apply_sync(again, refusing_translator))
    assert path.read_text(encoding="utf-8") == written.replace(machine_line, revised)


def test_non_translatable_changes_cost_nothing(tmp_path, sample_book):
    book = tmp_path / "book"
    shutil.copytree(sample_book / "zh", book)
    old_origin = (book / "chapter_basics" / "gradient-descent_origin.md").read_text(encoding="utf-8")
    old_translation = (book / "chapter_basics" / "gradient-descent.md").read_text(encoding="utf-8")
    changes = [
        ("../img/gd-path.svg", "../img/gd-path-v2.svg"),  # image path only: caption stays translated
        ("        theta -= eta * g\n", "        theta[...] -= eta * g\n"),  # a code cell
        (":label:`fig_gd_path`\n", ":label:`fig_gradient_path`\n"),  # a label
        (r"- \eta \nabla", r"- \eta\, \nabla"),  # math
    ]
    upstream_text = old_origin
    expected = old_translation
    for before, after in changes:
        assert old_origin.count(before) == 1 and old_translation.count(before) == 1
        upstream_text = upstream_text.replace(before, after)
        expected = expected.replace(before, after)
    # Whitespace: a paragraph reflowed onto one line, trailing spaces.
    upstream_text = upstream_text.replace("with a formula.\nInstead,", "with a formula.   Instead,")
    upstream_text = upstream_text.replace("decreases fastest, which", "decreases fastest,  which  ")
    upstream = tmp_path / "up"
    shutil.copytree(sample_book / "zh", upstream, ignore=shutil.ignore_patterns("*_origin.md"))
    for origin in (sample_book / "zh").rglob("*_origin.md"):
        target = upstream / origin.relative_to(sample_book / "zh")
        shutil.copy(origin, target.with_name(target.name.replace("_origin.md", ".md")))
    (upstream / "chapter_basics" / "gradient-descent.md").write_text(upstream_text, encoding="utf-8")

    plan = plan_sync(book, upstream, jobs=1)
    assert plan.characters_to_translate == 0 and plan.cost.usd == 0
    counts = plan.counts
    assert (counts.edited, counts.new, counts.deleted, counts.conflicts) == (0, 0, 0, 0)
    assert counts.merged == 4 and plan.workload_saved == 1.0  # path, code, label, math
    result = asyncio.run(apply_sync(plan, refusing_translator))
    assert sorted(result.written) == ["chapter_basics/gradient-descent.md",
                                      "chapter_basics/gradient-descent_origin.md"]
    assert (book / "chapter_basics" / "gradient-descent.md").read_text(encoding="utf-8") == expected
    assert (book / "chapter_basics" / "gradient-descent_origin.md").read_text(encoding="utf-8") == upstream_text


def test_sample_book_with_the_local_backend(tmp_path, sample_book):
    book = tmp_path / "book"
    shutil.copytree(sample_book / "zh", book)
    upstream = sample_book / "en-upstream"
    plan = plan_sync(book, upstream, jobs=1)
    sections = {s.path: s for s in plan.sections}
    changed = {p for p, s in sections.items() if s.has_work}
    assert changed == {"chapter_basics/linear-models.md", "chapter_evaluation/bleu.md"}
    linear, bleu = sections["chapter_basics/linear-models.md"], sections["chapter_evaluation/bleu.md"]
    assert linear.edited >= 3 and linear.deleted >= 1  # three sentences edited, a paragraph deleted
    assert bleu.edited == 1 and bleu.new == 2 and bleu.deleted == 0
    assert 0.8 < plan.workload_saved < 1.0
    assert not plan.deleted_upstream and not plan.skipped

    result = apply_with_local_backend(plan, tmp_path / "work")
    assert result.translated_units == linear.edited + linear.new + bleu.edited + bleu.new
    for path in ("chapter_basics/linear-models.md", "chapter_evaluation/bleu.md"):
        new_source = (upstream / path).read_text(encoding="utf-8")
        assert (book / path.replace(".md", "_origin.md")).read_text(encoding="utf-8") == new_source
    written = (book / "chapter_evaluation" / "bleu.md").read_text(encoding="utf-8")
    # The memory has nothing close to a new sentence: it comes back byte for byte, inline code
    # included, with a marker; the moved figure keeps its Chinese caption.
    assert f"`sacrebleu` reports the score on a scale from 0 to 100.{DEFAULT_REVIEW_MARKER}" in written
    assert "](../img/bleu-ngrams.svg)" in written and "![将候选译文" in written
    provenance = json.loads((book / ".amts" / "sync-provenance.json").read_text(encoding="utf-8"))
    assert len(provenance["sections"]["chapter_evaluation/bleu.md"]["review"]) == 3

    again = plan_sync(book, upstream, jobs=1)
    assert not again.has_work and again.characters_to_translate == 0
    assert again.counts.awaiting_review == result.translated_units


def test_sync_command_plans_writes_and_reports(tmp_path, sample_book, capsys):
    book = tmp_path / "book"
    shutil.copytree(sample_book / "zh", book)
    upstream = sample_book / "en-upstream"
    (book / "chapter_data" / "datasets_origin.md").unlink()  # an orphan NAME.md: skipped, not overwritten
    plan_file = tmp_path / "plan.json"
    assert cli_main(["sync", str(book), "--upstream", str(upstream), "--json", str(plan_file)]) == 1
    out = capsys.readouterr()
    assert "workload saved" in out.out and "chapter_data/datasets.md" in out.err
    data = json.loads(plan_file.read_text(encoding="utf-8"))
    assert 0 < data["workload_saved"] < 1
    rows = {s["path"]: s for s in data["sections"]}
    assert rows["chapter_evaluation/bleu.md"]["new"] == 2
    assert set(rows["chapter_basics/linear-models.md"]) >= {"path", "unchanged", "edited", "new", "deleted"}
    assert cli_main(["sync", str(book), "--upstream", str(upstream), "--write",
                     "--workdir", str(tmp_path / "w")]) == 1
    assert DEFAULT_REVIEW_MARKER in (book / "chapter_basics" / "linear-models.md").read_text(encoding="utf-8")
    with pytest.raises(SystemExit) as usage:  # argparse: --upstream is required
        cli_main(["sync", str(book)])
    assert usage.value.code == 2
    assert cli_main(["sync", str(book), "--upstream", str(tmp_path / "missing")]) == 2


def test_sections_new_and_deleted_upstream(tmp_path, sample_book):
    book = tmp_path / "book"
    shutil.copytree(sample_book / "zh", book)
    upstream = tmp_path / "up"
    shutil.copytree(sample_book / "en-upstream", upstream)
    (upstream / "chapter_data" / "tokenization.md").unlink()
    (upstream / "chapter_data" / "sampling.md").write_text(
        "# Sampling\n\nWe draw a batch at random.\nEach draw is independent.\n\n"
        "```{.python .input}\nbatch = random.sample(data, 8)\n```\n", encoding="utf-8")
    plan = plan_sync(book, upstream, jobs=1)
    assert plan.deleted_upstream == ("chapter_data/tokenization.md",)
    fresh = next(s for s in plan.sections if s.path == "chapter_data/sampling.md")
    assert fresh.status == "new-upstream" and fresh.new == 3 and fresh.unchanged == 0
    asyncio.run(apply_sync(plan, fake_translator))
    written = (book / "chapter_data" / "sampling.md").read_text(encoding="utf-8")
    assert written.startswith(f"# MT[Sampling]{DEFAULT_REVIEW_MARKER}\n")
    assert "```{.python .input}\nbatch = random.sample(data, 8)\n```\n" in written
    assert (book / "chapter_data" / "tokenization.md").exists()  # reported, never deleted


@pytest.fixture(scope="module")
def d2l_synced(tmp_path_factory, d2l_zh, d2l_en, d2l_zh_aligned):
    """The whole d2l-zh book planned against d2l-en and applied on the local backend, whose
    memory writes back old human sentences verbatim. The alignments come from the session's
    alignment of d2l-zh (its cache, keyed by content, seeds the work directory)."""
    root = tmp_path_factory.mktemp("d2l")
    shutil.copytree(d2l_zh, root / "book", ignore=shutil.ignore_patterns("img", "*.png", "*.svg"))
    work = d2l_zh_aligned.seed(root / "work")
    plan = plan_sync(root / "book", d2l_en, workdir=work)
    apply_with_local_backend(plan, work)
    return root / "book", d2l_en, plan, work


def test_d2l_plan_covers_the_shared_book(d2l_synced):
    book, upstream, plan, _ = d2l_synced
    assert len(plan.sections) == 106 and all(s.status == "shared" for s in plan.sections)
    assert len(plan.deleted_upstream) == 29 and not plan.skipped
    assert 0.3 < plan.workload_saved < 0.95
    counts = plan.counts
    assert counts.unchanged > counts.edited > 0 and counts.new > 0 and counts.deleted > 0
    assert counts.merged > 0 and counts.patched > 0
    assert plan.characters_to_translate == sum(s.characters for s in plan.sections) > 0
    assert plan.cost.variant.startswith("act")  # priced as what --write runs: one ACT batch job
    # Every change says where it is (the Sync screen and --json show `L<line>`), deleted ones too.
    changed = [u for s in plan.sections for u in s.changed_units]
    assert changed and all(u.line >= 1 for u in changed), [u for u in changed if u.line < 1][:3]


def test_d2l_second_plan_finds_nothing_to_do(d2l_synced):
    book, upstream, plan, work = d2l_synced
    again = plan_sync(book, upstream, workdir=work)
    assert not again.has_work and again.characters_to_translate == 0
    assert all(s.untouched and not s.edits for s in again.sections)
    # Every unit sent to machine translation is in NAME.md with its marker, awaiting review.
    assert again.counts.awaiting_review >= plan.counts.edited + plan.counts.new - plan.counts.conflicts


def test_d2l_sections_with_the_local_backend(tmp_path, d2l_zh, d2l_en):
    names = ["chapter_computational-performance/hardware", "chapter_recurrent-modern/gru",
             "chapter_optimization/sgd"]
    book, upstream = tmp_path / "book", tmp_path / "upstream"
    book.mkdir()
    shutil.copy(d2l_zh / "config.ini", book)
    for name in names:
        (book / name).parent.mkdir(parents=True, exist_ok=True)
        (upstream / name).parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("_origin.md", ".md"):
            shutil.copy(d2l_zh / f"{name}{suffix}", book / f"{name}{suffix}")
        shutil.copy(d2l_en / f"{name}.md", upstream / f"{name}.md")
    plan = plan_sync(book, upstream, jobs=1)
    assert len(plan.sections) == 3 and plan.characters_to_translate > 0
    result = apply_with_local_backend(plan, tmp_path / "work")
    assert result.translated_units > 0
    for section in plan.sections:
        written = (book / section.path).read_text(encoding="utf-8")
        assert written.count(DEFAULT_REVIEW_MARKER) == sum(u.needs_translation for u in section.units)
        for cell in re.findall(r"```\{\.python \.input\}\n#@tab paddle\n.*?```", section.target_text, re.DOTALL):
            assert cell in written  # the translator's own cells stay
    again = plan_sync(book, upstream, jobs=1)
    assert not again.has_work


_CJK = re.compile(r"[\u4e00-\u9fff]")


def _inspect_local_backend(workdir: Path, resource: str):
    """Reopen the (stopped) local backend on its state: the jobs it ran and the resource."""
    from amts.engine.client.service import open_service
    from amts.engine.client.settings import BackendSettings
    from amts.engine.local_service import start_local_backend

    async def read(settings):
        async with open_service(settings) as service:
            return await service.list_jobs(), await service.get_parallel_data(resource)

    with start_local_backend(workdir, job_delay=0.01) as backend:
        return asyncio.run(read(BackendSettings(kind="local", s3_endpoint_url=backend.s3_endpoint,
                                                translate_endpoint_url=backend.translate_endpoint)))


def test_apply_runs_one_batch_job_with_the_books_own_parallel_data(tmp_path, sample_book):
    book, work = tmp_path / "book", tmp_path / "work"
    shutil.copytree(sample_book / "zh", book)
    upstream = sample_book / "en-upstream"
    plan = plan_sync(book, upstream, jobs=1)
    machine_units = [u for s in plan.sections for u in s.units if u.needs_translation]
    assert {u.status for u in machine_units} == {UnitStatus.EDITED, UnitStatus.NEW}

    result = apply_with_local_backend(plan, work)
    report = result.batch
    assert report is not None and report.status == "COMPLETED" and not report.missing
    assert report.units == result.translated_units == len({u.source for u in machine_units})
    jobs, resource = _inspect_local_backend(work, "amts-sync-en-zh")
    assert [job.job_id for job in jobs] == [report.job_id]  # all units in one job
    assert jobs[0].parallel_data_names == ("amts-sync-en-zh",)
    assert resource.status == "ACTIVE" and resource.imported == report.records > 0

    provenance = json.loads((book / ".amts" / "sync-provenance.json").read_text(encoding="utf-8"))
    entries = {(path, e["source"]): e for path, record in provenance["sections"].items()
               for e in record["review"]}
    chinese = []
    for section in plan.sections:
        written = (book / section.path).read_text(encoding="utf-8")
        for unit in section.units:
            if not unit.needs_translation:
                continue
            machine = entries[(section.path, unit.source)]["translation"]
            assert machine + DEFAULT_REVIEW_MARKER in written  # every machine unit is marked
            # Protected spans come back byte for byte, whether the memory answered or not.
            assert sorted(s.text for s in protected_spans(machine)) == \
                   sorted(s.text for s in protected_spans(unit.source))
            if _CJK.search(machine):
                chinese.append(unit)
            else:
                assert machine == unit.source  # no memory hit: kept as it was
    # An edited sentence close to an old one gets that sentence's human translation.
    assert any(u.status == UnitStatus.EDITED for u in chinese)
    assert report.changed == len(chinese) and report.unchanged == report.units - len(chinese)
    assert not any(u.status == UnitStatus.NEW for u in chinese)

    again = plan_sync(book, upstream, jobs=1)
    assert not again.has_work and again.characters_to_translate == 0


def test_batch_job_units_that_do_not_come_back_keep_their_source(tmp_path, sample_book):
    from amts.engine.act.batch_job import PollingPace
    from amts.engine.act.sync_translation import BatchJobTranslator
    from amts.engine.client.service import open_service
    from amts.engine.client.settings import BackendSettings
    from amts.engine.errors import AmtsError
    from amts.engine.local_service import LocalFaults, start_local_backend
    from amts.engine.markup.protected_html import render_fragment

    book = tmp_path / "book"
    shutil.copytree(sample_book / "zh", book)
    texts = ["`sacrebleu` reports the score on a scale from 0 to 100.",
             "Chinese and Japanese have no spaces, so they must first be cut into characters or words, "
             "and two papers that tokenize differently cannot compare their numbers.",
             "A brand new sentence about $x^2$ and nothing else."]
    fragments = [render_fragment(t).html for t in texts]

    async def translate(settings, workdir):
        async with open_service(settings) as service:
            translator = BatchJobTranslator(service, book, workdir, pace=PollingPace(0.05, 1.0),
                                            max_document_bytes=1)  # one document per unit
            return await translator(fragments, "en", "zh"), translator.report

    faults = LocalFaults(fail_document_pattern=r"units-001\.html$")
    with start_local_backend(tmp_path / "w1", faults=faults, job_delay=0.01) as backend:
        settings = BackendSettings(kind="local", s3_endpoint_url=backend.s3_endpoint,
                                   translate_endpoint_url=backend.translate_endpoint)
        outputs, report = asyncio.run(translate(settings, tmp_path / "w1"))
    assert report.status == "COMPLETED_WITH_ERROR" and report.documents == 3
    assert outputs[1] == fragments[1] and report.missing == (texts[1],)  # kept, and said so
    assert outputs[0] == fragments[0] and outputs[2] == fragments[2]  # no memory hit: unchanged
    assert report.errors and "units-001.html" in report.errors[0]
    assert any("did not come back" in line for line in report.summary_lines())

    with start_local_backend(tmp_path / "w2", faults=LocalFaults(fail_document_pattern="."),
                             job_delay=0.01) as backend:
        settings = BackendSettings(kind="local", s3_endpoint_url=backend.s3_endpoint,
                                   translate_endpoint_url=backend.translate_endpoint)
        with pytest.raises(AmtsError, match="brought nothing back|ended FAILED"):
            asyncio.run(translate(settings, tmp_path / "w2"))


def test_realtime_option_keeps_translate_text(tmp_path, sample_book, capsys):
    book = tmp_path / "book"
    shutil.copytree(sample_book / "zh", book)
    upstream = sample_book / "en-upstream"
    assert cli_main(["sync", str(book), "--upstream", str(upstream), "--write", "--realtime",
                      "--workdir", str(tmp_path / "w")]) == 0
    out = capsys.readouterr().out
    assert "units machine-translated" in out and "batch job" not in out
    written = (book / "chapter_evaluation" / "bleu.md").read_text(encoding="utf-8")
    # TranslateText on the local backend returns the text: the edited sentence stays English.
    assert "Chinese and Japanese have no spaces" in written


def test_machine_text_awaiting_review_never_comes_back_from_the_memory(tmp_path):
    """A sentence machine-translated in one section, met again in a new one, is not 'human'."""
    book, upstream, machine, translation = _synced_pair(tmp_path)
    moved = sorted(machine)[0]  # its only translation so far is MT[...] in ch/a.md
    human = sorted(translation)[5]  # a sentence whose human translation the memory does hold
    (upstream / "ch" / "c.md").write_text(f"# Title\n\n{moved}\n\n{human}\n", encoding="utf-8")
    plan = plan_sync(book, upstream, jobs=1)
    [section] = [s for s in plan.sections if s.path == "ch/c.md"]
    units = {u.source: u for u in section.units}
    assert units[human].origin == TextOrigin.MEMORY and units[human].translation == translation[human]
    # It is to be machine-translated; any suggestion attached is a human translation, never MT.
    assert units[moved].origin == TextOrigin.MACHINE
    assert units[moved].status in (UnitStatus.EDITED, UnitStatus.NEW)
    assert not (units[moved].translation or "").startswith("MT[")
