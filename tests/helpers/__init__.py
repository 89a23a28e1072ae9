"""Helpers the test modules share (tests/conftest.py holds the fixtures and `run_heatdoc`).

- `helpers.site`: a small real project (`write_project`, `FILES`), reading the HTML it
  builds (`read_page`, `Page`), and the state of a folder before and after (`snapshot`,
  `tree_state`, `leftovers`).
- `helpers.sources`: real data files (CSV, SQLite, Excel), a spec loaded from them, its
  errors (`load`, `errors`, `write_sqlite`, `write_xlsx`).
- `helpers.browser`: Debian's Chromium through Playwright, a `Tab` that records every
  problem a reader would hit, what Plotly drew, axe-core, `heatdoc serve` as a subprocess.
- `helpers.drawn`: a figure reduced to what it draws, cell by cell (`drawn`).
- `helpers.matrix_csv`: the CSV download's format written out in Python (`expected_csv`).
- `helpers.diff_repo`: a git repository made with git, its commits tagged s0 ... s7, each
  changing charts in one way `heatdoc diff` reports (`make_repo`, `commit`, `git`).
"""
