"""The study's table: article × variant BLEU and chrF, with averages and terminology hits."""

from __future__ import annotations

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


def _score(value: float | None) -> Text:
    return Text("—" if value is None else f"{value:.1f}", justify="right")


class BleuTable(Table):
    """One row per scored article, one BLEU/chrF/terms column group per variant; Enter opens a diff."""

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="cell", zebra_stripes=True, **kwargs)
        self.variants: list[str] = []
        self.flexible_columns = ("article",)

    def show(self, pipelines: list) -> None:
        """Fill from the PipelineResults of one direction (amts.engine.experiment.report)."""
        self.clear(columns=True)
        by_variant = {p.variant: p for p in pipelines}
        self.variants = [v for v in VARIANT_ORDER if v in by_variant] + sorted(
            v for v in by_variant if v not in VARIANT_ORDER)
        self.add_column("Article", key="article", width=8)
        for v in self.variants:
            self.add_column(f"{SHORT_NAMES.get(v, v)}\nBLEU", key=f"{v}|bleu")
            self.add_column("\nchrF", key=f"{v}|chrf", width=5)
            self.add_column("\nterms", key=f"{v}|terms", width=5)
        articles: list[str] = []
        for p in by_variant.values():
            articles += [a.path for a in p.articles if a.path not in articles]
        for article in sorted(articles):
            cells: list = [one_line(article)]  # a path, not markup; cut with "…" when narrow
            for v in self.variants:
                score = next((a for a in by_variant[v].articles if a.path == article), None)
                terms = f"{score.terms_hit}/{score.terms_checked}" if score and score.terms_checked else "—"
                cells += [_score(score.bleu if score else None), _score(score.chrf if score else None),
                          Text(terms, justify="right")]
            self.add_row(*cells, key=article)
        mean, corpus = [one_line("mean of articles", "bold")], [one_line("corpus", "bold")]
        for v in self.variants:
            scores = by_variant[v].articles
            hit = sum(a.terms_hit for a in scores)
            checked = sum(a.terms_checked for a in scores)
            mean += [_score(sum(a.bleu for a in scores) / len(scores) if scores else None),
                     _score(sum(a.chrf for a in scores) / len(scores) if scores else None),
                     Text(f"{hit / checked:.0%}" if checked else "—", justify="right")]
            corpus += [_score(by_variant[v].bleu), _score(by_variant[v].chrf),
                       Text(f"{hit}/{checked}" if checked else "—", justify="right")]
        self.add_row(*mean, key=MEAN_ROW)
        self.add_row(*corpus, key=CORPUS_ROW)
        self.header_height = 2
        self.fixed_columns = 1  # narrower than every column: scroll the scores, never the names
        self.fit_columns()

    def selected(self) -> tuple[str, str] | None:
        """(article, variant) under the cursor; the article column means the last variant."""
        if not self.row_count or not self.variants:
            return None
        row_key, column_key = self.coordinate_to_cell_key(self.cursor_coordinate)
        article = row_key.value or ""
        if article in (MEAN_ROW, CORPUS_ROW):
            return None
        column = column_key.value or ""
        variant = column.split("|")[0] if "|" in column else self.variants[-1]
        return article, variant

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        if self.selected() is not None:
            self.post_message(ArticleSelected(self.selected()[0]))

    def variant_column(self, variant: str) -> int:
        return self.get_column_index(ColumnKey(f"{variant}|bleu"))
