"""``IndexesBySql``: a migration step whose state is Django's operations but whose PostgreSQL
side is a list of plain index statements.

Django alters a foreign key's index by dropping and re-adding the foreign key constraint,
which checks every row of the table again under lock: on a table of millions of requests,
minutes. Changing only indexes needs none of that, so on PostgreSQL the step runs the
given ``DROP INDEX`` / ``CREATE INDEX`` / ``ALTER INDEX … RENAME`` statements instead.
Elsewhere (SQLite) Django's own operations run. Backwards (both databases) those
operations are undone in reverse order, which on PostgreSQL is the heavy path: undo such a
step on a large database in a maintenance window.
"""

from typing import Any

from django.db import migrations


class IndexesBySql(migrations.operations.base.Operation):
    reduces_to_sql = True
    reversible = True

    def __init__(self, operations: list[Any], postgresql: list[str], description: str) -> None:
        self.operations = operations
        self.postgresql = postgresql
        self.description = description

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (
            self.__class__.__qualname__,
            [],
            {"operations": self.operations, "postgresql": self.postgresql, "description": self.description},
        )

    def state_forwards(self, app_label: str, state: Any) -> None:
        for operation in self.operations:
            operation.state_forwards(app_label, state)

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for statement in self.postgresql:
                schema_editor.execute(statement)
            return
        state = from_state
        for operation in self.operations:
            after = state.clone()
            operation.state_forwards(app_label, after)
            operation.database_forwards(app_label, schema_editor, state, after)
            state = after

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        states = [to_state]  # the state before each operation, then after the last
        for operation in self.operations:
            after = states[-1].clone()
            operation.state_forwards(app_label, after)
            states.append(after)
        for i in reversed(range(len(self.operations))):
            self.operations[i].database_backwards(app_label, schema_editor, states[i + 1], states[i])

    def describe(self) -> str:
        return self.description
