"""SPARQL: reading query text (:mod:`kg.sparql.text`), running a query (:mod:`kg.sparql.execute`,
the one way the command line, the library and ``kg serve`` do) and writing its results in the
formats analysts' tools read (:mod:`kg.sparql.results`). Named queries build on it (:mod:`kg.queries`).
"""
