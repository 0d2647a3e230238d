"""migkg's benchmark suite: ``python -m bench`` (``make bench``) writes ``bench/results.md``.

Never part of ``make test``; ``tests/`` only smoke-tests the corpus generator.
"""
