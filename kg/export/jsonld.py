"""Compacted JSON-LD, written straight from the store and driven by the published context.

pyoxigraph writes only expanded JSON-LD, and rdflib's compaction holds the whole graph in
memory and is slow. This writer instead reads ``ontology/context.jsonld`` once into a
:class:`Context` that answers, for each predicate and value, which key and which value form
expand back to exactly that triple: a term for each predicate IRI, plain strings where the
term's ``@type`` or ``@language`` coercion matches, compact IRIs for ``@id`` coercions,
explicit value objects (``{"@value": …, "@type": …}``) everywhere else. Terms whose definition
it does not fully understand (``@reverse``, scoped contexts, list or index containers) are
never used, so the output always expands to the store's quads; the tests check that with
rdflib and pyld.

>>> ctx = Context({"@context": {"id": "@id", "type": "@type", "xsd": "http://www.w3.org/2001/XMLSchema#",
...     "ex": "http://example.org/", "Event": "ex:Event",
...     "startDate": {"@id": "ex:startDate", "@type": "xsd:date"}, "about": {"@id": "ex:about", "@type": "@id"}}})
>>> from pyoxigraph import NamedNode as N, Literal as L, Triple as T
>>> s = N("http://example.org/e1")
>>> node = ctx.node(s, [T(s, N(RDF["type"]), N("http://example.org/Event")),
...              T(s, N("http://example.org/startDate"), L("2019-06-11", datatype=N(XSD["date"]))),
...              T(s, N("http://example.org/about"), N("http://example.org/x")),
...              T(s, N("http://example.org/note"), L("hi", language="en"))])
>>> list(node)
['id', 'type', 'about', 'ex:note', 'startDate']
>>> node["type"], node["about"], node["startDate"], node["ex:note"]
('Event', 'ex:x', '2019-06-11', {'@value': 'hi', '@language': 'en'})
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Triple

from kg.errors import KgError
from kg.namespaces import PREFIXES, RDF, XSD

__all__ = ["Context", "load_context"]

_GEN_DELIMS = (":", "/", "?", "#", "[", "]", "@")
_RDF_TYPE = RDF["type"]
_XSD_STRING = XSD["string"]
_UNSET = object()  # "no @language in the term definition": the context's default applies


@dataclass(frozen=True, slots=True)
class Term:
    """One usable term definition: what a key expands to and how it coerces string values."""

    name: str
    iri: str
    type: str | None  # "@id", "@vocab", a datatype IRI, or None
    language: str | None  # effective language of plain strings (None: no language)
    is_set: bool  # @container @set: values are always arrays
    by_language: bool  # @container @language: a map from language tag to strings


def _context_path() -> Path:
    from kg.reference import ONTOLOGY_DIR

    return ONTOLOGY_DIR / "context.jsonld"


def load_context(path: str | os.PathLike[str] | None = None) -> Context:
    """The published context (``ontology/context.jsonld``); without it, one built from the prefixes."""
    file = Path(path) if path is not None else _context_path()
    if not file.exists():
        if path is not None:
            raise KgError(f"no JSON-LD context at {file}")
        return Context({"@context": dict(PREFIXES)})
    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise KgError(f"{file}: cannot read the JSON-LD context ({exc})") from None
    return Context(document)


class Context:
    """A JSON-LD context read for *writing*: the key and value form of each RDF term."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        value = document.get("@context", document)
        if isinstance(value, list):
            if not all(isinstance(part, dict) for part in value):
                raise KgError("the JSON-LD context must be local (no remote @context references)")
            merged: dict[str, Any] = {}
            for part in value:
                merged.update(part)
            value = merged
        if not isinstance(value, dict):
            raise KgError("the JSON-LD context must be an object")
        if "@import" in value:
            raise KgError("the JSON-LD context must not @import another context")
        self.value: dict[str, Any] = value
        self.vocab: str | None = value.get("@vocab")
        default_language = value.get("@language")
        self.default_language: str | None = default_language
        self._plain_strings_ok = "@direction" not in value or value["@direction"] is None
        self._expanding: set[str] = set()
        self._iris: dict[str, str | None] = {}
        self.id_key = "@id"
        self.type_key = "@type"
        self.graph_key = "@graph"
        self.terms: dict[str, Term] = {}
        self.prefixes: list[tuple[str, str]] = []  # (IRI, prefix), longest IRI first
        for name, definition in value.items():
            if name.startswith("@"):
                continue
            target = definition.get("@id") if isinstance(definition, dict) else definition
            if target == "@id" and self.id_key == "@id":
                self.id_key = name
            elif target == "@type" and self.type_key == "@type":
                self.type_key = name
            elif target == "@graph" and self.graph_key == "@graph":
                self.graph_key = name
            term = self._term(name, definition, default_language)
            if term is not None:
                self.terms[name] = term
            iri = self._iri(name)
            if iri and self._is_prefix(name, definition, iri):
                self.prefixes.append((iri, name))
        self.prefixes.sort(key=lambda pair: (-len(pair[0]), pair[1]))
        self._candidates: dict[str, tuple[tuple[str, str], ...]] = {}
        self._by_iri: dict[str, list[Term]] = {}
        for term in sorted(self.terms.values(), key=lambda t: (len(t.name), t.name)):
            self._by_iri.setdefault(term.iri, []).append(term)
        self._key_cache: dict[tuple[str, str, str | None], tuple[str, bool, Any]] = {}

    # -- reading the context --

    def _iri(self, name: str) -> str | None:
        """The IRI a term (or compact IRI) of the context expands to, vocabulary-relative."""
        if name in self._iris:
            return self._iris[name]
        if name in self._expanding:  # a cycle: invalid context, treat as undefined
            return None
        self._expanding.add(name)
        definition = self.value.get(name, _UNSET)
        result: str | None
        if definition is not _UNSET:
            target = definition.get("@id", _UNSET) if isinstance(definition, dict) else definition
            if target is None or (isinstance(target, str) and target.startswith("@")):
                result = None
            elif target is _UNSET or target == name:
                result = self._expand_compact(name)
            else:
                result = self._iri(target) if isinstance(target, str) else None
        else:
            result = self._expand_compact(name)
        self._expanding.discard(name)
        self._iris[name] = result
        return result

    def _expand_compact(self, value: str) -> str | None:
        prefix, colon, suffix = value.partition(":")
        if colon:
            if prefix == "_":
                return None
            if suffix.startswith("//") or prefix not in self.value:
                return value
            base = self._iri(prefix)
            return base + suffix if base else None
        return self.vocab + value if self.vocab else None

    def _is_prefix(self, name: str, definition: Any, iri: str) -> bool:
        if ":" in name or "/" in name:
            return False
        if isinstance(definition, dict):
            return definition.get("@prefix") is True
        return iri.endswith(_GEN_DELIMS)

    def _term(self, name: str, definition: Any, default_language: str | None) -> Term | None:
        if definition is None or (":" in name and self._expand_compact(name) != self._iri(name)):
            return None
        if isinstance(definition, str):
            iri = self._iri(name)
            return Term(name, iri, None, default_language, False, False) if iri else None
        if not isinstance(definition, dict):
            return None
        if set(definition) - {"@id", "@type", "@language", "@container", "@prefix", "@protected"}:
            return None  # @reverse, @context, @nest, @index, @direction: not written by this writer
        iri = self._iri(name)
        if not iri:
            return None
        kind = definition.get("@type")
        if kind is not None:
            if kind in ("@id", "@vocab"):
                pass
            elif isinstance(kind, str) and not kind.startswith("@"):
                kind = self._iri(kind)
                if kind is None:
                    return None
            else:
                return None  # @json, @none
        language = definition.get("@language", _UNSET)
        if language is _UNSET:
            language = default_language
        container = definition.get("@container")
        containers = {container} if isinstance(container, str) else set(container or ())
        if containers - {"@set", "@language"}:
            return None
        by_language = "@language" in containers
        if by_language and kind is not None:
            return None
        return Term(name, iri, kind, language, "@set" in containers, by_language)

    # -- compacting --

    def compact_iri(self, iri: str, vocab: bool = False) -> str:
        """A compact IRI (``prefix:local``) when a prefix fits, else the IRI itself.

        With ``vocab`` (``@type`` values, datatypes) a term whose IRI it is comes first.
        """
        if vocab:
            for term in self._by_iri.get(iri, ()):
                return term.name
        namespace = iri[: max(iri.rfind("/"), iri.rfind("#")) + 1]
        candidates = self._candidates.get(namespace)
        if candidates is None:  # a prefix ending in / or # that fits the IRI is a prefix of its namespace
            if len(self._candidates) > 50_000:
                self._candidates.clear()
            candidates = tuple(
                (base, prefix)
                for base, prefix in self.prefixes
                if namespace.startswith(base) or not base.endswith(("/", "#"))
            )
            self._candidates[namespace] = candidates
        for base, prefix in candidates:
            if iri.startswith(base) and len(iri) > len(base):
                suffix = iri[len(base) :]
                compact = f"{prefix}:{suffix}"
                if suffix.startswith("//") or (vocab and compact in self.value):
                    continue
                return compact
        return iri

    def _subject(self, node: NamedNode | BlankNode) -> str:
        return self.compact_iri(node.value) if isinstance(node, NamedNode) else f"_:{node.value}"

    def _plain_key(self, predicate: str) -> str:
        """The key for values written in full (node references, value objects)."""
        for term in self._by_iri.get(predicate, ()):
            if not term.by_language:
                return term.name
        compact = self.compact_iri(predicate)
        return predicate if compact in self.value else compact

    def _key_for(self, predicate: str, kind: str, extra: str | None) -> tuple[str, bool, Any]:
        """``(key, plain, more)`` for a value of ``kind`` (iri | literal | lang) with datatype or language.

        ``plain``: the value is written as a bare string; ``more`` is the tag of a language map
        (lang) or whether the key's values are vocabulary-relative (iri).
        """
        cache_key = (predicate, kind, extra)
        found = self._key_cache.get(cache_key)
        if found is not None:
            return found
        key = self._plain_key(predicate)
        plain = key not in self.terms and self._plain_strings_ok  # an IRI key: no coercion
        if kind == "lang":
            plain = plain and extra == self.default_language
        else:
            plain = plain and kind == "literal" and extra == _XSD_STRING and self.default_language is None
        result: tuple[str, bool, Any] = (key, plain, None)
        for term in self._by_iri.get(predicate, ()):
            if kind == "iri":
                if term.type in ("@id", "@vocab"):
                    result = (term.name, True, term.type == "@vocab")
                    break
            elif kind == "lang":
                if term.by_language:
                    result = (term.name, True, extra)
                    break
                if term.type is None and term.language == extra and self._plain_strings_ok:
                    result = (term.name, True, None)
                    break
            elif term.by_language:
                continue
            elif term.type == extra or (
                extra == _XSD_STRING and term.type is None and term.language is None and self._plain_strings_ok
            ):
                result = (term.name, True, None)
                break
        self._key_cache[cache_key] = result
        return result

    def node(self, subject: NamedNode | BlankNode, statements: Iterable[Triple | Quad]) -> dict[str, Any]:
        """The compacted node object of ``subject``: id, type, then keys in sorted order.

        ``statements`` are its triples (or quads: only predicate and object are read).
        """
        types: list[str] = []
        values: dict[str, list[tuple[str, str, Any]]] = {}
        language_maps: dict[str, dict[str, list[str]]] = {}
        key_for = self._key_for
        for statement in statements:
            predicate, obj = statement.predicate.value, statement.object
            if isinstance(obj, Literal):
                text, language = obj.value, obj.language
                if language:
                    key, plain, tag = key_for(predicate, "lang", language)
                    if tag is not None:
                        language_maps.setdefault(key, {}).setdefault(tag, []).append(text)
                        continue
                    value: Any = text if plain else {"@value": text, "@language": language}
                    values.setdefault(key, []).append((text, language, value))
                    continue
                datatype = obj.datatype.value
                key, plain, _ = key_for(predicate, "literal", datatype)
                if plain:
                    value = text
                elif datatype == _XSD_STRING:
                    value = {"@value": text}
                else:
                    value = {"@value": text, "@type": self.compact_iri(datatype, vocab=True)}
                values.setdefault(key, []).append((text, datatype, value))
            elif isinstance(obj, NamedNode):
                if predicate == _RDF_TYPE:
                    types.append(self.compact_iri(obj.value, vocab=True))
                    continue
                key, plain, vocab = key_for(predicate, "iri", None)
                reference = self.compact_iri(obj.value)
                if vocab and reference in self.value:  # a term would win over the compact IRI
                    reference = obj.value
                values.setdefault(key, []).append((obj.value, "", reference if plain else {self.id_key: reference}))
            else:
                assert isinstance(obj, BlankNode)  # kg writes no triple terms
                reference = f"_:{obj.value}"
                if predicate == _RDF_TYPE:
                    types.append(reference)
                    continue
                key, plain, _ = key_for(predicate, "iri", None)
                values.setdefault(key, []).append((reference, "", reference if plain else {self.id_key: reference}))
        result: dict[str, Any] = {self.id_key: self._subject(subject)}
        if types:
            types.sort()
            result[self.type_key] = types[0] if len(types) == 1 else types
        for key in sorted(values.keys() | language_maps.keys()) if language_maps else sorted(values):
            term = self.terms.get(key)
            as_set = term is not None and term.is_set
            if key in language_maps:
                result[key] = {
                    tag: sorted(texts) if len(texts) > 1 or as_set else texts[0]
                    for tag, texts in sorted(language_maps[key].items())
                }
                continue
            found = values[key]
            if len(found) == 1:
                result[key] = [found[0][2]] if as_set else found[0][2]
            else:
                found.sort(key=_order)
                result[key] = [v for _, _, v in found]
        return result


def _order(entry: tuple[str, str, Any]) -> tuple[str, str]:
    return entry[0], entry[1]
