"""The experiment's configuration: a TOML file (tomli) read into a frozen, validated model.

Every option has a default, so an empty file (or none, for the demo) is a valid experiment.
An unknown key or a bad value is an `AmtsError` naming the key, the file and, where it can be
found, the line — a typo must never be silently ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path

import tomli

from amts.engine.client.settings import BACKEND_KINDS, BackendSettings, BackendSettingsError
from amts.engine.cost import DEFAULT_MAX_COST_USD
from amts.engine.errors import AmtsError
from amts.engine.experiment.config_toml import (
    LANGUAGE_CODE,
    ConfigReader,
    ConfigTable,
    decode_error_line,
    describe_value,
)
from amts.engine.textfile import read_utf8
from amts.engine.workdir import WorkdirDefault, resolve_workdir


class Variant(StrEnum):
    """How a sub-pipeline translates: TranslateText (the baseline) or an ACT batch job with
    paragraph- or sentence-level parallel data."""

    NO_ACT = "no-act"
    ACT_PARAGRAPH = "act-paragraph"
    ACT_SENTENCE = "act-sentence"

    @property
    def granularity(self) -> str | None:
        """The parallel data's granularity, or None for the no-ACT baseline."""
        return {Variant.ACT_PARAGRAPH: "paragraph", Variant.ACT_SENTENCE: "sentence"}.get(self)


VARIANTS: tuple[Variant, ...] = tuple(Variant)
PARALLEL_DATA_FORMATS = ("csv", "tsv", "tmx")

_RESOURCE_PREFIX = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,40})$")


@dataclass(frozen=True)
class BookSettings:
    """A d2lbook translation repo (`path`) or two parallel trees (`source`, `target`)."""

    path: Path | None = None
    source: Path | None = None
    target: Path | None = None
    source_lang: str | None = None
    target_lang: str | None = None


@dataclass(frozen=True)
class PipelineSpec:
    """One sub-pipeline: a language pair and a variant."""

    source_lang: str
    target_lang: str
    variant: Variant

    def __post_init__(self) -> None:
        object.__setattr__(self, "variant", Variant(self.variant))  # "act-sentence" reads as the enum

    @property
    def name(self) -> str:
        """The name every event and state row uses, e.g. ``en-zh/act-sentence``."""
        return f"{self.source_lang}-{self.target_lang}/{self.variant}"

    @property
    def granularity(self) -> str | None:
        """The parallel data's granularity, or None for the no-ACT baseline."""
        return self.variant.granularity


@dataclass(frozen=True)
class EvaluationSettings:
    """The held-out articles (section paths or stems) and how they are scored."""

    articles: tuple[str, ...] = ()
    include_held_out_in_data: bool = False
    terminology: Path | None = None  # a TERMINOLOGY.md; default: the book's own, when it has one


@dataclass(frozen=True)
class BackendConfig:
    """The `[backend]` table: where the service lives (`service`, the client's own settings model,
    validated when read) and how the experiment drives it. Credentials are never configured here:
    AWS's chain finds them."""

    service: BackendSettings = field(default_factory=lambda: BackendSettings(kind="local"))
    resource_prefix: str = "amts"  # parallel-data names: <prefix>-<src>-<tgt>-<granularity>
    poll_seconds: float = 5.0  # first wait between status calls; grows while nothing changes
    max_poll_seconds: float = 60.0
    local_job_seconds: float = 1.0  # how long a local batch job takes (tests make it tiny)

    @property
    def kind(self) -> str:
        return self.service.kind


@dataclass(frozen=True)
class LimitsSettings:
    max_cost_usd: float | None = DEFAULT_MAX_COST_USD  # None: no limit


@dataclass(frozen=True)
class AlignSettings:
    min_confidence: float = 0.5
    format: str = "csv"
    jobs: int = 0  # alignment worker processes; 0 = all cores


@dataclass(frozen=True)
class ExperimentConfig:
    """The whole experiment, as read from one file (or built for the demo)."""

    book: BookSettings = field(default_factory=BookSettings)
    pipelines: tuple[PipelineSpec, ...] = ()  # empty: both directions of the book × every variant
    evaluation: EvaluationSettings = field(default_factory=EvaluationSettings)
    backend: BackendConfig = field(default_factory=BackendConfig)
    limits: LimitsSettings = field(default_factory=LimitsSettings)
    align: AlignSettings = field(default_factory=AlignSettings)
    workdir: Path = Path(".amts")
    keymap: dict[str, str] = field(default_factory=dict)
    source_file: Path | None = None  # the TOML file this came from, if any

    def resolve_pipelines(self, source_lang: str, target_lang: str) -> tuple[PipelineSpec, ...]:
        """The configured sub-pipelines, or the default: both directions × every variant."""
        if self.pipelines:
            return self.pipelines
        return tuple(
            PipelineSpec(s, t, v)
            for s, t in ((source_lang, target_lang), (target_lang, source_lang))
            for v in VARIANTS
        )


