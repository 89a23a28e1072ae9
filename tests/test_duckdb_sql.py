"""`sql` on a DuckDB database file: read like SQLite, opened read-only, and a query that
reaches outside the database (files, COPY, ATTACH, extensions, settings) is refused
with DuckDB's own reason; a glob's new partition rebuilds its chart."""
from __future__ import annotations

import numpy as np
import pytest
from helpers.sources import errors, load

from heatdoc.sources.sql import is_duckdb


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    import duckdb

    root = tmp_path_factory.mktemp("warehouse")
    (root / "heatdoc.yaml").write_text("title: t\n")
    (root / "data").mkdir()
    con = duckdb.connect(str(root / "data" / "warehouse.duckdb"))
    con.execute("CREATE TABLE sales (region VARCHAR, month INTEGER, units INTEGER)")
    con.execute("INSERT INTO sales VALUES ('north', 1, 5), ('north', 1, 3), ('south', 2, 7), ('north', 10, 1)")
    con.close()
    (root / "data" / "inside.csv").write_text("a,b\n1,2\n")
    return root


def test_a_duckdb_database_reads_like_sqlite(project):
    assert is_duckdb(project / "data" / "warehouse.duckdb")
    spec = load(project, "title: t\nz: {sql: SELECT * FROM sales, database: ../data/warehouse.duckdb, "
                         "x: month, y: region, value: units, agg: sum}\n")
    assert spec.x == ["1", "2", "10"] and spec.y == ["north", "south"]
    assert np.array_equal(spec.z, [[8, np.nan, 1], [np.nan, 7, np.nan]], equal_nan=True)


OUT = "/tmp/heatdoc-hostile-out.csv"
REACH = "the query reaches outside the database; heatdoc lets a query read only its database"
WRITE = "the query would change the database or a setting; heatdoc opens the database read-only"


@pytest.mark.parametrize("query, message", [
    ("SELECT * FROM read_csv('/etc/passwd')",
     f'{REACH} (Permission Error: Cannot access file "/etc/passwd" - file system operations are disabled by '
     "configuration)"),
    ("SELECT * FROM read_text('/etc/hostname')", f'{REACH} (Permission Error: Cannot access file "/etc/hostname"'),
    ("SELECT * FROM read_csv('../data/inside.csv')", f"{REACH} (Permission Error: Cannot access file "),
    ("SELECT * FROM glob('/etc/*')", f'{REACH} (Permission Error: Cannot access file "/etc/*"'),
    ("SELECT * FROM read_csv('https://example.org/x.csv')",
     f'{REACH} (Permission Error: Cannot access file "https://example.org/x.csv"'),
    (f"COPY sales TO '{OUT}'", f'{REACH} (Permission Error: Cannot access file "{OUT}"'),
    ("EXPORT DATABASE '/tmp/heatdoc-hostile-export'", f"{REACH} (Permission Error: Cannot access file "),
    ("ATTACH '/tmp/heatdoc-hostile.duckdb' AS other", f'{REACH} (Permission Error: Cannot access file '
                                                      '"/tmp/heatdoc-hostile.duckdb"'),
    ("INSTALL httpfs", f"{REACH} (Permission Error: Cannot access directory "),
    ("LOAD httpfs", f"{REACH} (Permission Error: Loading external extensions is disabled through configuration)"),
    ("CREATE SECRET (TYPE s3)", f"{REACH} (Permission Error: Cannot access directory "),
    ("SET enable_external_access = true",
     f'{WRITE}, so only SELECT queries work (Invalid Input Error: Cannot change configuration option '
     '"enable_external_access" - the configuration has been locked)'),
    ("SET allowed_directories = ['/']", f'{WRITE}, so only SELECT queries work (Invalid Input Error: Cannot '
                                         'change configuration option "allowed_directories"'),
    ("RESET lock_configuration", f"{WRITE}, so only SELECT queries work (Invalid Input Error: Cannot change "
                                 'configuration option "lock_configuration"'),
    ("INSERT INTO sales VALUES ('x', 1, 1)", f'{WRITE}, so only SELECT queries work (Invalid Input Error: '
                                             'Cannot execute statement of type "INSERT" on database "warehouse" '
                                             "which is attached in read-only mode!)"),
    ("DROP TABLE sales", f'{WRITE}, so only SELECT queries work (Invalid Input Error: Cannot execute statement '
                         'of type "DROP" on database "warehouse" which is attached in read-only mode!)'),
    ("SELECT getenv('HOME')", "SQL error: Catalog Error: Scalar Function with name getenv does not exist!"),
])
def test_a_hostile_query_is_refused(project, query, message):
    before = (project / "data" / "warehouse.duckdb").read_bytes()
    found = errors(project, f"title: t\nz: {{sql: {query!r}, database: ../data/warehouse.duckdb}}\n")
    assert len(found) == 1, found
    assert found[0].startswith("2:10: z.sql: " + message), found[0]
    assert (project / "data" / "warehouse.duckdb").read_bytes() == before
    import os

    assert not os.path.exists(OUT) and not os.path.exists("/tmp/heatdoc-hostile.duckdb")
    assert not os.path.exists("/tmp/heatdoc-hostile-export")


def test_a_new_partition_rebuilds_the_chart(make_project, heatdoc_cli):
    import pyarrow as pa
    import pyarrow.parquet as pq

    root = make_project({"specs/g.yaml": "title: g\nz: {file: ../data/p-*.parquet, x: x, y: y, value: v, "
                                         "agg: sum}\n"})
    (root / "data").mkdir()
    pq.write_table(pa.table({"y": ["a"], "x": ["1"], "v": [1.0]}), root / "data" / "p-1.parquet")
    first = heatdoc_cli("build", cwd=root)
    assert first.returncode == 0, first.stderr
    page = next((root / "site").rglob("g.html")).read_text()
    again = heatdoc_cli("build", cwd=root)
    assert again.returncode == 0 and next((root / "site").rglob("g.html")).read_text() == page
    pq.write_table(pa.table({"y": ["b"], "x": ["1"], "v": [5.0]}), root / "data" / "p-2.parquet")
    second = heatdoc_cli("build", cwd=root)
    assert second.returncode == 0, second.stderr
    rebuilt = next((root / "site").rglob("g.html")).read_text()
    assert rebuilt != page and '"b"' in rebuilt
