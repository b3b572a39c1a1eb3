"""S3 transfers through the one client layer, against moto's S3 server on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest

from amts.engine.client.service import open_service
from amts.engine.client.settings import BackendSettings
from amts.engine.errors import AmtsError
from amts.engine.safe_paths import relative_key_parts, safe_destination


@pytest.fixture
def settings(moto_endpoint, request):
    # One bucket per test: the moto server is shared by the module.
    bucket = "amts-" + request.node.name.replace("_", "-")[:40].lower().strip("-")
    return BackendSettings(kind="local", bucket=bucket, s3_endpoint_url=moto_endpoint,
                           translate_endpoint_url=moto_endpoint, max_concurrency=4)


def make_book(root: Path) -> dict[str, bytes]:
    files = {
        "preface.html": b"<html><body><p data-b=\"0\">Preface</p></body></html>",
        "chapter_intro/index.0.html": "<p>深度学习</p>".encode(),
        "chapter_intro/deep/nested.csv": b"en,zh\nhello,\xe4\xbd\xa0\xe5\xa5\xbd\n",
    }
    for relative, data in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return files


async def test_upload_folder_list_and_download_round_trip(settings, tmp_path):
    files = make_book(tmp_path / "book")
    async with open_service(settings) as service:
        assert await service.ensure_bucket() is True
        assert await service.ensure_bucket() is False
        keys = await service.upload_folder(tmp_path / "book", "amts/docs")
        assert keys == sorted("amts/docs/" + k for k in files)
        listed = await service.list_prefix("amts/docs/")
        assert [o.key for o in listed] == keys
        assert {o.key: o.size for o in listed} == {"amts/docs/" + k: len(v)
                                                   for k, v in files.items()}
        downloaded = await service.download_prefix("amts/docs", tmp_path / "back")
    assert set(downloaded) == set(files)
    for relative, data in files.items():
        assert downloaded[relative] == (tmp_path / "back" / relative).resolve()
        assert downloaded[relative].read_bytes() == data


async def test_upload_many_files_concurrently(settings, tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(40):
        (folder / f"doc{n:03}.html").write_text(f"<p>{n}</p>")
    async with open_service(settings) as service:
        await service.ensure_bucket()
        await service.upload_folder(folder, "many/")
        objects = await service.list_prefix("many/")
        assert len(objects) == 40
        assert await service.read_object("many/doc017.html") == b"<p>17</p>"


async def test_prefix_is_a_folder_not_a_string_prefix(settings, tmp_path):
    async with open_service(settings) as service:
        await service.ensure_bucket()
        await service.upload_bytes(b"in", "job/a.html")
        await service.upload_bytes(b"out", "jobs/b.html")
        got = await service.download_prefix("job", tmp_path / "d")
    assert list(got) == ["a.html"]


HOSTILE_KEYS = [
    "../escape.txt",
    "docs/../../escape.txt",
    "/etc/passwd",
    "docs//double.txt",
    "docs/./dot.txt",
    "docs\\..\\escape.txt",
    "C:/windows.txt",
    "..",
]


@pytest.mark.parametrize("relative", HOSTILE_KEYS)
def test_hostile_relative_keys_are_refused(tmp_path, relative):
    with pytest.raises(AmtsError, match="refusing"):
        safe_destination(tmp_path, relative)


def test_ordinary_keys_stay_inside(tmp_path):
    assert relative_key_parts("a/b.c/ç.html") == ("a", "b.c", "ç.html")
    assert safe_destination(tmp_path, "a/..b/c..") == tmp_path.resolve() / "a" / "..b" / "c.."


def test_symlink_inside_destination_cannot_lead_outside(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "link").symlink_to(outside, target_is_directory=True)
    with pytest.raises(AmtsError, match="outside"):
        safe_destination(dest, "link/x.txt")


@pytest.mark.parametrize("hostile", ["../escape.txt", "a/../../escape.txt", "a//b.txt",
                                     "a\\..\\b.txt"])
async def test_download_of_a_prefix_with_a_hostile_key_writes_nothing(settings, tmp_path,
                                                                      hostile):
    dest = tmp_path / "inner" / "dest"
    async with open_service(settings) as service:
        await service.ensure_bucket()
        await service.upload_bytes(b"fine", "out/good.txt")
        await service.upload_bytes(b"evil", "out/" + hostile)
        with pytest.raises(AmtsError, match="refusing to download S3 key"):
            await service.download_prefix("out/", dest)
    assert not (tmp_path / "escape.txt").exists()
    assert not (tmp_path / "inner" / "escape.txt").exists()
    assert not dest.exists()  # checked before anything was written


async def test_missing_bucket_is_named_in_the_error(moto_endpoint, tmp_path):
    settings = BackendSettings(kind="local", bucket="no-such-bucket-here",
                               s3_endpoint_url=moto_endpoint, translate_endpoint_url=moto_endpoint)
    (tmp_path / "a.txt").write_text("x")
    async with open_service(settings) as service:
        with pytest.raises(AmtsError, match="'no-such-bucket-here' does not exist") as caught:
            await service.upload_file(tmp_path / "a.txt", "k/a.txt")
        with pytest.raises(AmtsError, match="does not exist"):
            await service.list_prefix("k/")
    assert "amts-local" not in str(caught.value)


async def test_missing_local_folder_is_reported(settings, tmp_path):
    async with open_service(settings) as service:
        with pytest.raises(AmtsError, match="does not exist"):
            await service.upload_folder(tmp_path / "nope", "x/")
