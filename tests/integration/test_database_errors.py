"""A database error, as the bot logs it with its traceback, shows no SQL parameters."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from storage.database import Database


def test_an_error_does_not_show_its_parameters(database: Database) -> None:
    with pytest.raises(DBAPIError) as raised, database.transaction() as session:
        session.connection().execute(
            text("SELECT * FROM no_such_table WHERE name = :name AND id = :id"),
            {"name": "Sambrecht", "id": 7100000001},
        )
    assert "no_such_table" in str(raised.value)
    assert "Sambrecht" not in str(raised.value) and "7100000001" not in str(raised.value)
