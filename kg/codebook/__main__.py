"""``python -m kg.codebook`` (``make codebook``): write docs/codebook.md from the ontology and the sample."""

from kg.codebook import CODEBOOK, write_codebook
from kg.reference import HOME

if __name__ == "__main__":  # not when pytest imports it for its doctests
    changed = write_codebook()
    print(f"{CODEBOOK.relative_to(HOME)} {'written' if changed else 'unchanged'}")
