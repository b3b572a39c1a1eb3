"""AMTS engine: books, alignment, parallel data, protection, backends, pipelines. No UI code."""

__version__ = "0.1.0"
