"""The error for a stored value this code never writes: raised by the store, met by the recap,
the site and the commands, so it lives outside all of them."""

from __future__ import annotations


class DamagedRow(Exception):
    """A stored row with a value this code never writes (`chat_date = '../../x'`, a topic that
    is not JSON): the database was damaged or edited by hand. Says which row."""

    def __init__(self, table: str, row_id: object, problem: str) -> None:
        super().__init__(f"{table} row {row_id} cannot be read ({problem})")
        self.table, self.row_id, self.problem = table, row_id, problem
