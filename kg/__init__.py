"""migkg: a knowledge graph of actors, places and events built from migration news."""

__version__ = "0.1.0"
