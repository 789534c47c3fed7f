"""Write the first N reports of the benchmark JSONL into a corpus folder, byte for byte, so that
`rag --corpus DIR …` (index, eval, serve) runs on exactly what a benchmark workload of N reports
indexes. The held-out questions of eval/crud/ are about the first 300.

Run: python -m bench.sample --docs 300 --out /tmp/crud-300
"""

from __future__ import annotations

import argparse
import lzma
from collections.abc import Sequence
from pathlib import Path

from bench.data import DEFAULT_JSONL


def write_sample(jsonl: Path, docs: int, out_dir: Path) -> Path:
    """Copy the first `docs` non-empty lines of `jsonl` (.xz or plain) to out_dir; the file's path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{jsonl.name.removesuffix('.xz').removesuffix('.jsonl')}-first-{docs}.jsonl"
    opener = lzma.open if jsonl.suffix == ".xz" else open
    written = 0
    with opener(jsonl, "rt", encoding="utf-8") as src, target.open("w", encoding="utf-8") as dst:
        for line in src:
            if written >= docs:
                break
            if line.strip():
                dst.write(line if line.endswith("\n") else line + "\n")
                written += 1
    return target


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: --docs N --out DIR [--jsonl PATH]."""
    p = argparse.ArgumentParser(prog="python -m bench.sample", description=__doc__.split("\n\n")[0])
    p.add_argument("--docs", type=int, default=300)
    p.add_argument("--jsonl", type=Path, default=DEFAULT_JSONL)
    p.add_argument("--out", type=Path, required=True)
    args = p.parse_args(argv)
    print(write_sample(args.jsonl, args.docs, args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
