"""`heatdoc diff`: what changed in the charts between two revisions or two folders.

`revisions` makes each side a project folder (a git revision extracted to a temporary
folder, the working tree, or a folder given), `compare` compiles both sides and compares
them chart by chart, cell by cell, `report` writes text, Markdown or JSON, and `site`
writes the diff site.
"""
