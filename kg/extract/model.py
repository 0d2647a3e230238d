"""What extraction returns: mentions with evidence, events, statistics.

These are plain records: the RDF stage (:mod:`kg.rdf`) turns them into triples, and
``kg eval`` compares them with gold annotations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

__all__ = ["Entities", "Event", "Extraction", "Mention", "NewEntity", "Participation", "Statistic"]


@dataclass(slots=True)
class Mention:
    """A recognised span of the item text (``NewsItem.text``) and the rule that fired.

    Not frozen: items hold a dozen or more, and a frozen dataclass takes four times as long to
    make (each field set through ``object.__setattr__``). Treat it as read-only all the same.
    """

    kind: str  # country | region | org | place | theme | event-type | date | quantity | group
    ref: str  # ISO3 code, region id, org slug, place key, concept id, ISO date, number
    start: int
    end: int
    text: str
    rule: str


@dataclass(frozen=True, slots=True)
class NewEntity:
    """An organisation or place that is not in the reference graph: described in the item graph."""

    kind: str  # org | place
    key: str  # org slug or place key (GeoNames id or ISO3-slug)
    label: str
    country: str | None = None  # ISO3 where it is based / contained
    acronym: str | None = None
    geonames_id: str | None = None


@dataclass(slots=True)
class Participation:
    role: str  # role concept id; "target" for a projected number ("will reach 20,000 people")
    count: int | None = None
    agent_kind: str | None = None  # country | org
    agent: str | None = None
    group: str | None = None  # participant-group concept id
    subset_of: int | None = None  # index of the larger participation in the same event
    quote: str = ""


@dataclass(slots=True)
class Event:
    types: list[str] = field(default_factory=list)
    start: date | None = None
    end: date | None = None
    precision: str | None = None  # day | month | year
    places: list[str] = field(default_factory=list)
    location_countries: list[str] = field(default_factory=list)
    participant_countries: list[str] = field(default_factory=list)
    organizers: list[str] = field(default_factory=list)
    attendees: list[str] = field(default_factory=list)
    funders: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    participations: list[Participation] = field(default_factory=list)
    ordinal: int | None = None
    quote: str = ""
    rule: str = ""


@dataclass(frozen=True, slots=True)
class Statistic:
    value: float
    indicator: str
    about_kind: str | None  # country | place | org, or None when the text names no subject
    about: str | None
    unit: str
    quote: str


@dataclass(slots=True)
class Extraction:
    mentions: list[Mention] = field(default_factory=list)
    countries_mentioned: list[str] = field(default_factory=list)
    countries_in_scope: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    organizations: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    statistics: list[Statistic] = field(default_factory=list)
    new_entities: list[NewEntity] = field(default_factory=list)
    genre: str | None = None


@dataclass
class Entities:
    mentions: list[Mention] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)  # named in the text
    scope: list[str] = field(default_factory=list)  # the item is about
    regions: list[str] = field(default_factory=list)
    orgs: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    place_country: dict[str, str] = field(default_factory=dict)
    new: dict[str, NewEntity] = field(default_factory=dict)
    dateline_place: str | None = None
    # countries named inside organisation names ("Embassy of Canada in Honduras"): mentioned, with
    # evidence, but kept apart from ``mentions`` so that the event rules do not read them as taking part
    in_names: list[Mention] = field(default_factory=list)

    def add(
        self, kind: str, ref: str, m: tuple[int, int, str] | tuple[int, int, str, object, object], rule: str
    ) -> None:
        """Record a mention; ``m`` is ``(start, end, text)`` or a gazetteer match, which starts with those three."""
        self.mentions.append(Mention(kind, ref, m[0], m[1], m[2], rule))
