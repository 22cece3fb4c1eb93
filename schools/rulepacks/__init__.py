"""Rule packs: a jurisdiction's class-size rules, shipped as data, one TOML file per pack.

Pure Python (tomllib, dataclasses): no Django, so the optimizer side, scripts and tests can
use it alone. Each `<id>.toml` beside this file holds one pack; `none.toml` has no rules.

    pack_list() -> list[RulePack]       "none" first, then by name
    pack_get(pack_id) -> RulePack       UnknownPack (a KeyError) when there is none
    DEFAULT_PACK_ID = "none"

    pack.grade_map(grades)              {school grade code: pack grade code}
    pack.problem_rules(grades)          the pack's rules in the school's grade codes,
                                        ready for the problem's `rules` (contract v2)
    pack.grade_limits(code)             (min_class_size, max_class_size) or None
    pack.composite_max_class_size       int or None
    pack.describe_rules()               labels, plain sentences and sources, for display

`grades` is the school's grades in order, as (code, name) pairs (name may be empty), or as
the problem's grade dicts with "code" and "name".

Grade mapping: a school grade is recognised by its code, else by its name. Both are
compared loosely: case, spaces and punctuation are ignored, and so are leading zeros of
numbers ("Gr. 01" reads as "gr1"). A pack grade is known by its code, its name, its
`aliases`, and, when it has a `number` N, by "N" and by each of the pack's
`number_prefixes` followed by N ("Grade 1", "Gr 1", "G1"; "P1", "Primary 1"; "Year 1").
A school grade the pack does not recognise is concerned by none of its rules.

Per-grade `min_class_size` / `max_class_size` are defaults for a new school's grades. A
`max_class_size` is the law's cap where the pack's comments say so; otherwise, and for
every `min_class_size`, it is a default, not law. The default minimum is half the maximum,
rounded up: the largest minimum with which any grade of at least that many students can
still be split into straight classes.
"""

from __future__ import annotations

import datetime
import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DEFAULT_PACK_ID", "PackError", "UnknownPack", "RulePack", "PackGrade", "Rule",
           "Source", "Note", "pack_list", "pack_get", "load_pack"]

DEFAULT_PACK_ID = "none"
PACK_DIR = Path(__file__).resolve().parent

MAX_SIZE = 1000  # the contract's limit on class sizes
MAX_TEXT = 200  # the contract's limit on text fields (labels)
RULE_FIELDS = {  # the contract's fields of each kind, plus the pack's own source and note
    "cap": {"kind", "grades", "size", "label"},
    "share": {"kind", "grades", "size", "share", "label"},
    "average": {"kind", "grades", "average", "label"},
}
PACK_FIELDS = {"id", "name", "jurisdiction", "version", "effective", "source", "summary",
               "limits_note", "number_prefixes", "grades", "composite", "rules",
               "not_checked"}


class PackError(ValueError):
    """A malformed pack file; the message names the file and the field."""


class UnknownPack(KeyError):
    """No pack has this id."""

    def __str__(self):
        return str(self.args[0]) if self.args else "Unknown rule pack."


@dataclass(frozen=True)
class Source:
    title: str
    url: str


@dataclass(frozen=True)
class Note:
    """Something the pack's law asks that a school's plan alone cannot show."""

    text: str
    source: Source | None


@dataclass(frozen=True)
class PackGrade:
    code: str
    name: str
    min_class_size: int | None
    max_class_size: int | None
    keys: frozenset[str]  # every normalised spelling that names this grade


@dataclass(frozen=True)
class Rule:
    kind: str
    grades: tuple[str, ...]  # pack grade codes
    label: str
    source: Source
    size: int | None = None
    share: float | None = None
    average: float | None = None
    note: str = ""

    def contract_fields(self) -> dict:
        """The rule's figures under the contract's field names (kind and grades aside)."""
        figures = {"size": self.size, "share": self.share, "average": self.average}
        return {k: figures[k] for k in ("size", "share", "average")
                if k in RULE_FIELDS[self.kind]}


