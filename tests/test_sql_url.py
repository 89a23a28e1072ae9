"""`sql` with `url: ${NAME}` on a real PostgreSQL server: read-only, and the URL (with
its password) never in an error, the cache, the site or the output."""
from __future__ import annotations

import numpy as np
import pytest
from helpers.postgres import PASSWORD, Server, free_port
from helpers.sources import errors, load

VAR = "HEATDOC_TEST_WAREHOUSE"


@pytest.fixture(scope="module")
def server():
    pg = Server()
    pg.sql("CREATE TABLE sales (region text, month integer, units integer)",
           "INSERT INTO sales VALUES ('north', 1, 5), ('north', 1, 3), ('south', 2, 7), ('north', 10, 1)")
    yield pg
    pg.stop()


@pytest.fixture
def project(make_project, server, monkeypatch):
    monkeypatch.setenv(VAR, server.url)
    return make_project({})


LONG = "x: month, y: region, value: units, agg: sum"


def test_a_query_on_the_server_reads_like_sqlite(project):
    spec = load(project, f"title: t\nz: {{sql: SELECT * FROM sales, url: '${{{VAR}}}', {LONG}}}\n")
    assert spec.x == ["1", "2", "10"] and spec.y == ["north", "south"]
    assert np.array_equal(spec.z, [[8, np.nan, 1], [np.nan, 7, np.nan]], equal_nan=True)


def test_the_query_goes_to_the_server_as_written(project):
    spec = load(project, f"title: t\nz: {{sql: \"SELECT 'a%' AS name, 1 AS v\", url: '${{{VAR}}}'}}\n")
    assert spec.y == ["a%"] and spec.x == ["v"]


@pytest.mark.parametrize("query, message", [
    ("INSERT INTO sales VALUES ('x', 1, 1) RETURNING *",
     "the query would change the database; heatdoc runs it in a read-only transaction, so only SELECT queries "
     "work (cannot execute INSERT in a read-only transaction)"),
    ("CREATE TABLE t AS SELECT 1 AS a", "the query would change the database; heatdoc runs it in a read-only "
                                        "transaction, so only SELECT queries work (cannot execute CREATE TABLE "
                                        "AS in a read-only transaction)"),
    ("SELECT * FROM nothing", f'SQL error on the database in {VAR}: relation "nothing" does not exist'),
    ("SET TRANSACTION READ WRITE; INSERT INTO sales VALUES ('x', 1, 1) RETURNING *",
     f"SQL error on the database in {VAR}: cannot insert multiple commands into a prepared statement"),
    ("COMMIT; INSERT INTO sales VALUES ('x', 1, 1) RETURNING *",
     f"SQL error on the database in {VAR}: cannot insert multiple commands into a prepared statement"),
    ("SET TRANSACTION READ WRITE",
     f"SQL error on the database in {VAR}: transaction read-write mode must be set before any query"),
])
def test_the_server_is_only_read(project, server, query, message):
    found = errors(project, f"title: t\nz: {{sql: {query!r}, url: '${{{VAR}}}'}}\n")
    assert len(found) == 1 and found[0].startswith("2:10: z.sql: " + message), found
    assert PASSWORD not in found[0]
    import psycopg

    with psycopg.connect(host="127.0.0.1", port=server.port, user="heatdoc", password=PASSWORD,
                         dbname="postgres") as con:
        assert con.execute("SELECT count(*) FROM sales").fetchone() == (4,)
        assert con.execute("SELECT count(*) FROM pg_tables WHERE tablename = 't'").fetchone() == (0,)


def test_a_missing_variable_or_refused_connection_names_the_variable(project, monkeypatch, server):
    spec = f"title: t\nz: {{sql: SELECT * FROM sales, url: '${{{VAR}}}'}}\n"
    monkeypatch.delenv(VAR)
    assert errors(project, spec) == [f"2:36: z.url: the environment variable {VAR} is not set; set it to the "
                                     "database's SQLAlchemy URL (postgresql+psycopg://user:password@host/database)"]
    closed = server.url.replace(f":{server.port}/", f":{free_port()}/")
    monkeypatch.setenv(VAR, closed)
    found = errors(project, spec)
    assert len(found) == 1 and found[0].startswith(f"2:36: z.url: cannot connect to the database in {VAR}: ")
    assert "refused" in found[0] and PASSWORD not in found[0] and closed not in found[0]
    monkeypatch.setenv(VAR, server.url.replace(PASSWORD, "wrong-password"))
    found = errors(project, spec)
    assert found[0].startswith(f"2:36: z.url: cannot connect to the database in {VAR}: ")
    assert "wrong-password" not in found[0] and "password authentication failed" in found[0]


def test_the_password_is_nowhere_in_a_build(make_project, heatdoc_cli, server):
    root = make_project({"specs/pg.yaml": f"title: pg\nz: {{sql: SELECT * FROM sales, url: '${{{VAR}}}', "
                                          f"{LONG}}}\n",
                         "specs/bad.yaml": "title: bad\nz: {sql: SELECT * FROM nothing, url: '${" + VAR + "}'}\n"})
    done = heatdoc_cli("build", cwd=root, env={VAR: server.url})
    assert done.returncode == 1 and "bad.yaml:2:" in done.stderr and VAR in done.stderr
    (root / "specs" / "bad.yaml").unlink()
    done = heatdoc_cli("build", cwd=root, env={VAR: server.url})
    assert done.returncode == 0, done.stderr
    assert '"north"' in next((root / "site").rglob("pg.html")).read_text()
    again = heatdoc_cli("build", cwd=root, env={VAR: server.url})  # made again: a server has no file digest
    assert again.returncode == 0
    for output in (done.stdout, done.stderr, again.stdout, again.stderr):
        assert PASSWORD not in output and server.url not in output
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert PASSWORD.encode() not in data and b"127.0.0.1:" not in data, path
