"""Every format migkg reads or writes, in one place: news inputs (:class:`InputFormat`), query
results on the command line (:class:`ResultFormat`) and on the wire (:class:`WireFormat`), graph
exports (:class:`ExportFormat`), framed views (:class:`ViewFormat`) and network files
(:class:`NetworkFormat`). RDF and SPARQL-results formats are pyoxigraph's :class:`~pyoxigraph.RdfFormat`
and :class:`~pyoxigraph.QueryResultsFormat`, whose media types and file extensions are used as they
are; the command line's choices are the values of these enums.

>>> ExportFormat.from_path("out/kg.nq"), WireFormat.TURTLE.rdf_format.file_extension, ResultFormat.JSON.for_rows
(<ExportFormat.NQUADS: 'nquads'>, 'ttl', True)
"""

from __future__ import annotations

import enum
import os
from pathlib import Path
from typing import TypeVar

from pyoxigraph import QueryResultsFormat, RdfFormat

from kg.errors import UsageError

E = TypeVar("E", bound=enum.Enum)

__all__ = ["ExportFormat", "InputFormat", "NetworkFormat", "ResultFormat", "ViewFormat", "WireFormat"]

#: The W3C's IRIs of formats (http://www.w3.org/ns/formats/), for the SPARQL service description.
FORMATS = "http://www.w3.org/ns/formats/"


def _by_suffix(path: str | os.PathLike[str], suffixes: dict[str, E], refusal: str) -> E:
    """The format ``suffixes`` gives ``path``'s extension (lower-cased), else a UsageError saying
    ``refusal`` (a format string of ``path`` and ``suffix``)."""
    suffix = Path(path).suffix.lower()
    try:
        return suffixes[suffix]
    except KeyError:
        raise UsageError(refusal.format(path=path, name=Path(path).name, suffix=suffix or "no extension")) from None


# -- news inputs --


class InputFormat(enum.Enum):
    LISTING = "listing"
    JSONL = "jsonl"
    CSV = "csv"
    FEED = "feed"

    @classmethod
    def from_extension(cls, path: str | Path) -> InputFormat | None:
        """The format a file name implies, or ``None``.

        >>> InputFormat.from_extension("news/2019.jsonl")
        <InputFormat.JSONL: 'jsonl'>
        >>> InputFormat.from_extension("README.md") is None
        True
        """
        return _INPUT_EXTENSIONS.get(Path(path).suffix.lower())


_INPUT_EXTENSIONS = {
    ".txt": InputFormat.LISTING,
    ".jsonl": InputFormat.JSONL,
    ".ndjson": InputFormat.JSONL,
    ".csv": InputFormat.CSV,
    ".rss": InputFormat.FEED,
    ".atom": InputFormat.FEED,
    ".xml": InputFormat.FEED,
}


# -- query results: the command line and the wire --


class ResultFormat(enum.Enum):
    TABLE = "table"
    CSV = "csv"
    TSV = "tsv"
    JSON = "json"
    XML = "xml"
    TURTLE = "turtle"
    NTRIPLES = "ntriples"
    JSONLD = "jsonld"
    TRIG = "trig"

    @property
    def for_rows(self) -> bool:
        return self in _ROW_FORMATS or self is ResultFormat.TABLE

    @property
    def results_format(self) -> QueryResultsFormat | None:
        """pyoxigraph's format of SELECT/ASK results, or None (a table, or a graph format)."""
        return _ROW_FORMATS.get(self)

    @property
    def rdf_format(self) -> RdfFormat | None:
        """pyoxigraph's format of CONSTRUCT/DESCRIBE graphs, or None."""
        return _GRAPH_FORMATS.get(self)


_ROW_FORMATS = {
    ResultFormat.CSV: QueryResultsFormat.CSV,
    ResultFormat.TSV: QueryResultsFormat.TSV,
    ResultFormat.JSON: QueryResultsFormat.JSON,
    ResultFormat.XML: QueryResultsFormat.XML,
}
_GRAPH_FORMATS = {
    ResultFormat.TURTLE: RdfFormat.TURTLE,
    ResultFormat.NTRIPLES: RdfFormat.N_TRIPLES,
    ResultFormat.JSONLD: RdfFormat.JSON_LD,
    ResultFormat.TRIG: RdfFormat.TRIG,
}


class WireFormat(enum.Enum):
    """The formats the endpoint writes, by their canonical media type."""

    JSON = "application/sparql-results+json"
    XML = "application/sparql-results+xml"
    CSV = "text/csv"
    TSV = "text/tab-separated-values"
    TURTLE = "text/turtle"
    NTRIPLES = "application/n-triples"
    JSONLD = "application/ld+json"
    RDFXML = "application/rdf+xml"

    @property
    def for_rows(self) -> bool:
        """SELECT and ASK results (the others hold CONSTRUCT and DESCRIBE graphs)."""
        return QueryResultsFormat.from_media_type(self.value) is not None

    @property
    def content_type(self) -> str:
        return f"{self.value}; charset=utf-8" if self.value.startswith("text/") else self.value

    @property
    def short_name(self) -> str:
        return _WIRE_SHORT[self]

    @property
    def format_iri(self) -> str:
        """Its IRI under http://www.w3.org/ns/formats/ (for the service description)."""
        return FORMATS + _FORMAT_IRIS[self]

    @property
    def results_format(self) -> QueryResultsFormat:
        found = QueryResultsFormat.from_media_type(self.value)
        if found is None:
            raise ValueError(f"{self.value} is not a SPARQL results format")
        return found

    @property
    def rdf_format(self) -> RdfFormat:
        found = RdfFormat.from_media_type(self.value)
        if found is None:
            raise ValueError(f"{self.value} is not an RDF format")
        return found


