"""Real AWS settings: no default bucket or role, the region from AWS's own chain unless set, and
the bucket checked (never created) on AWS: it must exist in Amazon Translate's region."""

from __future__ import annotations

import boto3
import pytest

from amts.engine.act.backend import open_backend
from amts.engine.act.sync_translation import sync_backend
from amts.engine.client.service import open_service
from amts.engine.client.settings import BackendSettings, BackendSettingsError, aws_region
from amts.engine.errors import AmtsError
from amts.engine.experiment.config import parse_config

ROLE = "arn:aws:iam::123456789012:role/amts-translate"
REGION_VARIABLES = ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE")


@pytest.fixture
def aws_env(monkeypatch, tmp_path):
    """No region anywhere, an AWS config file of our own, dummy keys (moto accepts any)."""
    for name in REGION_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "aws-config"
    config.write_text("[default]\n\n[profile translator]\nregion = eu-west-1\n", encoding="utf-8")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return monkeypatch


# --- no defaults for the account's own things ------------------------------------------------


@pytest.mark.parametrize("table, key", [
    ('kind = "aws"\nrole_arn = "arn:aws:iam::123456789012:role/t"\n', "backend.bucket"),
    ('kind = "aws"\nbucket = "my-translations"\n', "backend.role_arn"),
])
def test_aws_without_bucket_or_role_is_refused_naming_file_and_key(tmp_path, table, key):
    config = tmp_path / "amts.toml"
    with pytest.raises(AmtsError) as error:
        parse_config("[backend]\n" + table, config)
    assert error.value.path == str(config)
    # The key is missing: the line is the [backend] table's, where it belongs.
    assert str(error.value).startswith(f"{config}:1: {key}: the aws backend needs")


def test_aws_settings_have_no_example_bucket_role_or_region():
    with pytest.raises(BackendSettingsError) as error:
        BackendSettings(kind="aws")
    assert error.value.setting == "bucket"
    settings = BackendSettings(kind="aws", bucket="my-translations", role_arn=ROLE)
    assert (settings.bucket, settings.role_arn, settings.region) == ("my-translations", ROLE, "")
    local = BackendSettings(kind="local")
    assert (local.bucket, local.region) == ("amts", "us-east-1")  # the local service's own
    config = parse_config(f'[backend]\nkind = "aws"\nbucket = "my-translations"\nrole_arn = "{ROLE}"\n')
    assert config.backend.service.region == ""  # left to AWS's chain


def test_sync_write_takes_bucket_and_role_from_flags_or_config():
    with pytest.raises(AmtsError, match=r"^--bucket \(or backend.bucket in --config\): the aws backend needs"):
        sync_backend("aws", region="eu-west-1")
    with pytest.raises(AmtsError, match=r"^--role-arn"):
        sync_backend("aws", bucket="my-translations")
    base = BackendSettings(kind="aws", region="eu-west-1", bucket="from-config", role_arn=ROLE, prefix="sync/")
    from_config = sync_backend(None, base=base)
    assert (from_config.kind, from_config.bucket, from_config.region, from_config.prefix) == \
        ("aws", "from-config", "eu-west-1", "sync/")
    flags = sync_backend("aws", bucket="from-flag", region="us-west-2", base=base)
    assert (flags.bucket, flags.region, flags.role_arn) == ("from-flag", "us-west-2", ROLE)
    assert sync_backend(None).kind == "local"


# --- the region: AWS's standard chain unless configured --------------------------------------


def test_region_follows_the_aws_chain_unless_configured(aws_env):
    settings = BackendSettings(kind="aws", bucket="my-translations", role_arn=ROLE)
    with pytest.raises(BackendSettingsError, match="no AWS region is set"):
        aws_region(settings)
    with pytest.raises(BackendSettingsError) as error:
        aws_region(BackendSettings(kind="aws", bucket="b-b-b", role_arn=ROLE, profile="nobody"))
    assert error.value.setting == "profile" and "nobody" in error.value.message
    translator = BackendSettings(kind="aws", bucket="my-translations", role_arn=ROLE, profile="translator")
    assert aws_region(translator) == "eu-west-1"  # the profile's region
    aws_env.setenv("AWS_PROFILE", "translator")
    assert aws_region(settings) == "eu-west-1"
    aws_env.setenv("AWS_DEFAULT_REGION", "ap-northeast-1")
    assert aws_region(settings) == "ap-northeast-1"  # the environment before the profile
    aws_env.setenv("AWS_REGION", "us-west-2")
    assert aws_region(settings) == "us-west-2"  # AWS_REGION first, as the AWS SDKs read it
    configured = BackendSettings(kind="aws", bucket="my-translations", role_arn=ROLE, region="eu-central-1")
    assert aws_region(configured) == "eu-central-1"  # the config's own region wins


# --- the bucket: checked on AWS, never created ----------------------------------------------


def _aws_on(endpoint: str, bucket: str, region: str | None) -> BackendSettings:
    return BackendSettings(kind="aws", bucket=bucket, role_arn=ROLE, region=region or "",
                           s3_endpoint_url=endpoint, translate_endpoint_url=endpoint, max_attempts=1)


async def _open(settings: BackendSettings, tmp_path) -> str:
    async with open_backend(settings, tmp_path / "work") as service:
        return service.settings.region


async def test_the_bucket_must_be_in_the_translate_region(aws_env, moto_endpoint, tmp_path):
    s3 = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket="amts-in-ireland", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.create_bucket(Bucket="amts-in-virginia")  # no LocationConstraint: us-east-1
    assert await _open(_aws_on(moto_endpoint, "amts-in-ireland", "eu-west-1"), tmp_path) == "eu-west-1"
    assert await _open(_aws_on(moto_endpoint, "amts-in-virginia", "us-east-1"), tmp_path) == "us-east-1"
    aws_env.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    assert await _open(_aws_on(moto_endpoint, "amts-in-ireland", None), tmp_path) == "eu-west-1"
    with pytest.raises(AmtsError) as error:
        await _open(_aws_on(moto_endpoint, "amts-in-virginia", None), tmp_path)
    assert str(error.value) == ("the S3 bucket 'amts-in-virginia' is in region us-east-1, but Amazon "
                                "Translate is used in eu-west-1: they must be the same region. Set the "
                                "region to us-east-1, or name a bucket in eu-west-1")


async def test_a_missing_bucket_is_reported_and_never_created_on_aws(aws_env, moto_endpoint, tmp_path):
    with pytest.raises(AmtsError, match="'amts-nowhere' does not exist: create it in Amazon Translate's region"):
        await _open(_aws_on(moto_endpoint, "amts-nowhere", "us-east-1"), tmp_path)
    async with open_service(_aws_on(moto_endpoint, "amts-nowhere", "us-east-1")) as service:
        with pytest.raises(AmtsError, match="AMTS never creates S3 buckets on AWS"):
            await service.ensure_bucket()
    s3 = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")
    assert "amts-nowhere" not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
