"""SQL sources: a query run on an SQLite or DuckDB database file that heatdoc can only read."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from heatdoc.sources.dispatch import ReadContext

from heatdoc.sources.readers import ReadError, Table

SQL_SECONDS = 60  # a query that runs longer is a mistake, not a heatmap


def read_sql(path: Path, query: str, ctx: "ReadContext") -> Table:
    """The result of ``query`` on the database file at ``path``: DuckDB's when the file
    is a DuckDB database, else SQLite's."""
    if is_duckdb(path):
        return read_duckdb(path, query, ctx)
    return read_sqlite(path, query)


def is_duckdb(path: Path) -> bool:
    """A DuckDB database file has "DUCK" at byte 8 (an SQLite file starts "SQLite format 3")."""
    try:
        with open(path, "rb") as fh:
            return fh.read(12)[8:12] == b"DUCK"
    except OSError:
        return False


def read_duckdb(path: Path, query: str, ctx: "ReadContext") -> Table:
    """The result of ``query`` on a DuckDB file opened read-only, in a connection that can
    reach no other file, URL or extension and whose settings are locked
    (`duckdb_engine.connect`): a query can neither write nor read beyond the database."""
    import duckdb

    from heatdoc.sources.duckdb_engine import SECONDS, connect, first_line, run

    with connect(ctx.cache_folder, ctx.memory_limit, database=path) as con:
        try:
            cursor = run(con, query, limit=SECONDS)
            names = [d[0] for d in cursor.description] if cursor.description else None
            rows = cursor.fetchall() if names else []
        except duckdb.InterruptException:
            raise ReadError(f"the query ran for more than {SECONDS} s and was stopped", key="sql") from None
        except duckdb.PermissionException as exc:
            raise ReadError(f"the query reaches outside the database; heatdoc lets a query read only "
                            f"its database ({first_line(exc)})", key="sql") from None
        except duckdb.Error as exc:
            text = first_line(exc)
            if "read-only mode" in text or "configuration has been locked" in text:
                raise ReadError("the query would change the database or a setting; heatdoc opens the "
                                f"database read-only, so only SELECT queries work ({text})", key="sql") from None
            raise ReadError(f"SQL error: {text}", key="sql") from None
    return _table(path.name, names, rows)


def _table(name: str, names: list[str] | None, rows: list) -> Table:
    if names is None:
        raise ReadError("the statement returns no rows; use a SELECT query", key="sql")
    if not rows:
        raise ReadError("the query returned no rows", key="sql")
    return Table(name, [list(col) for col in zip(*rows)], names)


def read_sqlite(path: Path, query: str) -> Table:
    """The result of ``query`` on an SQLite file opened read-only: the URI's mode=ro,
    no ATTACH, and an authorizer that allows reading only, so no query can change a file."""
    import sqlite3
    import time
    from urllib.parse import quote

    def only_reads(action: int, *_args: Any) -> int:
        allowed = (sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE)
        return sqlite3.SQLITE_OK if action in allowed else sqlite3.SQLITE_DENY

    deadline = time.monotonic() + SQL_SECONDS
    try:
        conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise ReadError(f"cannot open {path.name}: {exc}") from None
    try:
        conn.execute("SELECT count(*) FROM sqlite_master")  # is it a database at all?
        conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
        conn.set_authorizer(only_reads)
        conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
        cursor = conn.execute(query)
        rows = cursor.fetchall()
        names = [d[0] for d in cursor.description] if cursor.description else None
    except sqlite3.DatabaseError as exc:
        text = str(exc)
        if "not a database" in text:
            raise ReadError(f"{path.name} is not an SQLite database") from None
        if any(word in text for word in ("authoriz", "readonly", "read-only")):
            raise ReadError("the query would change the database or open another file; heatdoc "
                            "opens the database read-only, so only SELECT queries work", key="sql") from None
        if "interrupted" in text:
            raise ReadError(f"the query ran for more than {SQL_SECONDS} s and was stopped", key="sql") from None
        if text.startswith("no such table"):
            tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN "
                                                 "('table', 'view') ORDER BY name")]
            text += f" (the tables are: {', '.join(tables) or 'none'})"
        raise ReadError(f"SQL error: {text}", key="sql") from None
    finally:
        conn.close()
    return _table(path.name, names, rows)