_WIRE_SHORT = {
    WireFormat.JSON: "json",
    WireFormat.XML: "xml",
    WireFormat.CSV: "csv",
    WireFormat.TSV: "tsv",
    WireFormat.TURTLE: "turtle",
    WireFormat.NTRIPLES: "ntriples",
    WireFormat.JSONLD: "jsonld",
    WireFormat.RDFXML: "rdfxml",
}
_FORMAT_IRIS = {
    WireFormat.JSON: "SPARQL_Results_JSON",
    WireFormat.XML: "SPARQL_Results_XML",
    WireFormat.CSV: "SPARQL_Results_CSV",
    WireFormat.TSV: "SPARQL_Results_TSV",
    WireFormat.TURTLE: "Turtle",
    WireFormat.NTRIPLES: "N-Triples",
    WireFormat.JSONLD: "JSON-LD",
    WireFormat.RDFXML: "RDF_XML",
}


# -- graph exports and framed views --


class ExportFormat(enum.Enum):
    TURTLE = "turtle"
    TRIG = "trig"
    NQUADS = "nquads"
    NTRIPLES = "ntriples"
    JSONLD = "jsonld"

    @classmethod
    def from_path(cls, path: str | os.PathLike[str]) -> ExportFormat:
        """The format a file name implies.

        >>> ExportFormat.from_path("out/kg.trig")
        <ExportFormat.TRIG: 'trig'>
        """
        refusal = "cannot tell the format of {path} from {suffix!r}; pass --format turtle|trig|nquads|ntriples|jsonld"
        return _by_suffix(path, _EXPORT_SUFFIXES, refusal)

    @staticmethod
    def suffixes() -> set[str]:
        """Every file extension that names a graph format (``.ttl``, ``.trig``, …)."""
        return set(_EXPORT_SUFFIXES)

    @property
    def rdf_format(self) -> RdfFormat:
        return _EXPORT_RDF[self]

    @property
    def keeps_graphs(self) -> bool:
        return self in (ExportFormat.TRIG, ExportFormat.NQUADS, ExportFormat.JSONLD)


_EXPORT_RDF = {
    ExportFormat.TURTLE: RdfFormat.TURTLE,
    ExportFormat.TRIG: RdfFormat.TRIG,
    ExportFormat.NQUADS: RdfFormat.N_QUADS,
    ExportFormat.NTRIPLES: RdfFormat.N_TRIPLES,
    ExportFormat.JSONLD: RdfFormat.JSON_LD,
}
# pyoxigraph's own extension of each (.ttl, .trig, .nq, .nt, .jsonld), and the format names as extensions
_EXPORT_SUFFIXES = {
    **{f".{fmt.value}": fmt for fmt in ExportFormat},
    **{f".{rdf.file_extension}": fmt for fmt, rdf in _EXPORT_RDF.items()},
    ".json": ExportFormat.JSONLD,
}


class ViewFormat(enum.Enum):
    JSON = "json"
    CSV = "csv"
    PARQUET = "parquet"

    @classmethod
    def from_path(cls, path: str | os.PathLike[str]) -> ViewFormat:
        """The format a file name implies: ``.json``, ``.csv`` or ``.parquet``; any other is a UsageError.

        >>> ViewFormat.from_path("out/events.parquet")
        <ViewFormat.PARQUET: 'parquet'>
        >>> ViewFormat.from_path("ev.ttl")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        kg.errors.UsageError: --frame events writes .json, .csv or .parquet, not ev.ttl; name the file ...
        """
        return _by_suffix(
            path,
            {f".{fmt.value}": fmt for fmt in cls},
            "--frame events writes .json, .csv or .parquet, not {name}; name the file events.json, events.csv or "
            "events.parquet",
        )


# -- network files --


class NetworkFormat(enum.Enum):
    GRAPHML = "graphml"
    GEXF = "gexf"
    JSON = "json"  # node-link
    CSV = "csv"  # edge list
    NODES_CSV = "nodes.csv"  # node list
    PNG = "png"
    SVG = "svg"

    @classmethod
    def from_path(cls, path: str | os.PathLike[str]) -> NetworkFormat:
        """The format a file name implies; ``name.nodes.csv`` is a node list, other ``.csv`` an edge list.

        >>> NetworkFormat.from_path("net.txt")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        kg.errors.UsageError: cannot tell the network format of net.txt from '.txt'; use .graphml, .gexf, ...
        """
        if Path(path).name.lower().endswith(".nodes.csv"):
            return cls.NODES_CSV
        known = ", ".join(f".{f.value}" for f in cls)
        known = known.rsplit(", ", 1)[0] + " or " + known.rsplit(", ", 1)[1]
        return _by_suffix(
            path, _NETWORK_SUFFIXES, "cannot tell the network format of {path} from {suffix!r}; use " + known
        )

    @property
    def is_picture(self) -> bool:
        return self in (NetworkFormat.PNG, NetworkFormat.SVG)


_NETWORK_SUFFIXES = {
    ".graphml": NetworkFormat.GRAPHML,
    ".gexf": NetworkFormat.GEXF,
    ".json": NetworkFormat.JSON,
    ".csv": NetworkFormat.CSV,
    ".png": NetworkFormat.PNG,
    ".svg": NetworkFormat.SVG,
}
