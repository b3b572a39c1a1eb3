"""The one place where the UI meets the engine: thin adapters over engine calls.

Screens call these methods (from workers); nothing else in `amts_tui` imports engine modules
beyond the plain data types (Book, AlignedPair, events). When an engine API changes, this file
is the one edit. Engine errors are `AmtsError`s, which the screens show as notifications.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from amts.engine import cost, evaluate, sync
from amts.engine import events as ev
from amts.engine.act import sync_translation
from amts.engine.act.state import STATE_FILE, RunRecord, StateStore
from amts.engine.align import book_alignment as extract
from amts.engine.align.pairs import AlignedPair
from amts.engine.book import Book, open_book, read_book_config, read_markdown_file
from amts.engine.errors import AmtsError
from amts.engine.experiment import config as config_module
from amts.engine.experiment import history, pipeline
from amts.engine.experiment.config import ExperimentConfig, PipelineSpec
from amts.engine.experiment.report import ExperimentResult
from amts.engine.markup import segment
from amts.engine.markup.markdown import parse_markdown
from amts.engine.paralleldata import write as paralleldata
from amts.engine.paralleldata.exclusions import Exclusions, ExclusionStore
from amts.engine.sync import apply as sync_apply
from amts.engine.sync import staleness
from amts.engine.textfile import read_utf8
from amts.engine.workdir import WorkdirDefault, resolve_workdir
from amts.engine.writer_lock import hold_book, hold_workdir
from amts.tui.demo_book import DEMO_DIR_NAME, ensure_demo_copy, is_shipped_demo
from amts.tui.paths import sample_data_dir
from amts.tui.settings import Settings

#: Pure functions over the runs' results, for the Results screen (the UI's one door to the engine).
results_to_show = history.results_to_show
compare_runs = history.compare_runs

#: The demo books (SPEC §6), as (language folder, label); the app opens their copies.
DEMO_BOOKS = (("zh", "Demo book en→zh"), ("es", "Demo book en→es"))


def demo_work_dir(settings: Settings | None = None) -> Path:
    """The demo's work directory: `<settings work dir>/demo`, else $AMTS_WORKDIR or the user's."""
    if settings is not None and settings.work_dir:
        return Path(settings.work_dir).expanduser() / "demo"
    return resolve_workdir(default=WorkdirDefault.DEMO)


def demo_experiment_config(settings: Settings | None = None) -> ExperimentConfig:
    """The demo experiment (local backend) on the demo book's copy in the demo work directory."""
    work_dir = demo_work_dir(settings)
    return config_module.demo_config(ensure_demo_copy(work_dir), work_dir)


def display_path(path: str | Path, demo_root: Path | None = None) -> str:
    """A path as the UI shows it: the demo book's copy as `demo-book/…`, the shipped sample books
    relative to the project, home as `~`."""
    path = Path(path).expanduser().resolve()
    if demo_root is not None and path.is_relative_to(root := Path(demo_root).resolve()):
        return (Path(root.name) / path.relative_to(root)).as_posix()
    if path.is_relative_to(project := sample_data_dir().resolve().parent):
        return path.relative_to(project).as_posix()
    if path.is_relative_to(Path.home()):
        return "~/" + path.relative_to(Path.home()).as_posix()
    return str(path)


def resolve_user_path(text: str, demo_root: Path | None = None) -> Path:
    """A path the user typed or the UI showed (`display_path`): `~` expanded, shown paths found."""
    path = Path(text.strip()).expanduser()
    if path.is_absolute() or path.exists():
        return path
    bases = [sample_data_dir().parent]
    if demo_root is not None:
        bases.insert(0, Path(demo_root).parent)
    for base in bases:
        if (base / path).exists():
            return base / path
    return path


@dataclass(frozen=True, slots=True)
class BookStats:
    """The size of a book's prose, as the Book screen shows it."""

    sections: int
    paragraphs: int
    sentences: int
    characters: int  # source-side prose characters
    billable_characters: int = 0  # whole source files: Amazon bills protected code and math too


@dataclass(frozen=True, slots=True)
class CostRow:
    variant: str
    characters: int
    usd: float
    note: str = ""