@dataclass(frozen=True)
class RulePack:
    id: str
    name: str
    jurisdiction: str
    version: str
    effective: datetime.date | None
    source: Source | None
    summary: str
    limits_note: str
    grades: tuple[PackGrade, ...]
    rules: tuple[Rule, ...]
    not_checked: tuple[Note, ...]
    composite_max_class_size: int | None
    composite_label: str
    composite_source: Source | None

    @functools.cached_property
    def _grade_by_key(self) -> dict[str, PackGrade]:
        return {key: g for g in self.grades for key in g.keys}

    def grade_map(self, grades) -> dict[str, str]:
        """Which of the school's grades the pack recognises: {school code: pack grade code}."""
        found = {}
        for code, name in _pairs(grades):
            grade = self._grade_by_key.get(_key(code)) or (
                self._grade_by_key.get(_key(name)) if name else None)
            if grade is not None:
                found[code] = grade.code
        return found

    def problem_rules(self, grades) -> list[dict]:
        """The pack's rules in the school's grade codes, for the problem's `rules` field.

        Only the contract's fields; a rule that concerns none of these grades is left out.
        """
        mapping = self.grade_map(grades)
        order = [code for code, _ in _pairs(grades)]
        emitted = []
        for rule in self.rules:
            codes = [code for code in order if mapping.get(code) in rule.grades]
            if codes:
                emitted.append({"kind": rule.kind, "grades": codes, **rule.contract_fields(),
                                "label": rule.label})
        return emitted

    def grade_limits(self, code: str) -> tuple[int, int] | None:
        """(min_class_size, max_class_size) for a pack grade code or a school's grade code
        or name; None when the pack does not know the grade or gives it no limits."""
        grade = next((g for g in self.grades if g.code == code), None)
        grade = grade or self._grade_by_key.get(_key(code))
        if grade is None or grade.max_class_size is None:
            return None
        return grade.min_class_size, grade.max_class_size

    def describe_rules(self) -> dict:
        """For pages and PDFs: each rule (label, plain sentence, source), the composite cap,
        and the notes on what is not checked at school level."""
        names = {g.code: g.name for g in self.grades}
        rules = [{"label": r.label, "text": _sentence(r, names), "note": r.note,
                  **_source_fields(r.source)} for r in self.rules]
        if self.composite_max_class_size is not None:
            rules.append({
                "label": self.composite_label,
                "text": f"No composite (multi-grade) class has more than "
                        f"{self.composite_max_class_size} students.",
                "note": "", **_source_fields(self.composite_source)})
        return {"rules": rules,
                "not_checked": [{"text": n.text, **_source_fields(n.source)}
                                for n in self.not_checked]}


def pack_list() -> list[RulePack]:
    """Every shipped pack: "none" first, then by name."""
    return sorted(_packs().values(), key=lambda p: (p.id != DEFAULT_PACK_ID, p.name.casefold()))


def pack_get(pack_id: str) -> RulePack:
    try:
        return _packs()[pack_id]
    except KeyError:
        known = ", ".join(sorted(_packs()))
        raise UnknownPack(f"Unknown rule pack {pack_id!r}; known packs: {known}.") from None


@functools.cache
def _packs() -> dict[str, RulePack]:
    packs = {}
    for path in sorted(PACK_DIR.glob("*.toml")):
        pack = load_pack(path)
        if pack.id in packs:
            raise PackError(f"{path.name}: id {pack.id!r} is used by another pack.")
        packs[pack.id] = pack
    return packs


# Reading and validating one file ---------------------------------------------------------

