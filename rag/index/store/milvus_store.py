"""A Milvus vector store (a Milvus cluster, or Milvus Lite in-process) behind the VectorStore protocol.

The vectors live in Milvus, not in the index folder: each build writes a new collection
(`<prefix>_g<time>_<rand>`) and `save` leaves a small JSON pointer to it in the generation folder,
so the generation swap stays atomic. `save` drops the collections of the same prefix that no
generation folder points at any more (the previous generation, still served until the swap, is kept).
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from rag.errors import ConfigError, IndexCorruptError, IndexMismatchError, StoreError

POINTER_FILE = "milvus.json"
FORMAT = "rag-milvus-v1"
LITE_SCHEME = "milvus-lite://"
SERVER_SCHEMES = ("milvus://", "milvus+https://")
_BATCH = 1000
_MAX_ID = 512
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,150}")


@dataclass(frozen=True)
class MilvusTarget:
    """Where to connect: `client_uri` is a Milvus Lite file path or an http(s) address."""

    uri: str
    client_uri: str
    token: str = ""

    @property
    def lite(self) -> bool:
        """True for an in-process Milvus Lite file."""
        return not self.client_uri.startswith(("http://", "https://"))


def is_milvus_uri(uri: str) -> bool:
    """True when the store setting names a Milvus backend."""
    return uri.startswith((LITE_SCHEME, *SERVER_SCHEMES))


def parse_uri(uri: str, default_lite_path: Path | None = None) -> MilvusTarget:
    """'milvus-lite:///abs/x.db' | 'milvus-lite://rel/x.db' | 'milvus://[user:pass@]host:19530'."""
    if uri.startswith(LITE_SCHEME):
        path = uri[len(LITE_SCHEME):]
        if not path:
            if default_lite_path is None:
                raise ConfigError("milvus-lite:// needs a file path", hint="e.g. milvus-lite:///data/rag.db")
            path = str(default_lite_path)
        if not path.endswith(".db"):
            raise ConfigError(f"a Milvus Lite file must end in .db, got {path!r}")
        return MilvusTarget(uri, path)
    for scheme in SERVER_SCHEMES:
        if uri.startswith(scheme):
            parts = urlsplit("http://" + uri[len(scheme):])
            if not parts.hostname:
                raise ConfigError(f"no host in {uri!r}", hint="e.g. milvus://127.0.0.1:19530")
            http = "https" if scheme == "milvus+https://" else "http"
            token = f"{parts.username}:{parts.password}" if parts.username else ""
            return MilvusTarget(uri, f"{http}://{parts.hostname}:{parts.port or 19530}", token)
    raise ConfigError(f"not a Milvus store uri: {uri!r}",
                      hint="use milvus-lite:///path/to.db or milvus://host:19530")


def connect(target: MilvusTarget) -> Any:
    """A pymilvus MilvusClient (imported lazily: Milvus is an optional extra)."""
    try:
        from pymilvus import MilvusClient
    except ImportError as exc:
        raise ConfigError("the Milvus store needs pymilvus (and milvus-lite for local files)",
                          hint="pip install 'rag-news[milvus]'") from exc
    try:
        if target.lite:
            Path(target.client_uri).parent.mkdir(parents=True, exist_ok=True)
            return MilvusClient(target.client_uri)
        return MilvusClient(uri=target.client_uri, token=target.token)
    except Exception as exc:  # pymilvus raises many types for an unreachable server
        raise StoreError(f"cannot connect to Milvus at {target.client_uri}: {exc}",
                         hint="check that Milvus is running, or use store uri 'faiss'") from exc


class MilvusStore:
    """One Milvus collection of (id VARCHAR primary key, vector FLOAT_VECTOR), inner product."""

    def __init__(self, client: Any, target: MilvusTarget, collection: str, dim: int, *,
                 hnsw_above: int = 200_000) -> None:
        if dim <= 0:
            raise StoreError(f"vector dimension must be positive, got {dim}")
        self.client = client
        self.target = target
        self.collection = collection
        self.dim = dim
        self.hnsw_above = hnsw_above
        self._count: int | None = None

    @classmethod
    def create(cls, target: MilvusTarget, prefix: str, dim: int, *,
               hnsw_above: int = 200_000) -> MilvusStore:
        """A new, empty collection named after `prefix` and the time (one per build)."""
        if not _NAME.fullmatch(prefix):
            raise ConfigError(f"invalid Milvus collection prefix {prefix!r}",
                              hint="letters, digits and underscores; start with a letter")
        from pymilvus import DataType

        client = connect(target)
        now = time.time()  # names sort by creation time (to the microsecond); _drop_stale relies on it
        stamp = time.strftime("%Y%m%d%H%M%S", time.localtime(now)) + f"{int(now * 1e6) % 1_000_000:06d}"
        name = f"{prefix}_g{stamp}_{uuid.uuid4().hex[:6]}"
        schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("id", DataType.VARCHAR, is_primary=True, max_length=_MAX_ID)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
        client.create_collection(name, schema=schema, consistency_level="Strong")
        store = cls(client, target, name, dim, hnsw_above=hnsw_above)
        store._count = 0
        return store

    @classmethod
    def load(cls, directory: Path, target: MilvusTarget, *, hnsw_above: int = 200_000) -> MilvusStore:
        """Reconnect to the collection named by the pointer file that `save` wrote."""
        try:
            meta = json.loads((directory / POINTER_FILE).read_text(encoding="utf-8"))
            name, dim, count = str(meta["collection"]), int(meta["dim"]), int(meta["count"])
        except (OSError, ValueError, KeyError) as exc:
            raise IndexCorruptError(f"cannot read the Milvus pointer in {directory}: {exc}",
                                    hint="run `rag index` to rebuild it") from exc
        if meta.get("format") != FORMAT:
            raise IndexCorruptError(f"{directory / POINTER_FILE} has format {meta.get('format')!r}")
        if meta.get("uri") != target.uri:
            raise IndexMismatchError(f"the index was built into Milvus at {meta.get('uri')!r}, "
                                     f"the settings name {target.uri!r}",
                                     hint="rebuild with `rag index`, or set store.uri back")
        client = connect(target)
        if not client.has_collection(name):
            raise IndexCorruptError(f"Milvus collection {name!r} is missing at {target.client_uri}",
                                    hint="run `rag index` to rebuild it")
        store = cls(client, target, name, dim, hnsw_above=hnsw_above)
        if len(store) != count:
            raise IndexCorruptError(f"Milvus collection {name!r} holds {len(store)} vectors, "
                                    f"the index expects {count}", hint="run `rag index` to rebuild it")
        return store

    @property
    def kind(self) -> str:
        """'flat' or 'hnsw', by the number of vectors held."""
        return "hnsw" if len(self) > self.hnsw_above else "flat"

    def __len__(self) -> int:
        if self._count is None:
            rows = self.client.query(self.collection, filter="", output_fields=["count(*)"],
                                     consistency_level="Strong")
            self._count = int(rows[0]["count(*)"]) if rows else 0
        return self._count

    def _existing(self, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for b in range(0, len(ids), _BATCH):
            rows = self.client.get(self.collection, ids=list(ids[b:b + _BATCH]), output_fields=["id"])
            found.update(str(r["id"]) for r in rows)
        return found

    def add(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        """Add or replace vectors under these ids (Milvus upsert)."""
        v = np.ascontiguousarray(vectors, dtype=np.float32)
        if v.ndim != 2 or v.shape != (len(ids), self.dim):
            raise StoreError(f"expected vectors of shape ({len(ids)}, {self.dim}), got {v.shape}")
        if len(set(ids)) != len(ids):
            raise StoreError("duplicate ids in one add() call")
        if too_long := [i for i in ids if len(i.encode("utf-8")) > _MAX_ID]:
            raise StoreError(f"ids longer than {_MAX_ID} bytes: {too_long[:3]}")
        if not ids:
            return
        replaced = len(self._existing(ids)) if len(self) else 0
        for b in range(0, len(ids), _BATCH):
            rows = [{"id": i, "vector": row.tolist()} for i, row in zip(ids[b:b + _BATCH], v[b:b + _BATCH],
                                                                        strict=True)]
            self.client.upsert(self.collection, rows)
        self._count = len(self) + len(ids) - replaced

    def delete(self, ids: Sequence[str]) -> int:
        """Remove these ids; unknown ids are ignored. Returns how many were removed."""
        gone = sorted(self._existing(list(dict.fromkeys(ids)))) if ids and len(self) else []
        if gone:
            self.client.delete(self.collection, ids=gone)
            self._count = len(self) - len(gone)
        return len(gone)

    def _ensure_index(self) -> None:
        """Index the vector field once (flat or HNSW by size) and load the collection for search."""
        if self.client.list_indexes(self.collection):
            return
        params = self.client.prepare_index_params()
        if self.kind == "hnsw":
            params.add_index(field_name="vector", index_type="HNSW", metric_type="IP",
                             params={"M": 32, "efConstruction": 200})
        else:
            params.add_index(field_name="vector", index_type="FLAT", metric_type="IP")
        self.client.create_index(self.collection, params)
        self.client.load_collection(self.collection)

    def search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """The k best (id, cosine) pairs, best first."""
        if k <= 0 or not len(self):
            return []
        q = np.asarray(vector, dtype=np.float32).reshape(-1)
        if q.shape != (self.dim,):
            raise StoreError(f"expected a query vector of shape ({self.dim},), got {q.shape}")
        self._ensure_index()
        params: dict[str, Any] = {"metric_type": "IP"}
        if self.kind == "hnsw":
            params["params"] = {"ef": max(128, k)}
        res = self.client.search(self.collection, data=[q.tolist()], limit=min(k, len(self), 16_384),
                                 output_fields=["id"], search_params=params)
        return [(str(h["id"]), float(h["distance"])) for h in res[0]]

    def save(self, directory: Path) -> None:
        """Index + flush the collection, write the pointer file, drop stale older collections."""
        self._ensure_index()
        directory.mkdir(parents=True, exist_ok=True)
        meta = {"format": FORMAT, "uri": self.target.uri, "collection": self.collection,
                "dim": self.dim, "count": len(self), "kind": self.kind}
        (directory / POINTER_FILE).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        self._drop_stale(directory)

    def _drop_stale(self, directory: Path) -> None:
        """Drop this prefix's older collections that no generation folder points at (failed or
        replaced builds). Sibling generations are `<index_dir>/*/<store dir>/milvus.json`."""
        keep = {self.collection}
        for pointer in directory.parent.parent.glob(f"*/{directory.name}/{POINTER_FILE}"):
            try:
                keep.add(str(json.loads(pointer.read_text(encoding="utf-8"))["collection"]))
            except (OSError, ValueError, KeyError):
                continue
        prefix = self.collection.rsplit("_g", 1)[0] + "_g"
        for name in self.client.list_collections():
            # only older ones: a newer collection may be a build that has not saved yet
            if name.startswith(prefix) and name < self.collection and name not in keep:
                self.client.drop_collection(name)

    def close(self) -> None:
        """Close the client connection."""
        self.client.close()