@dataclass(frozen=True, slots=True)
class ShelfBook:
    """A book found in a folder of books: where, its language and the language it translates."""

    path: Path
    lang: str
    origin_lang: str  # "" for a source book
    title: str = ""

    @property
    def languages(self) -> str:
        return f"{self.origin_lang}→{self.lang}" if self.origin_lang else f"{self.lang} (source)"


@dataclass(frozen=True, slots=True)
class DemoBook:
    label: str
    path: Path


class AmtsService:
    """Everything the screens ask of the engine, for one work directory."""

    def __init__(self, work_dir: Path, config: ExperimentConfig | None = None, demo: bool = False,
                 demo_dir: Path | None = None):
        self.work_dir = Path(work_dir)
        self.config = config
        self.demo = demo
        #: The demo's work directory, which holds the demo book's copy (`demo_work_dir`).
        self.demo_dir = Path(demo_dir) if demo_dir is not None else self.work_dir

    # -- books ---------------------------------------------------------------------------------
    def is_demo_book(self, path: str | Path) -> bool:
        """The demo book's copy, or the shipped original (neither goes into the recent books)."""
        path = Path(path).expanduser()
        return is_shipped_demo(path) or any(path.resolve() == d.path.resolve() for d in self.demo_books())

    @property
    def demo_root(self) -> Path:
        """Where the demo book's copy lives (see amts.tui.demo_book)."""
        return self.demo_dir / DEMO_DIR_NAME

    def demo_books(self) -> list[DemoBook]:
        """The demo books, as copies in the work directory (made on first use)."""
        if not sample_data_dir().is_dir():
            return []
        root = ensure_demo_copy(self.demo_dir)
        return [DemoBook(label, root / lang) for lang, label in DEMO_BOOKS
                if (root / lang / "config.ini").is_file()]

    def display_path(self, path: str | Path) -> str:
        """`display_path`, which knows this service's demo book copy."""
        return display_path(path, self.demo_root)

    def resolve_user_path(self, text: str) -> Path:
        """`resolve_user_path`, which knows this service's demo book copy."""
        return resolve_user_path(text, self.demo_root)

    def default_upstream(self, book: Book | None) -> Path | None:
        """The book's upstream source, when it sits beside it: `en-upstream` for the demo, the
        source-language book of the same name for others (`d2l-en` beside `d2l-zh`); else None."""
        if book is None:
            return None
        root = Path(book.root).resolve()
        origin, translation = self.sync_languages(book)
        if root.parent in (self.demo_root.resolve(), sample_data_dir().resolve()):
            candidate = root.parent / f"{origin}-upstream"
            return candidate if candidate.is_dir() else None
        suffix = f"-{translation}"
        if root.name.endswith(suffix):
            candidate = root.with_name(root.name[: -len(suffix)] + f"-{origin}")
            if (candidate / "config.ini").is_file():
                return candidate
        return None

    def books_in_folder(self, folder: Path) -> list[ShelfBook]:
        """The d2lbook books directly inside a folder that is not a book itself (the editions of
        d2l side by side, say), with their languages; none when `folder` is a book."""
        folder = Path(folder).expanduser()
        if (folder / "config.ini").is_file() or not folder.is_dir():
            return []
        found = []
        for child in sorted(p for p in folder.iterdir() if (p / "config.ini").is_file()):
            try:
                config = read_book_config(child)
            except AmtsError:
                continue  # listed books must open; a broken one is reported when opened by path
            found.append(ShelfBook(child, config.lang, config.origin_lang or "", config.title))
        return found

    def book_staleness(self, book: Book, upstream: Path) -> staleness.BookStaleness:
        """Per section: unchanged, behind, new or deleted upstream, units awaiting review, last
        sync (the sync plan, cached in this work directory; CPU: run in a thread)."""
        root = Path(book.root)
        plan = sync.plan_sync(root, Path(upstream), workdir=self.work_dir)
        return staleness.book_staleness(plan, sync.list_review(root))

    def open_book(self, path: str | Path, source_lang: str | None = None,
                  target_lang: str | None = None) -> Book:
        return open_book(Path(path).expanduser(), source_lang=source_lang or None,
                         target_lang=target_lang or None)

    def book_stats(self, book: Book, on_progress: Callable[[int, int], None] | None = None) -> BookStats:
        """Count prose paragraphs, sentences and characters of the source side (CPU: run in a thread)."""
        split = _sentence_splitter(book.source_lang)
        paragraphs = sentences = characters = billable = 0
        for i, section in enumerate(book.sections, 1):
            try:
                text = read_markdown_file(section.source_path)
                doc = parse_markdown(text)
            except AmtsError:
                continue  # the Book screen lists unreadable files separately
            billable += len(text)
            for block in doc.prose_blocks:
                prose = block.prose(book.source_lang)
                paragraphs += 1
                characters += len(prose)
                sentences += len(split(prose))
            if on_progress:
                on_progress(i, len(book.sections))
        return BookStats(len(book.sections), paragraphs, sentences, characters,
                         billable)

    def cost_estimate(self, book: Book, stats: BookStats) -> list[CostRow]:
        """Price of translating the whole book once per variant, at the documented rates."""
        variants = _variants(self.config, book)
        estimates = cost.estimate_cost(dict.fromkeys(variants, stats.billable_characters))
        return [CostRow(e.variant, e.characters, e.usd, f"${e.usd_per_million_chars:g} per million")
                for e in estimates]

    # -- alignment -----------------------------------------------------------------------------
    def align_book(self, book: Book, on_progress: Callable[[int, int], None] | None = None):
        """Align every section (cached in the work directory) into a BookAlignment."""
        return extract.align_book(book, workdir=self.work_dir, on_progress=on_progress)

    def export_pairs(self, pairs: list[AlignedPair], path: Path, fmt: str, source_lang: str,
                     target_lang: str) -> list[str]:
        """Write parallel data; returns the report as lines for a notification."""
        report = paralleldata.write_parallel_data(pairs, path, fmt, source_lang, target_lang)
        return report.summary_lines()

    # -- exclusions (amts.engine.paralleldata.exclusions) -------------------------------------
    def exclusion_store(self, book: Book) -> ExclusionStore:
        """The book's excluded pairs in this work directory (the experiment reads the same file)."""
        return ExclusionStore.for_book(self.work_dir, book.root)

    def read_exclusions(self, book: Book) -> Exclusions:
        return self.exclusion_store(book).read()

    def exclude_pairs(self, book: Book, pairs: list[AlignedPair]) -> Exclusions:
        return self.exclusion_store(book).add(pairs, book.source_lang, book.target_lang)

    def include_pairs(self, book: Book, pairs: list[AlignedPair]) -> Exclusions:
        return self.exclusion_store(book).remove(pairs, book.source_lang, book.target_lang)

    def clear_exclusions(self, book: Book) -> Exclusions:
        return self.exclusion_store(book).clear()

    # -- run history (amts.engine.experiment.history) ------------------------------------------
    def run_history(self, session_result: ExperimentResult | None = None) -> list[history.RunEntry]:
        """Every experiment run of this work directory, newest first, with its report if any (and
        the session's last result, should its run live in another work directory)."""
        return history.with_result(history.read_history(self.work_dir), session_result)

    # -- review of synced units (amts.engine.sync.review) ---------------------------------------
    def list_review(self, book: Book) -> sync.BookReview:
        """Every unit a sync machine-translated in the book that awaits review (run in a thread)."""
        return sync.list_review(Path(book.root))

    def review_unit(self, book: Book, unit: sync.ReviewUnit, action: str, text: str = "") -> sync.ReviewResult:
        """Accept, edit (with `text`) or reject one unit: NAME.md and the record written atomically."""
        self._refuse_shipped_demo(Path(book.root))
        root = Path(book.root)
        if action == "accept":
            return sync.accept_unit(root, unit)
        if action == "edit":
            return sync.edit_unit(root, unit, text)
        if action == "reject":
            return sync.reject_unit(root, unit)
        raise ValueError(f"unknown review action {action!r}")

    @staticmethod
    def sync_languages(book: Book) -> tuple[str, str]:
        """(upstream language, translation language) of a translation repo opened either way round:
        NAME_origin.md holds the upstream side."""
        forward = not book.sections or book.sections[0].source_path.name.endswith("_origin.md")
        return (book.source_lang, book.target_lang) if forward else (book.target_lang, book.source_lang)

    @staticmethod
    def _refuse_shipped_demo(root: Path) -> None:
        if is_shipped_demo(root):
            raise AmtsError("the shipped demo book is read-only: open the demo book from the Book "
                            "screen's list (a copy in the work directory)", path=str(root))

    # -- sync ----------------------------------------------------------------------------------
    def plan_sync(self, book: Book, upstream: Path) -> tuple[sync.SyncPlan, list[SyncRow], float]:
        """`plan_sync` (CPU: run in a thread), its caches in this service's work directory."""
        return plan_sync(book, upstream, self.work_dir)

    def apply_sync(self, plan: sync.SyncPlan, sections: list[str] | None = None) -> list[str]:
        """`apply_sync` through this service's backend, in its work directory (run in a thread);
        `sections`: only these NAME.md paths (the others stay as they are)."""
        if sections is not None:
            plan = sync_sending(plan, sections).plan
        return apply_sync(plan, self.work_dir, self.config)

    # -- runs ----------------------------------------------------------------------------------
    def unfinished_run(self) -> RunRecord | None:
        """The work directory's latest experiment run when it did not finish (a killed session
        leaves it `running`, a stop leaves it `stopped`): what `--resume` would continue."""
        if not (self.work_dir / STATE_FILE).is_file():
            return None
        run = StateStore(self.work_dir).latest_run()
        return run if run is not None and run.status in ("running", "stopped") else None

    def export_formats(self) -> list[str]:
        return list(paralleldata.FORMATS)


