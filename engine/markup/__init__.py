"""Markup: the d2lbook Markdown model, sentence segmentation per language, and markup protection
(Markdown ↔ the HTML a translator sees, with every span it must not touch marked translate="no")."""