def load_config(path: Path) -> ExperimentConfig:
    """Read an experiment from a TOML file; every error names the file (and line, key)."""
    path = Path(path)
    return parse_config(read_utf8(path, what="config"), path)


def parse_config(text: str, file: Path | None = None) -> ExperimentConfig:
    """Parse and validate config text; relative paths are relative to the file's folder."""
    try:
        data = tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or decode_error_line(str(exc))
        raise AmtsError(f"not valid TOML: {exc.args[0] if exc.args else exc}", file or "<config>",
                        line) from None
    reader = ConfigReader(text, file)
    root = ConfigTable(data, "", reader)
    workdir = root.path("workdir")
    book = _read_book(root.table("book"))
    pipelines = _read_pipelines(root, reader)
    evaluation = _read_evaluation(root.table("evaluation"))
    backend = _read_backend(root.table("backend"))
    limits_table = root.table("limits")
    limits = LimitsSettings(limits_table.number("max_cost_usd", DEFAULT_MAX_COST_USD, 0.0))
    limits_table.finish()
    align_table = root.table("align")
    align = AlignSettings(
        min_confidence=align_table.number("min_confidence", 0.5, 0.0, 1.0),
        format=align_table.string("format", "csv", PARALLEL_DATA_FORMATS),
        jobs=align_table.integer("jobs", 0, 0, 256),
    )
    align_table.finish()
    keymap_table = root.table("keymap")
    keymap = {key: keymap_table.string(key, "") for key in list(keymap_table.data)}
    keymap_table.finish()
    root.finish()
    workdir = resolve_workdir(workdir, beside=file.parent if file else Path.cwd())
    return ExperimentConfig(book, pipelines, evaluation, backend, limits, align, workdir, keymap, file)


def _read_book(t: ConfigTable) -> BookSettings:
    book = BookSettings(
        path=t.path("path"), source=t.path("source"), target=t.path("target"),
        source_lang=t.lang("source_lang", None), target_lang=t.lang("target_lang", None),
    )
    t.finish()
    if (book.source is None) != (book.target is None):
        raise t.fail("source" if book.source is None else "target",
                     "book.source and book.target go together (two parallel trees)")
    if book.source is not None and book.path is not None:
        raise t.fail("path", "give either book.path (a translation repo) or book.source/target, not both")
    if book.source is not None and not (book.source_lang and book.target_lang):
        raise t.fail("source_lang", "two parallel trees need book.source_lang and book.target_lang")
    return book


def _read_pipelines(root: ConfigTable, reader: ConfigReader) -> tuple[PipelineSpec, ...]:
    """``[[pipelines]]`` entries (pair or languages, variants) or the compact ``[pipelines]``."""
    raw = root.get("pipelines", (list, dict), [])
    entries = [raw] if isinstance(raw, dict) else raw
    specs: list[PipelineSpec] = []
    for index, entry in enumerate(entries):
        where = "pipelines" if isinstance(raw, dict) else f"pipelines[{index}]"
        if not isinstance(entry, dict):
            raise reader.error("", "pipelines", f"{where}: expected a table, got {describe_value(entry)}")
        t = ConfigTable(entry, where, reader)
        pairs = list(t.strings("pairs"))
        pair = t.string("pair", None)
        if pair:
            pairs.append(pair)
        source, target = t.lang("source_lang", None), t.lang("target_lang", None)
        if (source is None) != (target is None):
            raise t.fail("source_lang", "source_lang and target_lang go together")
        if source:
            pairs.append(f"{source}-{target}")
        variants = t.strings("variants") or VARIANTS
        variant = t.string("variant", None, VARIANTS)
        if variant:
            variants = (variant,)
        t.finish()
        if not pairs:
            raise t.fail("pairs", "name the language pairs, e.g. pairs = [\"en-zh\", \"zh-en\"]")
        for v in variants:
            if v not in VARIANTS:
                raise t.fail("variants", f"unknown variant {v!r} (expected {', '.join(VARIANTS)})")
        for p in pairs:
            langs = p.split("-", 1) if p.count("-") == 1 else _split_pair(p)
            if len(langs) != 2 or not all(LANGUAGE_CODE.match(x) for x in langs) or langs[0] == langs[1]:
                raise t.fail("pairs", f"{p!r} is not a language pair like 'en-zh'")
            for v in variants:
                spec = PipelineSpec(langs[0], langs[1], Variant(v))
                if spec in specs:
                    raise t.fail("pairs", f"sub-pipeline {spec.name} is configured twice")
                specs.append(spec)
    return tuple(specs)


