"""The AMTS engine: everything but the UI, importable without Textual or Rich.

Capabilities, from the core up (ARCHITECTURE.md draws the layers):
  markup/        the d2lbook Markdown model, sentence segmentation, markup protection
  align/         paragraph and sentence alignment of a section and of a whole book (cached)
  paralleldata/  Amazon Translate parallel-data files, the translation memory, term lists
  sync/          planning a sync of a translation with its new source, and writing it
  client/        the one aiobotocore client (S3 + Amazon Translate), for AWS and the local service
  local_service/ moto's S3 and our Translate-compatible endpoint on 127.0.0.1
  act/           the ACT batch-job workflow and the durable record of runs and jobs
  experiment/    the configured study: sub-pipelines, scoring, report
Shared by all: errors, atomic (file writes), textfile (file reads), book, cost, events, evaluate,
workdir (where work goes), tree_evaluation (two folders scored), write_targets, credentials.
"""

__version__ = "0.1.0"