def _sentence_splitter(lang: str) -> Callable[[str], list]:
    return lambda text: segment.split_sentences(text, lang)


def _variants(config: ExperimentConfig | None, book: Book) -> list[str]:
    """The variants the configured pipelines run for this book's direction (all by default)."""
    if config is not None:
        specs = config.resolve_pipelines(book.source_lang, book.target_lang)
        variants = [str(s.variant) for s in specs
                    if (s.source_lang, s.target_lang) == (book.source_lang, book.target_lang)]
        if variants:
            return variants
    return [str(v) for v in config_module.VARIANTS]


# -- experiments (amts.engine.experiment) ------------------------------------------------------
class ExperimentRunner:
    """Builds the experiment for the open book and runs it; one instance per AmtsService."""

    def __init__(self, service: AmtsService):
        self.service = service

    def config_for(self, book: Book | None, book_label: str,
                   pipelines: list[str] | None = None) -> ExperimentConfig:
        """The configured experiment, pointed at the book open in the UI (and some pipelines only)."""
        config = self.service.config or config_module.ExperimentConfig(workdir=self.service.work_dir)
        if book is not None and book_label:
            configured = config.book
            if configured.path is None or Path(configured.path).resolve() != Path(book_label).resolve():
                config = dataclasses.replace(config, book=config_module.BookSettings(
                    path=Path(book_label), source_lang=book.source_lang, target_lang=book.target_lang))
                if self.service.demo or not config.evaluation.articles:
                    config = dataclasses.replace(config, evaluation=dataclasses.replace(
                        config.evaluation, articles=_default_held_out(book)))
        if pipelines is not None:
            specs = [s for s in self.specs(config, book) if s.name in pipelines]
            config = dataclasses.replace(config, pipelines=tuple(specs))
        return config

    def specs(self, config: ExperimentConfig, book: Book | None) -> list[PipelineSpec]:
        if book is None:
            return list(config.pipelines)
        return list(config.resolve_pipelines(book.source_lang, book.target_lang))

    async def run(self, config: ExperimentConfig, on_event: Callable[[ev.Event], None], stop: asyncio.Event,
                  resume: bool = False) -> ExperimentResult:
        """Run every configured sub-pipeline (their events go to `on_event`)."""
        # One writer per work directory, as for `--auto`: a headless run on the same work
        # directory would interleave its jobs' state with this one's.
        with hold_workdir(config.workdir, "a run from the dashboard"):
            return await pipeline.run_experiment(config, events=on_event, stop=stop, resume=resume)


