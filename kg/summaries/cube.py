"""The summary graph's shape: its data sets (RDF Data Cube) and their observations as N-Triples lines.

Each data set is a ``qb:DataSet`` with a ``qb:DataStructureDefinition`` that the ontology
declares (its dimensions and measures, and the attribute ``mk:counting`` attached to the data
set). An observation holds ``qb:dataSet``, one value per dimension and its
measures, nothing else: its ``rdf:type qb:Observation`` follows from ``qb:dataSet`` (the
property's domain), and what is the same for every observation of a data set (how it counts
events) is said once, on the data set.

>>> ds = DATASETS["countries"]
>>> ds.iri, ds.structure.rsplit("#", 1)[1]
('https://w3id.org/migkg/id/summary/countries', 'countries-structure')
>>> for line in ds.observation(["GTM"], [iri(ns.country("GTM")), integer(3), integer(2), None, None]):
...     print(line.replace(ns.ID, "…/").replace(str(ns.MK), "mk:"))
<…/summary/countries/GTM> <http://purl.org/linked-data/cube#dataSet> <…/summary/countries>
<…/summary/countries/GTM> <mk:country> <…/country/GTM>
<…/summary/countries/GTM> <mk:eventCount> "3"^^<http://www.w3.org/2001/XMLSchema#integer>
<…/summary/countries/GTM> <mk:partnerCount> "2"^^<http://www.w3.org/2001/XMLSchema#integer>
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kg import namespaces as ns

__all__ = ["COUNTING", "DATASETS", "FORMAT", "QB", "DataSet", "date", "decimal", "integer", "iri", "period", "string"]

QB = ns.Namespace("http://purl.org/linked-data/cube#")
#: How every data set counts: an event reported by several items once (its canonical event,
#: kg.same), not its reports; ``kg query --reports`` reads the raw events instead.
COUNTING = "events"
#: The layout of the data sets (``owl:versionInfo`` on each): a store summarised by a version of
#: migkg that wrote another is summarised again by the next build (kg.summaries.is_current).
#: 2: ``mk:position`` on the observations of the data sets that queries sort by their IRIs;
#: organisation-country links of every kind (``mk:link``).
FORMAT = "2"


@dataclass(frozen=True)
class DataSet:
    """One data set of the summary graph: ``…/id/summary/NAME`` and its structure (ontology/migkg.ttl)."""

    name: str
    structure: str
    dimensions: tuple[str, ...]  # predicate IRIs
    measures: tuple[str, ...]
    #: Whether each observation carries ``mk:position``, its place when the data set is sorted by
    #: its dimensions: a query that lists the whole data set in that order sorts integers, not
    #: IRIs. Oxigraph reads an IRI's text at each comparison; ordering 28,899 country pairs by
    #: their two countries took 1.1 s of 1.5 s at 100k items, by their position under 0.1 s.
    positioned: bool = False

    @property
    def iri(self) -> str:
        return ns.summary(self.name)

    def header(self) -> list[str]:
        """The data set itself: its type, its structure and how it counts."""
        node = f"<{self.iri}>"
        return [
            f"{node} <{ns.RDF['type']}> <{QB['DataSet']}>",
            f"{node} <{QB['structure']}> <{self.structure}>",
            f'{node} <{ns.MK["counting"]}> "{COUNTING}"',
            f'{node} <{ns.OWL["versionInfo"]}> "{FORMAT}"',
        ]

    def observation(self, keys: Sequence[str], values: Sequence[str | None], position: int | None = None) -> list[str]:
        """An observation ``…/id/summary/NAME/KEY/…`` whose dimensions, then measures, have
        ``values`` (N-Triples terms; ``None`` leaves one out); ``position`` (from 1) in a
        positioned data set."""
        if (position is not None) != self.positioned:
            needs = "needs" if self.positioned else "takes no"
            raise ValueError(f"data set {self.name}: an observation {needs} position")
        node = f"<{self.iri}/{'/'.join(keys)}>"
        lines = [f"{node} <{QB['dataSet']}> <{self.iri}>"]
        components = self.dimensions + self.measures
        lines += [f"{node} <{p}> {v}" for p, v in zip(components, values, strict=True) if v is not None]
        if position is not None:
            lines.append(f"{node} <{ns.MK['position']}> {integer(position)}")
        return lines


def iri(value: str) -> str:
    return f"<{value}>"


def integer(value: int) -> str:
    return f'"{value}"^^<{ns.XSD["integer"]}>'


def string(value: str) -> str:
    """A plain literal of a word the code chooses (no escaping needed)."""
    return f'"{value}"'


def decimal(value: str) -> str:
    """An ``xsd:decimal`` from its lexical form as read from the store."""
    return f'"{value}"^^<{ns.XSD["decimal"]}>'


def date(value: str | None) -> str | None:
    return None if value is None else f'"{value}"^^<{ns.XSD["date"]}>'


def period(key: str) -> str:
    """A year (``YYYY``) as ``xsd:gYear``, a month (``YYYY-MM``) as ``xsd:gYearMonth``."""
    return f'"{key}"^^<{ns.XSD["gYear" if len(key) == 4 else "gYearMonth"]}>'


def _data_set(name: str, structure: str, dimensions: str, measures: str, positioned: bool = False) -> DataSet:
    """``dimensions`` and ``measures``: local names of ``mk:`` terms (``sem:eventType`` for ``eventType``)."""
    terms = {"eventType": ns.SEM["eventType"]}
    return DataSet(
        name,
        structure,
        tuple(terms.get(d) or ns.MK[d] for d in dimensions.split()),
        tuple(ns.MK[m] for m in measures.split()),
        positioned,
    )


#: Every data set of the summary graph, by name: its structure, dimensions and measures.
DATASETS = {
    ds.name: ds
    for ds in (
        _data_set("countries", ns.MK["countries-structure"], "country", "eventCount partnerCount firstDate lastDate"),
        _data_set("country-items", ns.MK["country-items-structure"], "country", "itemCount"),
        _data_set(
            "country-pairs",
            ns.MK["country-pairs-structure"],
            "country partner",
            "eventCount firstDate lastDate",
            positioned=True,
        ),
        _data_set("themes", ns.MK["themes-structure"], "theme period", "eventCount itemCount"),
        _data_set("objectives", ns.MK["objectives-structure"], "objective period", "eventCount itemCount"),
        _data_set("months", ns.MK["months-structure"], "period", "eventCount"),
        _data_set(
            "organizations",
            ns.MK["organizations-structure"],
            "organization",
            "eventCount partnerCount firstDate lastDate",
        ),
        _data_set(
            "organization-countries",
            ns.MK["organization-countries-structure"],
            "organization country link",
            "eventCount",
            positioned=True,
        ),
        _data_set("people", ns.MK["people-structure"], "country eventType", "peopleCount eventCount"),
        _data_set(
            "statistics",
            ns.MK["statistics-structure"],
            "country statisticIndicator",
            "statisticCount itemCount firstDate lastDate minValue maxValue",
        ),
    )
}
