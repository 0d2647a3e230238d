"""A JSON-LD document written straight from the store, one node object per subject, in the
context's terms (:class:`kg.export.jsonld.Context`)."""

from __future__ import annotations

import json
from typing import Any

from pyoxigraph import NamedNode

from kg.export.jsonld import Context

__all__ = ["JsonLdWriter"]


class JsonLdWriter:
    """Writes a compacted JSON-LD document node by node: one property per line, sorted keys.

    The document is ``{"@context": …, "@graph": [nodes and {"@id": g, "@graph": [nodes]}]}``, with
    the context's aliases for ``@id``, ``@type`` and ``@graph`` where it has them.
    """

    def __init__(self, output: Any, context: Context, context_url: str | None = None) -> None:
        self.out = output
        self.context = context
        self.context_url = context_url
        self._top_count = 0
        self._inner_count = 0
        self._in_graph = False
        self._keys: dict[str, str] = {}  # key -> its encoding with the indent of the current level

    def _write(self, text: str) -> None:
        self.out.write(text.encode("utf-8"))

    def start(self) -> None:
        embedded = self.context_url if self.context_url else self.context.value
        header = json.dumps(embedded, ensure_ascii=False, indent=2).replace("\n", "\n  ")
        self._write(f'{{\n  "@context": {header},\n  {_dumps(self.context.graph_key)}: [')

    def node(self, node: dict[str, Any]) -> None:
        indent = "        " if self._in_graph else "    "
        if self._in_graph:
            self._write(",\n" if self._inner_count else "\n")
            self._inner_count += 1
        else:
            self._write(",\n" if self._top_count else "\n")
            self._top_count += 1
        keys = self._keys
        lines = []
        for key, value in node.items():
            encoded = keys.get(key)
            if encoded is None:
                encoded = keys[key] = f"{indent}  {_dumps(key)}: "
            lines.append(encoded + _dumps(value))
        self._write(indent + "{\n" + ",\n".join(lines) + "\n" + indent + "}")

    def start_graph(self, name: NamedNode) -> None:
        self._write(",\n" if self._top_count else "\n")
        self._top_count += 1
        key = _dumps(self.context.id_key)
        graph_key = _dumps(self.context.graph_key)
        self._write(f"    {{\n      {key}: {_dumps(self.context.compact_iri(name.value))},\n      {graph_key}: [")
        self._in_graph = True
        self._inner_count = 0
        self._keys = {}

    def end_graph(self) -> None:
        self._write("\n      ]\n    }" if self._inner_count else "]\n    }")
        self._in_graph = False
        self._keys = {}

    def end(self) -> None:
        self._write("\n  ]\n}\n" if self._top_count else "]\n}\n")


_dumps = json.JSONEncoder(ensure_ascii=False).encode  # compact, with the C encoder
