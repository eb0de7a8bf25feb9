"""The explicit table of allowed transitions and who may make them.

``TRANSITIONS[action] = Rule(sources, target, actors)``: the action is allowed only from a
status in ``sources``; it moves the request to ``target`` (``None``: stays where it is;
``PREVIOUS``: back to ``status_before``); only actors of a kind in ``actors`` may take it.

Actor kinds (see ``permissions.actor_kinds``):
``dispatcher`` — operator whose scope covers the request (the hotline / 民声总台);
``lead`` — member of the lead unit; ``assist`` — member of an assisting unit;
``grid`` — grid worker whose grid covers the place; ``supervisor`` — leader above the place
or member of the lead unit's parent unit; ``requester`` — the resident (rating link);
``system`` — the product itself (automatic dispatch, periodic tasks, API intake).
"""

from dataclasses import dataclass

from civicgrid.requests.constants import Action, Status

PREVIOUS = "__previous__"

DISPATCHER = "dispatcher"
LEAD = "lead"
ASSIST = "assist"
GRID = "grid"
SUPERVISOR = "supervisor"
REQUESTER = "requester"
SYSTEM = "system"

S = Status
WORKING = frozenset({S.SIGNED, S.IN_PROGRESS})
ACTIVE = frozenset({S.DISPATCHED, S.SIGNED, S.IN_PROGRESS, S.LONG_RUNNING})
OPEN = frozenset(
    {S.RECEIVED, S.DISPATCHED, S.SIGNED, S.IN_PROGRESS, S.RETURN_PENDING, S.SUSPENDED, S.LONG_RUNNING}
)
ANY = frozenset(Status.values)


@dataclass(frozen=True)
class Rule:
    sources: frozenset[str]
    target: str | None
    actors: frozenset[str]


def rule(sources: frozenset[str] | set[str], target: str | None, *actors: str) -> Rule:
    return Rule(frozenset(sources), target, frozenset(actors))


TRANSITIONS: dict[str, Rule] = {
    Action.DIRECT_CLOSE: rule({S.RECEIVED}, S.CLOSED, DISPATCHER),
    Action.DISPATCH: rule({S.RECEIVED}, S.DISPATCHED, DISPATCHER, SYSTEM),
    Action.SIGN: rule({S.DISPATCHED}, S.SIGNED, LEAD),
    Action.START: rule({S.SIGNED}, S.IN_PROGRESS, LEAD),
    Action.REPLY: rule(WORKING | {S.LONG_RUNNING}, S.REPLIED, LEAD),
    Action.VERIFY: rule({S.REPLIED}, S.VERIFIED, GRID),
    Action.CALLBACK: rule({S.REPLIED, S.VERIFIED}, S.CALLED_BACK, DISPATCHER),
    Action.RATE: rule({S.REPLIED, S.VERIFIED}, S.CALLED_BACK, REQUESTER),
    Action.CLOSE: rule({S.CALLED_BACK, S.REPLIED, S.VERIFIED}, S.CLOSED, DISPATCHER, SYSTEM),
    Action.RETURN_REQUEST: rule({S.DISPATCHED} | WORKING, S.RETURN_PENDING, LEAD),
    Action.NOT_OURS: rule({S.DISPATCHED} | WORKING, S.RETURN_PENDING, LEAD),
    Action.RETURN_APPROVE: rule({S.RETURN_PENDING}, S.RECEIVED, DISPATCHER),
    Action.RETURN_REJECT: rule({S.RETURN_PENDING}, PREVIOUS, DISPATCHER),
    Action.REASSIGN: rule({S.DISPATCHED} | WORKING, S.DISPATCHED, DISPATCHER),
    Action.EXTEND_REQUEST: rule(WORKING, None, LEAD),
    Action.EXTEND_APPROVE: rule(WORKING | {S.SUSPENDED, S.LONG_RUNNING}, None, DISPATCHER),
    Action.EXTEND_REJECT: rule(WORKING | {S.SUSPENDED, S.LONG_RUNNING}, None, DISPATCHER),
    Action.SUSPEND: rule(WORKING, S.SUSPENDED, DISPATCHER),
    Action.RESUME: rule({S.SUSPENDED}, PREVIOUS, DISPATCHER),
    Action.LONG_RUNNING: rule(WORKING, S.LONG_RUNNING, DISPATCHER),
    Action.SUPERVISE: rule(OPEN, None, SUPERVISOR, DISPATCHER),
    Action.MERGE: rule({S.RECEIVED, S.DISPATCHED} | WORKING, S.MERGED, DISPATCHER),
    Action.REOPEN: rule({S.CALLED_BACK, S.CLOSED}, S.DISPATCHED, DISPATCHER, SYSTEM),
    Action.WHISTLE: rule(WORKING | {S.LONG_RUNNING}, None, LEAD),
    # A summoned department may report in whenever the whistle is open (the summoning unit
    # closes it with its outcome; closing or merging the request ends it): while the request
    # is suspended (the report-in deadline is the department's own, it does not pause) and
    # after the lead replied, until the request is closed.
    Action.REPORT_IN: rule(
        ACTIVE | {S.SUSPENDED, S.RETURN_PENDING, S.REPLIED, S.VERIFIED, S.CALLED_BACK}, None, ASSIST
    ),
    Action.ESCALATE: rule({S.DISPATCHED} | WORKING, S.DISPATCHED, LEAD),
    Action.COUNCIL: rule(WORKING | {S.LONG_RUNNING}, None, LEAD),
    # The requester may add to an open request (a resident following it instead of filing again).
    Action.NOTE: rule(ANY, None, DISPATCHER, LEAD, ASSIST, GRID, SUPERVISOR, REQUESTER),
    Action.WARN: rule(OPEN, None, SYSTEM),
}


def allowed_actions(status: str, kinds: set[str] | frozenset[str]) -> list[str]:
    """Actions an actor of these kinds may take on a request in ``status`` (for buttons)."""
    return [action for action, r in TRANSITIONS.items() if status in r.sources and r.actors & kinds]
