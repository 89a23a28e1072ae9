"""Writes the data files of the specs/data-sources examples from plotly's packaged data sets.

    python data/make_data_sources.py [FOLDER]      (default: this folder)

Every file is small and made the same way each time, so the committed copies can be
checked against a fresh run (tests/test_examples_data.py does).
"""
from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import plotly.express as px

HERE = Path(__file__).resolve().parent


def write_all(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []

    # long ("tidy") table: one row per restaurant bill
    tips = folder / "tips.csv"
    px.data.tips().to_csv(tips, index=False)
    paths.append(tips)

    # numeric columns to correlate
    iris = folder / "iris.csv"
    px.data.iris().drop(columns="species_id").to_csv(iris, index=False)
    paths.append(iris)

    # wide JSON records: mean life expectancy, one row per continent, one key per year
    life = (px.data.gapminder().groupby(["continent", "year"])["lifeExp"].mean().round(1)
            .unstack("year"))
    life.columns = [str(c) for c in life.columns]
    records = folder / "life-expectancy.json"
    records.write_text(life.reset_index().to_json(orient="records", indent=1) + "\n")
    paths.append(records)

    # wide TSV with a header row and a label column
    medals = folder / "medals.tsv"
    px.data.medals_wide().to_csv(medals, sep="\t", index=False)
    paths.append(medals)

    # an SQLite database with one long table: wind frequency by direction and strength
    database = folder / "wind.sqlite"
    database.unlink(missing_ok=True)
    con = sqlite3.connect(database)
    px.data.wind().to_sql("wind", con, index=False)
    con.commit()
    con.execute("VACUUM")
    con.close()
    paths.append(database)
    return paths


if __name__ == "__main__":
    for path in write_all(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(f"wrote {path}")
