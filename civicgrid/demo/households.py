"""Who lives together: household compositions with plausible ages, names and tags.

The mix of household types (people living alone, elderly couples, couples with children,
three generations, grandparents with left-behind children…) gives an age pyramid close
to a Chinese city's: about 17% under 15, 20% aged 60 and over.
"""

import random
from dataclasses import dataclass, field
from datetime import date

from civicgrid.demo.names import SURNAMES, Picker, given_name


@dataclass(slots=True)
class Member:
    relation: str
    male: bool
    age: int
    name: str = ""
    born: date | None = None
    tags: list[str] = field(default_factory=list)


KINDS = ["single_young", "single_old", "old_couple", "couple", "couple_child", "couple_adult",
         "couple_two", "three_gen", "single_parent", "skipped"]  # fmt: skip
URBAN: Picker[str] = Picker(KINDS, [8, 7, 11, 9, 24, 10, 11, 12, 5, 2])
RURAL: Picker[str] = Picker(KINDS, [5, 9, 13, 6, 16, 8, 15, 17, 3, 9])
FLOATING: Picker[str] = Picker(
    ["single_young", "couple", "couple_child", "couple_two", "single_parent"], [35, 25, 30, 8, 2]
)


def _head(rng: random.Random, low: int, high: int, mode: int, male_share: float = 0.8) -> Member:
    return Member("户主", rng.random() < male_share, round(rng.triangular(low, high, mode)))


def _spouse(rng: random.Random, head: Member) -> Member:
    age = max(20, head.age + int(rng.random() * 9) + (-6 if head.male else -2))
    return Member("配偶", not head.male, age)


def _child(rng: random.Random, parent_age: int) -> Member | None:
    age = parent_age - 22 - int(rng.random() * 15)
    if age < 0:
        return None
    male = rng.random() < 0.52
    return Member("子" if male else "女", male, age)


def compose(kind: str, rng: random.Random) -> list[Member]:
    """The members of one household of ``kind``, head first (names and dates come later)."""
    if kind == "single_young":
        return [_head(rng, 19, 42, 27, 0.6)]
    if kind == "single_old":
        return [_head(rng, 60, 96, 72, 0.35)]
    if kind == "old_couple":
        head = _head(rng, 56, 90, 64)
        return [head, _spouse(rng, head)]
    if kind == "couple":
        head = _head(rng, 23, 64, 30)
        return [head, _spouse(rng, head)]
    if kind in ("couple_child", "couple_two"):
        head = _head(rng, 26, 62, 42)
        members = [head, _spouse(rng, head)]
        for _ in range(1 if kind == "couple_child" else 2):
            if child := _child(rng, min(head.age, members[1].age)):
                members.append(child)
        return members
    if kind == "couple_adult":
        head = _head(rng, 46, 68, 55)
        members = [head, _spouse(rng, head)]
        if child := _child(rng, min(head.age, members[1].age)):
            members.append(child)
        return members
    if kind == "three_gen":
        return _three_generations(rng)
    if kind == "single_parent":
        head = _head(rng, 28, 56, 40, 0.3)
        child = _child(rng, head.age)
        return [head, child] if child else [head]
    return _skipped_generation(rng)


def _three_generations(rng: random.Random) -> list[Member]:
    head = _head(rng, 30, 58, 45)
    members = [head, _spouse(rng, head)]
    for _ in range(rng.choice((1, 1, 2))):
        if child := _child(rng, min(head.age, members[1].age)):
            members.append(child)
    parent_age = min(98, head.age + rng.randint(24, 34))
    if rng.random() < 0.6:
        members.append(Member("父亲", True, parent_age))
    members.append(Member("母亲", False, max(head.age + 20, parent_age - rng.randint(0, 4))))
    return members


def _skipped_generation(rng: random.Random) -> list[Member]:
    """Grandparents bringing up grandchildren whose parents work away (留守儿童)."""
    head = _head(rng, 52, 78, 60)
    members = [head]
    if rng.random() < 0.7:
        members.append(_spouse(rng, head))
    for _ in range(rng.choice((1, 1, 2))):
        age = rng.randint(2, 15)
        male = rng.random() < 0.52
        members.append(Member("孙子" if male else "孙女", male, age, tags=["left_behind_child"]))
    return members


def name_members(members: list[Member], rng: random.Random, reference: date) -> None:
    """Names and birth dates: the family line shares the husband's surname."""
    head = members[0]
    family = SURNAMES.pick(rng)
    head_surname = family if head.male else SURNAMES.pick(rng)
    for member in members:
        year_days = int(rng.random() * 365)
        member.born = date.fromordinal(reference.toordinal() - member.age * 365 - member.age // 4 - year_days)
        if member is head:
            surname = head_surname
        elif member.relation in ("子", "女", "孙子", "孙女"):
            surname = family
        elif member.relation == "父亲":
            surname = head_surname
        else:
            surname = SURNAMES.pick(rng)
        member.name = surname + given_name(rng, member.male, member.born.year)


def tag_members(kind: str, members: list[Member], rng: random.Random, low_income_rate: float) -> None:
    """Care and status tags at plausible rates (codes of ``registry.constants.DEFAULT_TAGS``)."""
    poor = rng.random() < low_income_rate
    for m in members:
        tags = m.tags
        if kind == "single_old" and m.age >= 60:
            tags.append("elderly_alone")
            if rng.random() < 0.03:
                tags.append("extreme_poverty")
        elif kind == "old_couple" and m.age >= 60 and rng.random() < 0.8:
            tags.append("empty_nest")
        if poor:
            tags.append("low_income")
        if rng.random() < (0.055 if m.age >= 65 else 0.015):
            tags.append("disabled")
        _adult_tags(m, rng)


def _adult_tags(m: Member, rng: random.Random) -> None:
    if m.age < 18:
        return
    tags = m.tags
    party = rng.random() < (0.11 if m.age >= 55 else 0.05 if m.age < 35 else 0.08)
    if party:
        tags.append("party_member")
        needy = "low_income" in tags or "disabled" in tags or "elderly_alone" in tags
        if needy or rng.random() < 0.02:
            tags.append("needy_party_member")
    if m.male and 25 <= m.age <= 80 and rng.random() < 0.025:
        tags.append("veteran")
    if m.age <= 75 and rng.random() < (0.2 if party else 0.035):
        tags.append("volunteer")
    if m.age <= 60 and rng.random() < 0.0005:
        tags.append("community_corrections")
    if rng.random() < 0.002:
        tags.append("serious_mental_illness")
