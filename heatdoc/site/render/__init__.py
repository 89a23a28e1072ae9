"""Rendering the site's files: Jinja pages and their contexts (`pages`), shared assets
(`assets`), SVG thumbnails (`thumbnails`), the data table (`datatable`), Markdown
(`markdown`) and the spec reference page (`reference`)."""
