"""The site build (`build.build_site`): settings and spec files (`project`), the site plan
(`plan`), each chart's parts (`charts`, `pool`), the build cache (`cache`) and the
up-to-date check (`uptodate`), rendering (`render/`) and the in-place write (`files`,
`write`)."""