def _default_held_out(book: Book) -> tuple[str, ...]:
    """One section in three (never an index page) is scored, as in the demo experiment."""
    names = [s.name for s in book.sections if not s.name.endswith("index.md")]
    return tuple(names[::3])


@dataclass(frozen=True, slots=True)
class DiffUnit:
    """One prose unit of an article: machine output vs reference, as engine diff ops."""

    hypothesis: str
    reference: str
    ops: tuple[evaluate.DiffOp, ...]


def scored_units_diff(diff_path: str) -> list[DiffUnit]:
    """The units a run scored, as it paired them (aligned hypothesis/reference), with their diffs."""
    data = json.loads(read_utf8(Path(diff_path), what="diff"))
    return [DiffUnit(u["hyp"], u["ref"], tuple(evaluate.DiffOp(*op) for op in u["ops"])) for u in data]


def article_diff(output_path: str, reference_path: str, target_lang: str) -> list[DiffUnit]:
    """Diff an article's machine output against its reference, prose block by prose block
    (for outputs that no run scored unit by unit)."""
    hyp_doc = parse_markdown(read_markdown_file(Path(output_path)))
    ref_doc = parse_markdown(read_markdown_file(Path(reference_path)))
    hyps = [b.prose(target_lang) for b in hyp_doc.prose_blocks]
    refs = [b.prose(target_lang) for b in ref_doc.prose_blocks]
    units = []
    for i in range(max(len(hyps), len(refs))):
        hyp = hyps[i] if i < len(hyps) else ""
        ref = refs[i] if i < len(refs) else ""
        units.append(DiffUnit(hyp, ref, tuple(evaluate.unit_diff(hyp, ref, target_lang))))
    return units


