"""Amazon Translate's JSON 1.1 wire protocol: requests checked against botocore's own model.

botocore's own validator checks types, required members and minimums; this endpoint also checks
what it leaves to the service: enums, maximum lengths and the patterns (Java regular expressions
in the model, matched here in full, which is never looser than the service), so that a request
the local backend accepts is one that AWS accepts too.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from functools import cache, lru_cache
from typing import Any

import botocore.session
import regex
from botocore.model import OperationModel, ServiceModel, Shape
from botocore.validate import ParamValidator

TARGET_PREFIX = "AWSShineFrontendService_20170701."
CONTENT_TYPE = "application/x-amz-json-1.1"


class ServiceError(Exception):
    """An error the endpoint answers with: botocore raises ClientError with this code."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status

    def body(self) -> bytes:
        return json.dumps({"__type": self.code, "message": self.message}).encode()


def not_found(message: str) -> ServiceError:
    return ServiceError("ResourceNotFoundException", message, 404)


def invalid_request(message: str) -> ServiceError:
    return ServiceError("InvalidRequestException", message, 400)


def invalid_parameter(message: str) -> ServiceError:
    return ServiceError("InvalidParameterValueException", message, 400)


def conflict(message: str) -> ServiceError:
    return ServiceError("ConflictException", message, 409)


@lru_cache(maxsize=1)
def translate_model() -> ServiceModel:
    """botocore's service model of Amazon Translate (what every SDK client speaks)."""
    return botocore.session.get_session().get_service_model("translate")


def operation_for_target(target: str | None) -> OperationModel:
    """The operation named by an `X-Amz-Target` header, or UnknownOperationException."""
    if not target or not target.startswith(TARGET_PREFIX):
        raise ServiceError("UnknownOperationException", f"unknown X-Amz-Target {target!r}")
    name = target[len(TARGET_PREFIX):]
    try:
        return translate_model().operation_model(name)
    except Exception:
        raise ServiceError("UnknownOperationException", f"unknown operation {name!r}") from None


def parse_request(operation: OperationModel, body: bytes) -> dict[str, Any]:
    """Decode and validate a request body; wire timestamps and blobs become datetime and bytes."""
    try:
        raw = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise ServiceError("SerializationException", "the request body is not valid JSON") from None
    if not isinstance(raw, dict):
        raise ServiceError("SerializationException", "the request body is not a JSON object")
    shape = operation.input_shape
    if shape is None:
        return {}
    params = _from_wire(raw, shape, shape.name)
    report = ParamValidator().validate(params, shape)
    problems = [report.generate_report()] if report.has_errors() else []
    problems += _check_enums_and_limits(params, shape, shape.name)
    if problems:
        raise ServiceError("ValidationException", "; ".join(problems))
    return params


def _from_wire(value: Any, shape: Shape, where: str) -> Any:
    if shape.type_name == "structure" and isinstance(value, dict):
        return {
            key: _from_wire(item, shape.members[key], f"{where}.{key}")
            if key in shape.members else item
            for key, item in value.items()
        }
    if shape.type_name == "list" and isinstance(value, list):
        return [_from_wire(item, shape.member, f"{where}[{i}]") for i, item in enumerate(value)]
    if shape.type_name == "map" and isinstance(value, dict):
        return {key: _from_wire(item, shape.value, f"{where}.{key}") for key, item in value.items()}
    if shape.type_name == "timestamp" and isinstance(value, (int, float)):
        return dt.datetime.fromtimestamp(value, tz=dt.UTC)
    if shape.type_name == "blob" and isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise ServiceError("SerializationException", f"{where} is not base64") from None
    return value


def _check_enums_and_limits(value: Any, shape: Shape, where: str) -> list[str]:
    """What botocore's validator leaves out: enum membership and maximum lengths."""
    problems: list[str] = []
    if shape.type_name == "structure" and isinstance(value, dict):
        for key, item in value.items():
            if key in shape.members:
                problems += _check_enums_and_limits(item, shape.members[key], f"{where}.{key}")
    elif shape.type_name == "list" and isinstance(value, list):
        maximum = shape.metadata.get("max")
        if maximum is not None and len(value) > maximum:
            problems.append(f"{where} has {len(value)} members, at most {maximum} allowed")
        for i, item in enumerate(value):
            problems += _check_enums_and_limits(item, shape.member, f"{where}[{i}]")
    elif shape.type_name == "string" and isinstance(value, str):
        if shape.enum and value not in shape.enum:
            problems.append(f"{where} must be one of {', '.join(shape.enum)}, not {value!r}")
        maximum = shape.metadata.get("max")
        if maximum is not None and len(value) > maximum:
            problems.append(f"{where} is longer than {maximum} characters")
        pattern = shape.metadata.get("pattern")
        if pattern is not None and not model_pattern(pattern).fullmatch(value):
            problems.append(f"{where} {_excerpt(value)} does not match the pattern {pattern}")
    elif shape.type_name in ("integer", "long") and isinstance(value, int):
        maximum = shape.metadata.get("max")
        if maximum is not None and value > maximum:
            problems.append(f"{where} must be at most {maximum}")
    return problems


@cache
def model_pattern(java_pattern: str) -> regex.Pattern:
    """A pattern of the service model (Java syntax) compiled with Java's meaning.

    `regex` knows Java's \\p{L}, \\P{M} and \\p{ASCII}; what differs is spelled out: Java's \\w and \\d
    are ASCII-only, and its `.` stops at any line terminator, not only at \\n.
    """
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(java_pattern):
        char = java_pattern[i]
        if char == "\\" and i + 1 < len(java_pattern):
            escaped = java_pattern[i + 1]
            ascii_class = {"w": "A-Za-z0-9_", "d": "0-9"}.get(escaped)
            if ascii_class is None:
                out.append(java_pattern[i:i + 2])
            else:
                out.append(ascii_class if in_class else f"[{ascii_class}]")
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == ".":
            char = "[^\\n\\r\\u0085\\u2028\\u2029]"
        out.append(char)
        i += 1
    return regex.compile("".join(out))


def _excerpt(value: str, limit: int = 80) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "…")


def to_wire(value: Any) -> Any:
    """Python response values → JSON 1.1 (timestamps as epoch seconds)."""
    if isinstance(value, dict):
        return {key: to_wire(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [to_wire(item) for item in value]
    if isinstance(value, dt.datetime):
        return value.timestamp()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
