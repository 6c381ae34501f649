"""Archive uploads are checked for unpacked size and compression ratio before extraction."""

from __future__ import annotations

import io
import zipfile

import pytest
import sqlalchemy as sa

from app.archive_limits import UnpackLimits, unpack_problem
from app.extensions import db
from app.models import SyncRun
from tests.accounts.helpers import sign_in_as
from tests.factories import make_user

MIB = 1024 * 1024
LIMITS = UnpackLimits(max_bytes=2 * 1024 * MIB, max_ratio=100)


def zip_bomb(unpacked_mib: int = 100) -> bytes:
    """A zip of ~100 KiB that unpacks to ``unpacked_mib`` MiB of zeros, made here, streamed."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("projects.csv", "w", force_zip64=True) as member,
    ):
        zeros = bytes(MIB)
        for _ in range(unpacked_mib):
            member.write(zeros)
    return buffer.getvalue()


def plain_zip(text: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("projects.csv", text)
    return buffer.getvalue()


def test_a_zip_bomb_is_named_for_its_ratio():
    bomb = zip_bomb()
    assert len(bomb) < 200 * 1024
    problem = unpack_problem(io.BytesIO(bomb), LIMITS)
    assert problem.startswith("projects.csv is compressed ")
    assert "100.0 MiB" in problem
    assert "under 100 to 1" in problem


def test_the_total_unpacked_size_is_bounded():
    rows = (
        f"VCS{n},Project {n * 7919 % 100_003},{n * 104_729 % 1_000_003}\n" for n in range(80_000)
    )
    text = b"project_id,name,issued\n" + "".join(rows).encode()
    archive = plain_zip(text)
    assert unpack_problem(io.BytesIO(archive), LIMITS) is None
    small_limit = UnpackLimits(max_bytes=1 * MIB, max_ratio=100)
    assert "over the limit of 1.0 MiB" in unpack_problem(io.BytesIO(archive), small_limit)


def test_a_real_workbook_passes():
    from tests.conftest import FIXTURES

    workbooks = sorted(FIXTURES.rglob("*.xlsx"))
    assert workbooks
    for workbook in workbooks:
        assert unpack_problem(str(workbook), LIMITS) is None, workbook


def test_not_a_zip_says_so():
    assert unpack_problem(io.BytesIO(b"PK\x03\x04 broken"), LIMITS) == (
        "it is not a readable zip archive"
    )


@pytest.mark.parametrize("name", ["offsets-db.csv.zip", "vrod.xlsx"])
def test_the_admin_upload_refuses_a_zip_bomb_and_says_why(client, name):
    sign_in_as(client, make_user(role="admin"))
    response = client.post(
        "/admin/sync/upload",
        data={"files": [(io.BytesIO(zip_bomb()), name)]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert f"{name} is refused: projects.csv is compressed" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SyncRun)) == 0


def test_a_downloaded_zip_bomb_is_refused_before_it_is_read(app, tmp_path, httpserver):
    """Downloads meet the same limits as uploads: the run fails saying why, nothing loads."""
    from app.etl.sync import execute_sync
    from app.sync_queue import request_sync

    httpserver.expect_request("/offsets-db.csv.zip").respond_with_data(
        zip_bomb(), content_type="application/zip"
    )
    app.config.update(
        OFFSETSDB_URL=httpserver.url_for("/offsets-db.csv.zip"),
        VROD_URL=httpserver.url_for("/missing.xlsx"),
    )
    run, _ = request_sync("cli")
    db.session.commit()

    finished = execute_sync(run.id)

    assert finished.status == "failed"
    assert "offsets-db.csv.zip is refused: projects.csv is compressed" in " ".join(
        [finished.message or "", *((finished.report or {}).get("warnings") or [])]
    )
    assert not list((tmp_path / "raw").rglob("offsets-db.csv.zip"))
