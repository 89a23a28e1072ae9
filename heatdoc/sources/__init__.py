"""Matrix sources: where a spec's cells come from (`dispatch.read_matrix`), one reader per
file format (`readers`), what a field means (`cells`), wide and long tables and
correlation (`pivot`) and SQL (`sql`)."""
