"""The language codes Amazon Translate accepts (the model only says 2-5 characters).

From the developer guide's "Supported languages and language codes" (what-is-languages), 75
codes; `auto` is accepted as a source language only. A code outside this list is refused with
UnsupportedLanguagePairException, so a request the local endpoint accepts is one AWS accepts.
"""

from __future__ import annotations

from amts.engine.local_service.protocol import ServiceError

SUPPORTED_LANGUAGES = frozenset("""
    af sq am ar hy az bn bs bg ca zh zh-TW hr cs da fa-AF nl en et fa tl fi fr fr-CA ka de el gu
    ht ha he hi hu is id ga it ja kn kk ko lv lt mk ms ml mt mr mn no ps pl pt pt-PT pa ro ru sr
    si sk sl so es es-MX sw sv ta te th tr uk ur uz vi cy
""".split())
AUTO = "auto"


def check_language_codes(source: str, targets: list[str]) -> None:
    """UnsupportedLanguagePairException unless every code is one Amazon Translate supports."""
    unknown = [code for code in targets if code not in SUPPORTED_LANGUAGES]
    if source != AUTO and source not in SUPPORTED_LANGUAGES:
        unknown.insert(0, source)
    if unknown:
        raise ServiceError(
            "UnsupportedLanguagePairException",
            f"Amazon Translate does not support the language code(s) {', '.join(unknown)}",
        )
