"""A project's templates/ folder overrides the default theme, file by file and block by block."""
from __future__ import annotations

from pathlib import Path

import pytest
from helpers.site import FILES, leftovers, read_page, write_project

from heatdoc.errors import HeatdocError
from heatdoc.site.build import build_site

SMALL = {name: FILES[name] for name in ("specs/alpha/one.yaml", "specs/alpha/two.yaml")}
SMALL["heatdoc.yaml"] = "title: Themed\n"

OVERRIDES = {
    # one block of every page, keeping the theme's footer with super()
    "templates/main.html": """\
        {% extends "base.html" %}
        {% block head %}<link rel="stylesheet" href="{{ 'assets/extra.css' | url }}">{% endblock %}
        {% block footer %}{{ super() }}<p class="ours">Made by {{ site.title }}: {{ site.chart_count }} charts</p>{% endblock %}
        """,
    # one whole page of the theme replaced
    "templates/section.html": """\
        {% extends "main.html" %}
        {% block content %}<h1>Our section {{ page.title }}</h1>
        {% for card in page.group.cards %}<a href="{{ card.url | url }}">{{ card.title }}</a>{% endfor %}
        {% endblock %}
        """,
    "templates/assets/extra.css": "body { color: rebeccapurple; }\n",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = write_project(tmp_path_factory.mktemp("themed") / "project", {**SMALL, **OVERRIDES})
    build_site(root, quiet=True)
    return root / "site"


def test_a_block_override_in_main_html_reaches_every_page(site):
    for page in ["index.html", "alpha/index.html", "alpha/one.html", "reference.html"]:
        html = read_page(site / page)
        assert "Made by Themed: 2 charts" in html.text, page
        assert "Built with heatdoc" in html.text, page  # super() kept the theme's footer
    links = [link["href"] for link in read_page(site / "alpha/one.html").all("link")]
    assert "../assets/extra.css" in links


def test_a_page_template_of_the_project_wins(site):
    html = read_page(site / "alpha" / "index.html")
    assert "Our section Alpha" in html.text
    assert [a["href"] for a in html.all("a") if a["href"] in ("one.html", "two.html")] == ["two.html", "one.html"]
    assert "Our section" not in read_page(site / "index.html").text


def test_project_assets_are_copied_beside_the_theme_assets(site):
    assert (site / "assets/extra.css").read_text() == "body { color: rebeccapurple; }\n"
    assert (site / "assets/heatdoc.css").is_file() and (site / "assets/heatdoc.js").is_file()


def test_templates_stay_autoescaped_in_overrides(tmp_path):
    files = {**SMALL, "templates/main.html": '{% extends "base.html" %}{% block footer %}'
                                             '<p class="t">{{ page.title }}</p>{% endblock %}'}
    files["specs/alpha/one.yaml"] = "title: <i>slanted</i>\nz: [[1]]\n"
    root = write_project(tmp_path / "project", files)
    build_site(root, quiet=True)
    text = (root / "site/alpha/one.html").read_text()
    assert '<p class="t">&lt;i&gt;slanted&lt;/i&gt;</p>' in text


@pytest.mark.parametrize("template, line, message", [
    ("{% extends 'base.html' %}\n{% block footer %}\n{{ page.title }\n{% endblock %}\n", 3,
     "template error: unexpected '}'"),
    ("{% extends 'base.html' %}\n{% block footer %}\n{{ page.no_such_field }}\n{% endblock %}\n", 3,
     "template error: 'heatdoc.site.render.pages.ChartPage object' has no attribute 'no_such_field'"),
    ("{% extends 'nothing.html' %}\n", 1,
     "template 'nothing.html' not found in the templates folder or the default theme"),
])
def test_a_broken_override_is_an_error_at_its_line_and_nothing_is_written(tmp_path, template, line, message):
    root = write_project(tmp_path / "project", {**SMALL, "templates/main.html": template})
    with pytest.raises(HeatdocError) as info:
        build_site(root, quiet=True)
    [error] = info.value.errors
    assert (error.path, error.line) == (str(root / "templates" / "main.html"), line)
    assert error.message.startswith(message)
    assert not (root / "site").exists() and leftovers(root) == []


def test_a_symlink_in_templates_assets_is_not_copied(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("private")
    root = write_project(tmp_path / "project", SMALL)
    (root / "templates/assets").mkdir(parents=True)
    (root / "templates/assets/leak.txt").symlink_to(secret)
    report = build_site(root, quiet=True)
    assert not (root / "site/assets/leak.txt").exists()
    assert any("leak.txt" in w and "symbolic link" in w for w in report.warnings)
