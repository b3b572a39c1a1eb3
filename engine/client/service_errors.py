"""Turn botocore failures into AmtsError messages a maintainer understands, and retry conflicts.

botocore's standard retry mode already retries throttling (TooManyRequests), 500/502/503/504 and
connection errors with jittered backoff. It does not retry Amazon Translate's ConflictException
("try your request again") or ConcurrentModificationException (another create/update is running),
so ``call_with_retries`` does, with the same request (and so the same ClientToken) each time.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from botocore import exceptions as bx

from amts.engine.client.jobstate import retry_delay
from amts.engine.credentials import scrub_secrets
from amts.engine.errors import AmtsError

__all__ = ["RETRY_ALSO", "call_with_retries", "error_code", "scrub_secrets", "to_amts_error"]

T = TypeVar("T")

# Codes botocore does not retry but Amazon Translate documents as "try again".
RETRY_ALSO = frozenset({"ConflictException", "ConcurrentModificationException"})
_THROTTLING = frozenset(
    {"TooManyRequestsException", "ThrottlingException", "Throttling", "SlowDown",
     "RequestLimitExceeded"}
)
_SERVER_BUSY = frozenset({"InternalServerException", "ServiceUnavailableException",
                          "InternalError", "ServiceUnavailable"})
_ACCESS_DENIED = frozenset({"AccessDenied", "AccessDeniedException", "Forbidden", "403"})
_BAD_CREDENTIALS = frozenset({"InvalidClientTokenId", "UnrecognizedClientException",
                              "InvalidAccessKeyId", "SignatureDoesNotMatch",
                              "InvalidSignatureException", "AuthFailure"})
_EXPIRED = frozenset({"ExpiredToken", "ExpiredTokenException", "RequestExpired"})

def error_code(exc: BaseException) -> str | None:
    """The service error code of a botocore ClientError, else None."""
    if isinstance(exc, bx.ClientError):
        return str(exc.response.get("Error", {}).get("Code") or "") or None
    return None


def _service_message(exc: bx.ClientError) -> str:
    return scrub_secrets(str(exc.response.get("Error", {}).get("Message") or "").strip())


def to_amts_error(
    exc: BaseException,
    action: str,
    *,
    bucket: str | None = None,
    resource: str | None = None,
    region: str | None = None,
) -> AmtsError:
    """An AmtsError that says what failed while doing ``action`` and what to do about it."""
    if isinstance(exc, AmtsError):
        return exc
    if isinstance(exc, (bx.NoCredentialsError, bx.PartialCredentialsError)):
        return AmtsError(
            f"{action}: no usable AWS credentials were found. Configure a profile "
            "(`aws configure` or `aws sso login`) and select it in the settings or with "
            "AWS_PROFILE, or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY; "
            "or use the local backend, which needs none"
        )
    if isinstance(exc, (bx.SSOTokenLoadError, bx.UnauthorizedSSOTokenError,
                        bx.TokenRetrievalError)):
        return AmtsError(f"{action}: the AWS SSO session has expired: run `aws sso login`")
    if isinstance(exc, bx.ProfileNotFound):
        return AmtsError(f"{action}: {scrub_secrets(str(exc))}: add it to ~/.aws/config "
                         "or choose another profile in the settings")
    if isinstance(exc, bx.EndpointConnectionError):
        return AmtsError(
            f"{action}: cannot connect to {exc.kwargs.get('endpoint_url', 'the endpoint')}: "
            "check the network, the region, or that the local backend is running"
        )
    if isinstance(exc, (bx.ReadTimeoutError, bx.ConnectTimeoutError)):
        return AmtsError(f"{action}: the service did not answer in time ({exc}); try again")
    if isinstance(exc, bx.ParamValidationError):
        return AmtsError(f"{action}: the request was invalid: {scrub_secrets(str(exc))}")
    if not isinstance(exc, bx.ClientError):
        return AmtsError(f"{action}: {type(exc).__name__}: {scrub_secrets(str(exc))}")

    code = error_code(exc) or "Unknown"
    message = _service_message(exc)
    said = f" (the service said: {message})" if message else ""
    if code in ("NoSuchBucket",) or (code in ("404", "NotFound") and bucket and not resource):
        where = f" in region {region}" if region else ""
        return AmtsError(
            f"{action}: the S3 bucket {bucket!r} does not exist{where}: create it, or set the "
            "bucket in the settings to one you own"
        )
    if code in ("NoSuchKey",):
        return AmtsError(f"{action}: no S3 object {resource or ''} in bucket {bucket!r}{said}")
    if code in _ACCESS_DENIED:
        return AmtsError(
            f"{action}: access denied{said}. The credentials in use lack this permission; "
            "batch jobs also need a data-access role that Amazon Translate can assume, with "
            "s3:GetObject and s3:ListBucket on the input and s3:PutObject on the output"
        )
    if code in _BAD_CREDENTIALS:
        return AmtsError(f"{action}: AWS rejected the credentials ({code}): check the profile "
                         "or keys in use and the region")
    if code in _EXPIRED:
        return AmtsError(f"{action}: the AWS credentials have expired: log in again "
                         "(`aws sso login`) or refresh the keys")
    if code == "UnsupportedLanguagePairException":
        return AmtsError(f"{action}: Amazon Translate does not support this language pair{said}")
    if code == "LimitExceededException":
        return AmtsError(
            f"{action}: an Amazon Translate limit was exceeded{said}. Reduce the quantity "
            "(fewer documents, smaller files, fewer resources or concurrent jobs) or ask AWS "
            "for a higher quota"
        )
    if code == "TextSizeLimitExceededException":
        return AmtsError(f"{action}: the text is larger than Amazon Translate accepts{said}")
    if code == "ResourceNotFoundException":
        what = f"{resource!r} " if resource else ""
        return AmtsError(f"{action}: the resource {what}was not found{said}")
    if code in _THROTTLING:
        return AmtsError(f"{action}: still throttled by AWS after all retries{said}; "
                         "wait a minute or lower the concurrency")
    if code in _SERVER_BUSY:
        return AmtsError(f"{action}: the service kept failing ({code}) after all retries{said}; "
                         "try again later")
    if code in RETRY_ALSO:
        return AmtsError(f"{action}: a conflicting operation kept running ({code}){said}; "
                         "wait for it to finish and try again")
    if code in ("InvalidParameterValueException", "InvalidRequestException", "ValidationException",
                "InvalidFilterException"):
        return AmtsError(f"{action}: the request was rejected as invalid ({code}){said}")
    return AmtsError(f"{action}: {code}{said}")


async def call_with_retries(
    call: Callable[[], Awaitable[T]],
    *,
    attempts: int,
    retry_codes: frozenset[str] = RETRY_ALSO,
    base_delay: float = 0.5,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> T:
    """Await ``call()``; on a ClientError whose code is in ``retry_codes``, back off and repeat.

    ``call`` must rebuild the same request each time (same ClientToken), so that a retry of a
    request that did reach the service is recognised as the same request.
    """
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except bx.ClientError as exc:
            if error_code(exc) not in retry_codes or attempt == attempts:
                raise
            await sleep(random.uniform(0, retry_delay(attempt, base=base_delay)))
    raise AssertionError("unreachable: the loop returns or raises")
