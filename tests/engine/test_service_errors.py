"""Failures become AmtsError messages a maintainer understands, and never carry credentials."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from amts.engine.client.service import open_service
from amts.engine.client.service_errors import call_with_retries, scrub_secrets, to_amts_error
from amts.engine.client.settings import BackendSettings
from amts.engine.errors import AmtsError

# Shaped like real keys so that scrubbing is exercised; not real credentials.
ACCESS_KEY_ID = "AKIAZZZZEXAMPLE12345"
SECRET_KEY = "zZ9/amtsTestSecretKeyNotRealAtAll+000000"
CREDENTIAL_ENV = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                  "AWS_SECURITY_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
                  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                  "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN")


def client_error(code: str, message: str, status: int = 400, op: str = "Op") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message},
                        "ResponseMetadata": {"HTTPStatusCode": status}}, op)


ROLE_ARN = "arn:aws:iam::123456789012:role/amts-test"


@pytest.fixture
def isolated_aws_env(monkeypatch, tmp_path):
    """No credentials anywhere: empty config files, no env keys, no instance metadata."""
    for name in CREDENTIAL_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return monkeypatch


@pytest.mark.parametrize("code, expected", [
    ("AccessDeniedException", "access denied"),
    ("AccessDenied", "access denied"),
    ("NoSuchBucket", "bucket 'amts' does not exist"),
    ("UnsupportedLanguagePairException", "does not support this language pair"),
    ("LimitExceededException", "limit was exceeded"),
    ("ResourceNotFoundException", "'d2l' was not found"),
    ("TooManyRequestsException", "throttled"),
    ("UnrecognizedClientException", "rejected the credentials"),
    ("ExpiredTokenException", "expired"),
])
def test_each_error_code_has_a_maintainer_message(code, expected):
    # The service message quotes credentials, as some signature errors do.
    exc = client_error(code, f"Details for {ACCESS_KEY_ID} with {SECRET_KEY}")
    error = to_amts_error(exc, "doing X", bucket="amts", resource="d2l")
    text = str(error)
    assert text.startswith("doing X: ") and expected in text
    assert SECRET_KEY not in text and ACCESS_KEY_ID not in text


def test_connection_failure_names_the_endpoint():
    exc = EndpointConnectionError(endpoint_url="http://127.0.0.1:9")
    assert "cannot connect to http://127.0.0.1:9" in str(to_amts_error(exc, "listing"))


def test_scrub_secrets_keeps_ordinary_text():
    assert scrub_secrets("job 1c1838f470806ab9c3e0057f14717bed failed") == (
        "job 1c1838f470806ab9c3e0057f14717bed failed")
    assert scrub_secrets(f"key={SECRET_KEY}.") == "key=***."


async def test_conflicts_are_retried_with_the_same_request_then_succeed():
    calls = []

    async def call():
        calls.append(1)
        if len(calls) < 3:
            raise client_error("ConflictException", "try again", 409)
        return "ok"

    async def no_sleep(_):
        return None

    assert await call_with_retries(call, attempts=5, sleep=no_sleep) == "ok"
    assert len(calls) == 3


async def test_non_retryable_errors_are_raised_at_once():
    calls = []

    async def call():
        calls.append(1)
        raise client_error("UnsupportedLanguagePairException", "no", 400)

    with pytest.raises(ClientError):
        await call_with_retries(call, attempts=5)
    assert len(calls) == 1


async def test_missing_credentials_say_how_to_configure_them(isolated_aws_env, moto_endpoint):
    settings = BackendSettings(kind="aws", region="us-east-1", bucket="amts-test", role_arn=ROLE_ARN,
                               s3_endpoint_url=moto_endpoint, translate_endpoint_url=moto_endpoint,
                               max_attempts=1)
    async with open_service(settings) as service:
        with pytest.raises(AmtsError, match="no usable AWS credentials") as caught:
            await service.list_prefix("x/")
    assert "aws sso login" in str(caught.value)


async def test_unknown_profile_is_named(isolated_aws_env):
    settings = BackendSettings(kind="aws", profile="amts-no-such-profile", bucket="amts-test", role_arn=ROLE_ARN)
    with pytest.raises(AmtsError, match="amts-no-such-profile"):
        async with open_service(settings):
            pass


async def test_errors_from_a_real_endpoint_never_contain_the_secret(isolated_aws_env,
                                                                   moto_endpoint, tmp_path):
    isolated_aws_env.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID)
    isolated_aws_env.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    settings = BackendSettings(kind="aws", region="us-east-1", bucket="amts-missing", role_arn=ROLE_ARN,
                               s3_endpoint_url=moto_endpoint,
                               translate_endpoint_url=moto_endpoint, max_attempts=1)
    (tmp_path / "a.txt").write_text("x")
    messages = []
    async with open_service(settings) as service:
        assert "Secret" not in repr(service) and SECRET_KEY not in repr(service)
        for attempt in (service.list_prefix("x/"), service.upload_file(tmp_path / "a.txt", "x/a"),
                        service.read_object("x/a"), service.download_prefix("x/", tmp_path / "d")):
            with pytest.raises(AmtsError) as caught:
                await attempt
            messages.append(str(caught.value))
    assert all("'amts-missing' does not exist" in m for m in messages)
    assert not any(SECRET_KEY in m or ACCESS_KEY_ID in m for m in messages)


async def test_local_backend_ignores_an_aws_profile_from_the_environment(isolated_aws_env,
                                                                        moto_endpoint):
    isolated_aws_env.setenv("AWS_PROFILE", "amts-no-such-profile")
    settings = BackendSettings(kind="local", bucket="amts-env", s3_endpoint_url=moto_endpoint,
                               translate_endpoint_url=moto_endpoint)
    async with open_service(settings) as service:
        assert await service.ensure_bucket() is True