def load_pack(path: Path) -> RulePack:
    """Read and validate one pack file; PackError names the file and the field."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise PackError(f"{path.name}: not valid TOML ({error}).") from None
    return _Reader(path.name).pack(data, path.stem)


class _Reader:
    def __init__(self, filename: str):
        self.filename = filename

    def fail(self, where: str, message: str):
        raise PackError(f"{self.filename}: {where} {message}")

    def fields(self, where, obj, allowed):
        if not isinstance(obj, dict):
            self.fail(where, "must be a table.")
        unknown = sorted(set(obj) - allowed)
        if unknown:
            self.fail(where, f"has unknown field(s) {', '.join(unknown)}.")

    def text(self, where, obj, key, required=True, limit=None) -> str:
        value = obj.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.fail(f"{where}{key}", "must be a non-empty string.")
        if limit and len(value) > limit:
            self.fail(f"{where}{key}", f"must be at most {limit} characters.")
        return value

    def integer(self, where, value, minimum=1, maximum=MAX_SIZE) -> int:
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail(where, f"must be a whole number (got {value!r}).")
        if not minimum <= value <= maximum:
            self.fail(where, f"must be between {minimum} and {maximum} (got {value}).")
        return value

    def number(self, where, value) -> float:
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            self.fail(where, f"must be a number (got {value!r}).")
        return value

    def source(self, where, value) -> Source:
        self.fields(where, value, {"title", "url"})
        url = self.text(where + ".", value, "url")
        if not url.startswith(("https://", "http://")):
            self.fail(where + ".url", f"must be a web address (got {url!r}).")
        return Source(self.text(where + ".", value, "title"), url)

    def pack(self, data: dict, stem: str) -> RulePack:
        self.fields("the pack", data, PACK_FIELDS)
        pack_id = self.text("", data, "id")
        if pack_id != stem:
            self.fail("id", f"must match the file name ({stem!r}), got {pack_id!r}.")
        prefixes = data.get("number_prefixes", [])
        if not isinstance(prefixes, list) or not all(isinstance(p, str) for p in prefixes):
            self.fail("number_prefixes", "must be a list of strings.")
        grades = self.grades(data.get("grades", []), prefixes)
        codes = {g.code for g in grades}
        rules = tuple(self.rule(f"rules[{i}]", r, codes)
                      for i, r in enumerate(self.table_list("rules", data.get("rules", []))))
        composite = data.get("composite", {})
        self.fields("composite", composite, {"max_class_size", "label", "source"})
        cap = composite.get("max_class_size")
        if composite:
            cap = self.integer("composite.max_class_size", cap)
            self.text("composite.", composite, "label", limit=MAX_TEXT)
            if "source" not in composite:
                self.fail("composite.source", "is required: the cap names its source.")
        effective = data.get("effective")
        if effective is not None and type(effective) is not datetime.date:
            self.fail("effective", "must be a date, written 2012-09-01 (no quotes).")
        if grades or rules or composite:
            for key in ("effective", "source"):
                if key not in data:
                    self.fail(key, "is required in a pack with grades or rules.")
        return RulePack(
            id=pack_id, name=self.text("", data, "name"),
            jurisdiction=self.text("", data, "jurisdiction"),
            version=self.text("", data, "version"), effective=effective,
            source=self.source("source", data["source"]) if "source" in data else None,
            summary=self.text("", data, "summary"),
            limits_note=self.text("", data, "limits_note", required=False),
            grades=grades, rules=rules,
            not_checked=tuple(self.note(f"not_checked[{i}]", n) for i, n in
                              enumerate(self.table_list("not_checked",
                                                        data.get("not_checked", [])))),
            composite_max_class_size=cap,
            composite_label=composite.get("label", ""),
            composite_source=(self.source("composite.source", composite["source"])
                              if composite else None),
        )

    def table_list(self, where, value) -> list:
        if not isinstance(value, list):
            self.fail(where, "must be a list of tables ([[...]]).")
        return value

    def grades(self, raw, prefixes) -> tuple[PackGrade, ...]:
        grades, owner = [], {}
        for i, g in enumerate(self.table_list("grades", raw)):
            where = f"grades[{i}]"
            self.fields(where, g, {"code", "name", "aliases", "number", "min_class_size",
                                   "max_class_size"})
            code = self.text(where + ".", g, "code")
            name = self.text(where + ".", g, "name")
            aliases = g.get("aliases", [])
            if not isinstance(aliases, list) or not all(isinstance(a, str) and _key(a)
                                                        for a in aliases):
                self.fail(where + ".aliases", "must be a list of non-empty strings.")
            spellings = [code, name, *aliases]
            if "number" in g:
                number = self.integer(where + ".number", g["number"], 0, 99)
                spellings += [str(number)] + [p + str(number) for p in prefixes]
            low, high = g.get("min_class_size"), g.get("max_class_size")
            if (low is None) != (high is None):
                self.fail(where, "needs both min_class_size and max_class_size, or neither.")
            if high is not None:
                low = self.integer(where + ".min_class_size", low)
                high = self.integer(where + ".max_class_size", high)
                if low > high:
                    self.fail(where, f"min_class_size ({low}) is above max_class_size ({high}).")
            if not _key(code) or not _key(name):
                self.fail(where, "code and name need a letter or digit.")
            keys = frozenset(_key(s) for s in spellings)
            for key in keys:
                if owner.setdefault(key, code) != code:
                    self.fail(where, f"{code!r} and {owner[key]!r} share the spelling {key!r}.")
            grades.append(PackGrade(code, name, low, high, keys))
        return tuple(grades)

    def rule(self, where, r, codes) -> Rule:
        if not isinstance(r, dict):
            self.fail(where, "must be a table.")
        kind = r.get("kind")
        if kind not in RULE_FIELDS:
            self.fail(where + ".kind", f"must be cap, share or average (got {kind!r}).")
        self.fields(where, r, RULE_FIELDS[kind] | {"source", "note"})
        grades = r.get("grades")
        if not isinstance(grades, list) or not grades or not all(isinstance(g, str)
                                                                 for g in grades):
            self.fail(where + ".grades", "must be a non-empty list of grade codes.")
        if len(set(grades)) != len(grades):
            self.fail(where + ".grades", "names a grade more than once.")
        unknown = [g for g in grades if g not in codes]
        if unknown:
            self.fail(where + ".grades", f"names grade(s) the pack does not list: "
                                         f"{', '.join(unknown)}.")
        if "source" not in r:
            self.fail(where + ".source", "is required: every rule names its source.")
        figures = {}
        if "size" in RULE_FIELDS[kind]:
            figures["size"] = self.integer(where + ".size", r.get("size"))
        if kind == "share":
            share = self.number(where + ".share", r.get("share"))
            if not 0 < share <= 1:
                self.fail(where + ".share", f"must be above 0 and at most 1 (got {share}).")
            figures["share"] = share
        if kind == "average":
            average = self.number(where + ".average", r.get("average"))
            if not average > 0:
                self.fail(where + ".average", f"must be above 0 (got {average}).")
            figures["average"] = average
        return Rule(kind=kind, grades=tuple(grades),
                    label=self.text(where + ".", r, "label", limit=MAX_TEXT),
                    source=self.source(where + ".source", r["source"]),
                    note=self.text(where + ".", r, "note", required=False), **figures)

    def note(self, where, n) -> Note:
        self.fields(where, n, {"text", "source"})
        source = self.source(where + ".source", n["source"]) if "source" in n else None
        return Note(self.text(where + ".", n, "text"), source)


# Helpers -------------------------------------------------------------------------------

def _key(text) -> str:
    """A loose spelling: lower case, letters and digits only, numbers without leading zeros."""
    squashed = "".join(ch for ch in str(text or "").casefold() if ch.isalnum())
    return re.sub(r"\d+", lambda m: str(int(m.group())), squashed)


def _pairs(grades) -> list[tuple[str, str]]:
    pairs = []
    for grade in grades:
        if isinstance(grade, dict):
            pairs.append((grade["code"], grade.get("name") or ""))
        else:
            code, name = grade
            pairs.append((code, name or ""))
    return pairs


def _source_fields(source: Source | None) -> dict:
    return {"source_title": source.title if source else "",
            "source_url": source.url if source else ""}


def _sentence(rule: Rule, names: dict[str, str]) -> str:
    """The rule in plain words, from its figures (so the words cannot drift from them)."""
    listed = [names[g] for g in rule.grades]
    order = list(names)
    positions = [order.index(g) for g in rule.grades]
    if len(listed) >= 3 and positions == list(range(positions[0], positions[0] + len(listed))):
        who = f"{listed[0]} to {listed[-1]}"
    elif len(listed) == 1:
        who = listed[0]
    else:
        who = ", ".join(listed[:-1]) + " or " + listed[-1]
    if rule.kind == "cap":
        return f"No class with any {who} students has more than {rule.size} students."
    classes = f"classes with any {who} students"
    if rule.kind == "share":
        return (f"At least {rule.share * 100:g}% of {classes} have {rule.size} students "
                f"or fewer.")
    return f"Across the school, {classes} average at most {rule.average:g} students."
