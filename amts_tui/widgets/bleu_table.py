"""The study's table: article × variant BLEU and chrF, with averages and terminology hits; or two
runs compared, a column per metric delta. It fits the width it has: the article names shrink, the
terms columns go first (the summary says so), and the scores scroll under a fixed article column."""

from __future__ import annotations

from pathlib import PurePosixPath

from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey

from amts.tui.messages import ArticleSelected
from amts.tui.widgets.table import Table, one_line

VARIANT_ORDER = ("no-act", "act-paragraph", "act-sentence")
#: Column headers short enough that every variant fits 80 columns beside the article names.
SHORT_NAMES = {"act-paragraph": "para", "act-sentence": "sent"}
MEAN_ROW = "__mean__"
CORPUS_ROW = "__corpus__"
#: Cells per score column (DataTable adds one cell of padding each side).
BLEU_WIDTH, CHRF_WIDTH, TERMS_WIDTH, PADDING = 8, 6, 5, 2
MIN_ARTICLE_WIDTH = 12


def _score(value: float | None) -> Text:
    return Text("—" if value is None else f"{value:.1f}", justify="right")


def _delta(value: float | None) -> Text:
    if value is None:
        return Text("—", justify="right")
    style = "green" if value > 0.005 else "red" if value < -0.005 else ""
    return Text(f"{value:+.2f}", style=style, justify="right")


def short_article(path: str, width: int) -> str:
    """The article as a narrow column shows it: the file name without `.md`, clipped."""
    name = path if len(path) <= width else PurePosixPath(path).name.removesuffix(".md")
    return name if len(name) <= width else name[:width - 1] + "…"


def order_variants(variants) -> list[str]:
    names = [str(v) for v in variants]
    return [v for v in VARIANT_ORDER if v in names] + sorted(v for v in names if v not in VARIANT_ORDER)


class BleuTable(Table):
    """One row per scored article, one BLEU/chrF(/terms) column group per variant; Enter opens a diff."""

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="cell", zebra_stripes=True, **kwargs)
        self.variants: list[str] = []
        self.terms_hidden = False
        self.comparing = False
        self.overflows = False  # some score columns lie beyond the width: they scroll (say so)

    def _article_width(self, score_width: int, articles: list[str], available: int) -> int:
        longest = max((len(a) for a in articles), default=MIN_ARTICLE_WIDTH)
        room = available - score_width - PADDING - 2  # 2: the vertical scrollbar
        width = max(MIN_ARTICLE_WIDTH, min(longest, room, 40))
        self.overflows = width + PADDING + score_width + 2 > available
        return width

    def show(self, pipelines: list, carried: frozenset[str] = frozenset(), available: int = 0) -> None:
        """Fill from the PipelineResults of one direction (amts.engine.experiment.report); the
        variants in `carried` come from an earlier run (their header says so with `*`)."""
        self.clear(columns=True)
        self.comparing = False
        available = available or self.size.width or 120
        by_variant = {str(p.variant): p for p in pipelines}
        self.variants = order_variants(by_variant)
        articles: list[str] = sorted({a.path for p in by_variant.values() for a in p.articles})
        scores = len(self.variants) * (BLEU_WIDTH + CHRF_WIDTH + 2 * PADDING)
        with_terms = scores + len(self.variants) * (TERMS_WIDTH + PADDING)
        self.terms_hidden = with_terms + MIN_ARTICLE_WIDTH + PADDING + 2 > available
        width = self._article_width(scores if self.terms_hidden else with_terms, articles, available)
        self.add_column("Article", key="article", width=width)
        for v in self.variants:
            mark = "*" if any(p.name in carried for p in pipelines if str(p.variant) == v) else ""
            self.add_column(f"{SHORT_NAMES.get(v, v)}{mark}\nBLEU", key=f"{v}|bleu", width=BLEU_WIDTH)
            self.add_column("\nchrF", key=f"{v}|chrf", width=CHRF_WIDTH)
            if not self.terms_hidden:
                self.add_column("\nterms", key=f"{v}|terms", width=TERMS_WIDTH)
        for article in articles:
            cells: list = [short_article(article, width)]
            for v in self.variants:
                score = next((a for a in by_variant[v].articles if a.path == article), None)
                cells += [_score(score.bleu if score else None), _score(score.chrf if score else None)]
                if not self.terms_hidden:
                    terms = f"{score.terms_hit}/{score.terms_checked}" if score and score.terms_checked else "—"
                    cells.append(Text(terms, justify="right"))
            self.add_row(*cells, key=article)
        mean, corpus = [one_line("mean of articles", "bold")], [one_line("corpus", "bold")]
        for v in self.variants:
            scored = by_variant[v].articles
            hit = sum(a.terms_hit for a in scored)
            checked = sum(a.terms_checked for a in scored)
            mean += [_score(sum(a.bleu for a in scored) / len(scored) if scored else None),
                     _score(sum(a.chrf for a in scored) / len(scored) if scored else None)]
            corpus += [_score(by_variant[v].bleu), _score(by_variant[v].chrf)]
            if not self.terms_hidden:
                mean.append(Text(f"{hit / checked:.0%}" if checked else "—", justify="right"))
                corpus.append(Text(f"{hit}/{checked}" if checked else "—", justify="right"))
        self.add_row(*mean, key=MEAN_ROW)
        self.add_row(*corpus, key=CORPUS_ROW)
        self.header_height = 2
        self.fixed_columns = 1  # narrower than every column: scroll the scores, never the names
        self.fit_columns()

    def show_comparison(self, deltas: list, available: int = 0) -> None:
        """Fill from `history.compare_runs`: per article and variant, ΔBLEU and ΔchrF (newer − older)."""
        self.clear(columns=True)
        self.comparing, self.terms_hidden = True, False
        available = available or self.size.width or 120
        self.variants = order_variants(dict.fromkeys(d.variant for d in deltas))
        articles = list(dict.fromkeys(d.article for d in deltas if d.article))
        scores = len(self.variants) * (BLEU_WIDTH + CHRF_WIDTH + 2 * PADDING)
        width = self._article_width(scores, articles, available)
        self.add_column("Article", key="article", width=width)
        for v in self.variants:
            self.add_column(f"{SHORT_NAMES.get(v, v)}\nΔBLEU", key=f"{v}|bleu", width=BLEU_WIDTH)
            self.add_column("\nΔchrF", key=f"{v}|chrf", width=CHRF_WIDTH)
        by_key = {(d.article, d.variant): d for d in deltas}
        for article in [*articles, ""]:
            cells: list = [short_article(article, width) if article else Text("corpus", style="bold")]
            for v in self.variants:
                d = by_key.get((article, v))
                cells += [_delta(d.bleu_delta if d else None), _delta(d.chrf_delta if d else None)]
            self.add_row(*cells, key=article or CORPUS_ROW)
        self.header_height = 2
        self.fixed_columns = 1

    def selected(self) -> tuple[str, str] | None:
        """(article, variant) under the cursor; on the article column, the first variant (the
        column beside it, always visible)."""
        if not self.row_count or not self.variants:
            return None
        row_key, column_key = self.coordinate_to_cell_key(self.cursor_coordinate)
        article = row_key.value or ""
        if article in (MEAN_ROW, CORPUS_ROW):
            return None
        column = column_key.value or ""
        variant = column.split("|")[0] if "|" in column else self.variants[0]
        return article, variant

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        if self.selected() is not None:
            self.post_message(ArticleSelected(self.selected()[0]))

    def variant_column(self, variant: str) -> int:
        return self.get_column_index(ColumnKey(f"{variant}|bleu"))
