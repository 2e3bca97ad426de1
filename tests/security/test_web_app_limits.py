"""Request bodies of the web app (issue 15), over the real web app: before, it read up
to 64 MB of any POST, and an anonymous 30 MB POST to the console was read whole before
its CSRF or login refusal. Now 1 MB, except the import upload of a logged-in editor or
admin, and a body announced larger is refused (413) before it is read."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.security.conftest import Staff, WebApp, send_large, web_app

pytestmark = pytest.mark.e2e

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebApp]:
    with web_app(tmp_path_factory.mktemp("limits"),
                 accounts=(("edith", "editor"), ("anna", "analyst"))) as running:
        yield running


def test_an_anonymous_30_mb_post_is_refused_before_it_is_read(app: WebApp) -> None:
    status, took = send_large(f"{app.url}/console/import", 30_000_000, FORM)
    assert status == 413 and took < 3
    assert send_large(f"{app.url}/console/connexion", 2_000_000, FORM)[0] == 413


def test_only_a_logged_in_editor_may_upload_more_than_1_mb(app: WebApp) -> None:
    editor, analyst = Staff(app.url), Staff(app.url)
    big_csv = b"type,nom\nlieu," + b"x" * 1_500_000
    assert editor.log_in("edith") == 302 and analyst.log_in("anna") == 302
    status, page = editor.upload("/console/import", "gros.csv", big_csv)
    assert status == 200, page[:300]  # the importer read it: its dry run's report
    assert "Requête trop volumineuse" not in page
    assert analyst.upload("/console/", "gros.csv", big_csv)[0] == 413
