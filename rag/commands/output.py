"""What the sub-commands print: helpers shared by every `rag` command."""

from __future__ import annotations

import json


def dump_json(obj: object) -> None:
    """Print a JSON document with Chinese kept readable."""
    print(json.dumps(obj, ensure_ascii=False, indent=2))
