"""`sql` on the team's own database: `url: ${NAME}` names an environment variable that
holds a SQLAlchemy URL, so the credentials are never in the spec.

The URL itself never leaves this module: an error names the variable and says what
went wrong in words of heatdoc's or the database's, with the URL's text removed, and
nothing of it reaches the build cache (a chart read from a server is made again every
build) or the site. The query runs in a read-only transaction where the database has
one (PostgreSQL: `postgresql_readonly`, and a statement timeout), and the transaction
is rolled back, never committed.
"""
from __future__ import annotations

import os
import re
from typing import Any

from heatdoc.sources.readers import ReadError, Table

SQL_SECONDS = 60  # as sql.SQL_SECONDS
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}\Z")


def read_url(spec_value: str, query: str) -> Table:
    """The result of ``query`` on the database at the URL in the variable ``${NAME}``."""
    match = VARIABLE.match(spec_value)
    if not match:  # the schema's pattern has said so already
        raise ReadError("url must be ${NAME}: the environment variable that holds the URL")
    name = match.group(1)
    url = os.environ.get(name, "")
    if not url.strip():
        raise ReadError(f"the environment variable {name} is not set; set it to the database's "
                        "SQLAlchemy URL (postgresql+psycopg://user:password@host/database)")
    try:
        import sqlalchemy as sa
    except ImportError:
        raise ReadError(f"url: needs SQLAlchemy and a driver: pip install 'heatdoc[sql]'") from None

    def hidden(exc: BaseException) -> str:
        return _without(url, _reason(exc))

    try:
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    except Exception as exc:  # a malformed URL, an unknown dialect, a driver not installed
        raise ReadError(f"the URL in {name} is not one SQLAlchemy can use: {hidden(exc)}") from None
    try:
        try:
            conn = engine.connect()
        except Exception as exc:
            raise ReadError(f"cannot connect to the database in {name}: {hidden(exc)}") from None
        with conn:
            try:
                names, rows = _read_only(conn, engine.dialect.name, query)
            except Exception as exc:
                text = hidden(exc)
                if "read-only" in text or "read only" in text:
                    raise ReadError("the query would change the database; heatdoc runs it in a read-only "
                                    f"transaction, so only SELECT queries work ({text})", key="sql") from None
                if "statement timeout" in text:
                    raise ReadError(f"the query ran for more than {SQL_SECONDS} s and was stopped",
                                    key="sql") from None
                raise ReadError(f"SQL error on the database in {name}: {text}", key="sql") from None
    finally:
        engine.dispose()
    if names is None:
        raise ReadError("the statement returns no rows; use a SELECT query", key="sql")
    if not rows:
        raise ReadError("the query returned no rows", key="sql")
    return Table(f"the database in {name}", [list(col) for col in zip(*rows)], names)


def _read_only(conn: Any, dialect: str, query: str) -> tuple[list[str] | None, list]:
    """Run ``query`` in a read-only transaction (where the dialect has one); roll back."""
    import sqlalchemy as sa

    if dialect == "postgresql":
        conn = conn.execution_options(postgresql_readonly=True)
    elif dialect in ("mysql", "mariadb"):
        conn.exec_driver_sql("SET TRANSACTION READ ONLY")
    with conn.begin() as transaction:
        if dialect == "postgresql":
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            conn.exec_driver_sql(f"SET LOCAL statement_timeout = {SQL_SECONDS * 1000}")
            conn.exec_driver_sql("SELECT 1")  # a snapshot taken: no SET TRANSACTION READ WRITE after it
        if conn.dialect.driver == "psycopg":
            # one statement only (a prepared statement): "COMMIT; INSERT ..." cannot leave
            # the read-only transaction; the text goes to the server as written
            cursor = conn.connection.dbapi_connection.cursor()
            cursor.execute(query, prepare=True)
            names = [d.name for d in cursor.description] if cursor.description else None
            rows = [tuple(r) for r in cursor.fetchall()] if names is not None else []
        else:
            # exec_driver_sql: the text goes to the database as written (no :name binding)
            result = conn.exec_driver_sql(query)
            names = list(result.keys()) if result.returns_rows else None
            rows = [tuple(r) for r in result.fetchall()] if names is not None else []
        transaction.rollback()
    return names, rows


def _reason(exc: BaseException) -> str:
    """The driver's own first line, without SQLAlchemy's statement and background link."""
    inner = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(inner).strip().splitlines() if line.strip()]
    return lines[0] if lines else type(inner).__name__


def _without(url: str, text: str) -> str:
    """``text`` with the URL, and each secret part of it, taken out."""
    from urllib.parse import unquote, urlsplit

    secrets = {url}
    try:
        parts = urlsplit(url)
        for part in (parts.password, parts.username, parts.netloc):
            if part:
                secrets |= {part, unquote(part)}
    except ValueError:
        pass
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= 3:
            text = text.replace(secret, "***")
    return text