def _split_pair(pair: str) -> list[str]:
    # Regional codes have a hyphen too ("zh-TW-en"): accept "src>tgt" or "src:tgt" for those.
    for sep in (">", ":"):
        if sep in pair:
            return pair.split(sep, 1)
    return []


def _read_evaluation(t: ConfigTable) -> EvaluationSettings:
    articles = t.strings("articles")
    if len(set(articles)) != len(articles):
        raise t.fail("articles", "an article is listed twice")
    settings = EvaluationSettings(
        articles=articles,
        include_held_out_in_data=t.get("include_held_out_in_data", bool, False),
        terminology=t.path("terminology"),
    )
    t.finish()
    return settings


def _read_backend(t: ConfigTable) -> BackendConfig:
    d, client = BackendConfig(), BackendSettings(kind="local")
    # No defaults for the account's own things (bucket, role) nor for the region: AWS must be
    # told them, or (region) find it in its own chain; the local backend fills in its own.
    values = dict(
        kind=t.string("kind", client.kind, BACKEND_KINDS),
        region=t.string("region", ""),
        profile=t.string("profile", client.profile),
        bucket=t.string("bucket", ""),
        prefix=t.string("prefix", client.prefix),
        role_arn=t.string("role_arn", ""),
        s3_endpoint_url=t.string("s3_endpoint_url", None),
        translate_endpoint_url=t.string("translate_endpoint_url", None),
    )
    config = dict(
        resource_prefix=t.string("resource_prefix", d.resource_prefix),
        poll_seconds=t.number("poll_seconds", d.poll_seconds, 0.01, 3600),
        max_poll_seconds=t.number("max_poll_seconds", d.max_poll_seconds, 0.01, 3600),
        local_job_seconds=t.number("local_job_seconds", d.local_job_seconds, 0.0, 3600),
    )
    t.finish()
    try:
        service = BackendSettings(**values)
    except BackendSettingsError as exc:  # validated by the client's model; the key and line added here
        raise t.fail(exc.setting, exc.message) from None
    if not _RESOURCE_PREFIX.match(config["resource_prefix"]):
        raise t.fail("resource_prefix", "use letters, digits and hyphens (at most 41)")
    return BackendConfig(service, **config)


# --- the demo ----------------------------------------------------------------------------------


def demo_config(sample_data: Path, workdir: Path | None = None) -> ExperimentConfig:
    """The demo experiment on `sample_data/`: local backend, both directions, every variant.

    `sample_data/amts.toml`, when present, says which articles are held out; otherwise one
    section in three (never an index page) is.
    """
    sample_data = Path(sample_data)
    own = sample_data / "amts.toml"
    base = load_config(own) if own.is_file() else ExperimentConfig()
    book_path = base.book.path or base.book.source or _demo_book(sample_data)
    articles = base.evaluation.articles or _demo_articles(book_path)
    evaluation = EvaluationSettings(articles, base.evaluation.include_held_out_in_data,
                                    base.evaluation.terminology)
    backend = replace(base.backend, service=replace(base.backend.service, kind="local"), local_job_seconds=0.5)
    book = base.book if (base.book.path or base.book.source) else BookSettings(path=book_path)
    return ExperimentConfig(
        book, base.pipelines, evaluation, backend, base.limits, base.align,
        workdir or resolve_workdir(default=WorkdirDefault.DEMO), base.keymap, own if own.is_file() else None,
    )


def _demo_book(sample_data: Path) -> Path:
    for candidate in (sample_data / "zh", sample_data):
        if (candidate / "config.ini").is_file():
            return candidate
    return sample_data / "zh"


def _demo_articles(book_path: Path) -> tuple[str, ...]:
    names = sorted(
        p.relative_to(book_path).as_posix().removesuffix("_origin.md") + ".md"
        for p in book_path.rglob("*_origin.md") if p.stem != "index_origin"
    )
    return tuple(names[::3]) if names else ()
