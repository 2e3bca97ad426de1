"""Imports against hostile files (issue 15), uploaded by an editor to the real web app:
before, `{"a": [[[…]]]}` nested 100,000 deep raised RecursionError (500), 40 KB of
`[[[[…` took 1 GB in the streaming parser (200 KB killed the process), and a 600 KB zip
decompressing into 550 MB was read member after member."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Iterator

import pytest

from tests.security.conftest import Staff, web_app

pytestmark = pytest.mark.e2e

DEEP = "JSON imbriqué trop profondément"


@pytest.fixture(scope="module")
def editor(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Staff]:
    with web_app(tmp_path_factory.mktemp("imports"), accounts=(("edith", "editor"),)) as app:
        staff = Staff(app.url)
        assert staff.log_in("edith") == 302
        yield staff


@pytest.mark.parametrize(("name", "fmt", "content"), [
    ("imbrique.json", "datatourisme", b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
    ("liste.json", "datatourisme", b"[" * 20_001 + b"]" * 20_001),
    ("agenda.json", "openagenda", b'{"events": [' + b"[" * 20_000 + b"]" * 20_000 + b"]}"),
], ids=["objet", "liste", "agenda"])
def test_deeply_nested_json_is_refused_in_french(editor: Staff, name: str, fmt: str,
                                                 content: bytes) -> None:
    start = time.monotonic()
    status, page = editor.upload("/console/import", name, content, fmt)
    assert status == 200, page[:300]  # the dry run's report, not an error page
    assert DEEP in page
    assert time.monotonic() - start < 20


def test_a_zip_that_decompresses_too_much_is_refused_unread(editor: Staff) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for n in range(11):  # each under the 50 MB of one object, 550 MB in all
            archive.writestr(f"objects/o{n}.json", b" " * (50 * 1024 * 1024 - 10))
    assert len(buffer.getvalue()) < 2_000_000
    start = time.monotonic()
    status, page = editor.upload("/console/import", "bombe.zip", buffer.getvalue(),
                                 "datatourisme")
    assert status == 200, page[:300]
    assert "archive trop grosse une fois décompressée" in page
    assert time.monotonic() - start < 10