# -- sync (amts.engine.sync) ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SyncRow:
    """One section of a sync plan, as the Sync screen shows it."""

    section: str
    unchanged: int
    edited: int
    new: int
    deleted: int
    saved: float  # share of the section's units that need no human translation (0..1)


@dataclass(frozen=True, slots=True)
class SyncSending:
    """What applying (part of) a plan sends to Amazon Translate, for the confirmation."""

    plan: sync.SyncPlan  # restricted to the chosen sections
    sections: int  # sections that change
    units: int  # distinct units machine-translated
    characters: int
    usd: float
    usd_per_million: float
    variant: str  # the rate's name (act-sync: one ACT batch job)


def sync_sending(plan: sync.SyncPlan, sections: list[str] | None = None) -> SyncSending:
    """The plan restricted to `sections` (all by default) and what applying it sends and costs."""
    chosen = sync_apply.select_sections(plan, sections) if sections is not None else plan
    return SyncSending(chosen, sum(1 for s in chosen.sections if s.has_work),
                       len(sync_apply.units_to_translate(chosen)), chosen.characters_to_translate,
                       chosen.cost.usd, chosen.cost.usd_per_million_chars, chosen.cost.variant)


def plan_sync(book: Book, upstream: Path, work_dir: Path | None = None) -> tuple[sync.SyncPlan, list[SyncRow], float]:
    """The sync plan: (engine plan, one row per section, whole-book workload saved 0..1);
    `work_dir` keeps the alignment and plan caches."""
    plan = sync.plan_sync(book, Path(upstream), workdir=work_dir)
    rows = [SyncRow(s.name, s.unchanged, s.edited, s.new, s.deleted, s.workload_saved)
            for s in plan.sections]
    return plan, rows, plan.workload_saved


def apply_sync(plan: sync.SyncPlan, work_dir: Path, config: ExperimentConfig | None = None) -> list[str]:
    """Write the plan into the book through the configured backend (blocking: run in a thread).

    One ACT batch job with the book's own parallel data, its state in `<work_dir>/sync-backend`
    (where the embedded local backend is started, and stopped again, unless the config names
    AWS or running endpoints). Returns the lines describing what was written.
    """
    if is_shipped_demo(plan.book_root):
        raise AmtsError("the shipped demo book is read-only: open the demo book from the Book "
                        "screen's list (a copy in the work directory) to apply a sync",
                        path=str(plan.book_root))
    settings = config.backend.service if config is not None else sync_translation.sync_backend("local")
    limit = {"max_cost_usd": config.limits.max_cost_usd} if config is not None else {}  # else the engine's default
    state_dir = Path(work_dir) / "sync-backend"
    # One writer per book (a `sync --write` in a terminal must not write the same files) and per
    # sync state; a run on the Jobs screen keeps its own work directory and may go on meanwhile.
    with hold_book(plan.book_root, "a sync apply from the dashboard"), \
            hold_workdir(state_dir, "a sync apply from the dashboard"):
        result = asyncio.run(sync_translation.apply_through_backend(plan, settings, state_dir, **limit))
    return result.summary_lines()
