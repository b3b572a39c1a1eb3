"""Messages that widgets and workers post upward; screens and the app handle them."""

from __future__ import annotations

from textual.message import Message

from amts.engine.book import Book
from amts.engine.events import Event, Progress


class BookOpened(Message):
    """The user opened a book (Book screen → app, which shares it with the other screens)."""

    def __init__(self, book: Book, label: str) -> None:
        super().__init__()
        self.book = book
        self.label = label  # how to show and remember it: the path the user gave


class PairToggled(Message):
    """A pair was excluded from (or included back into) the parallel data."""

    def __init__(self, key: str, excluded: bool) -> None:
        super().__init__()
        self.key = key
        self.excluded = excluded


class PipelineEvent(Message):
    """One engine event, carried from the job worker to the Jobs screen."""

    def __init__(self, event: Event) -> None:
        super().__init__()
        self.event = event

    def can_replace(self, message: Message) -> bool:
        # A flood of progress updates for one pipeline stage collapses to the newest (toolong).
        return (
            isinstance(message, PipelineEvent)
            and isinstance(self.event, Progress)
            and isinstance(message.event, Progress)
            and message.event.pipeline == self.event.pipeline
            and message.event.stage == self.event.stage
        )


class ArticleSelected(Message):
    """An article was chosen in the BLEU table: open its diff."""

    def __init__(self, article: str) -> None:
        super().__init__()
        self.article = article
