"""Finding 6: limits on everything a user uploads, checked before the file is parsed or decoded."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image

from accounts.models import Role
from activities.photos import add_photo
from cadres.models import RosterImport
from tests.cadres.roster_files import good_row, roster_file
from tests.conftest import make_user
from tests.factories import ActivityFactory, CommunityFactory

pytestmark = pytest.mark.django_db


def _media_files(settings):
    root = settings.MEDIA_ROOT
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def _upload(client, data: bytes, name="花名册.xlsx"):
    return client.post("/admin/cadres/cadre/import/", {"file": SimpleUploadedFile(name, data)})


def test_a_roster_over_the_row_limit_is_refused_before_it_is_stored(client, settings, community):
    settings.ROSTER_MAX_ROWS = 50
    client.force_login(make_user(Role.BUREAU))
    response = _upload(client, roster_file([good_row(community, n) for n in range(51)]).read())
    assert response.status_code == 200
    assert "超过50行" in response.content.decode()
    assert not RosterImport.objects.exists() and not _media_files(settings)
    assert _upload(client, roster_file([good_row(community, n) for n in range(50)]).read()).status_code == 302


def test_a_roster_over_the_size_limit_is_refused(client, settings):
    settings.ROSTER_MAX_BYTES = 100_000
    client.force_login(make_user(Role.BUREAU))
    response = _upload(client, b"PK\x03\x04" + b"\0" * 100_001)
    assert "上限" in response.content.decode()
    assert not RosterImport.objects.exists() and not _media_files(settings)


def _zip_bomb(inflated: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", '<workbook><sheets><sheet r:id="rId1"/></sheets></workbook>')
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        archive.writestr("xl/worksheets/sheet1.xml", b"<sheetData>" + b" " * inflated + b"</sheetData>")
    return buffer.getvalue()


def test_a_zip_that_inflates_too_far_is_refused_without_being_opened(client, settings):
    settings.ROSTER_MAX_UNCOMPRESSED_BYTES = 1_000_000
    bomb = _zip_bomb(5_000_000)
    assert len(bomb) < 50_000
    client.force_login(make_user(Role.BUREAU))
    response = _upload(client, bomb)
    assert "解压后过大" in response.content.decode()
    assert not RosterImport.objects.exists()


def test_the_command_line_import_has_the_same_limits(settings, community, tmp_path, capsys):
    settings.ROSTER_MAX_ROWS = 5
    target = tmp_path / "big.xlsx"
    target.write_bytes(roster_file([good_row(community, n) for n in range(6)]).read())
    with pytest.raises(SystemExit):
        call_command("import_roster", str(target))
    assert "超过5行" in capsys.readouterr().err


def test_an_import_whose_job_breaks_ends_failed_and_its_file_is_deleted(
    client, settings, community, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise RuntimeError("worker lost its database")

    monkeypatch.setattr("cadres.tasks.check_roster", broken)
    client.force_login(make_user(Role.BUREAU))
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, roster_file([good_row(community)]).read())
    assert response.status_code == 302
    roster_import = RosterImport.objects.get()
    assert roster_import.status == RosterImport.Status.FAILED
    assert "没有导入任何内容" in roster_import.errors[0][2]
    assert not roster_import.file and not _media_files(settings)


def _jpeg_with_metadata() -> bytes:
    image = Image.new("RGB", (640, 480), "red")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (36.0, 40.0, 0.0)}  # GPS
    buffer = io.BytesIO()
    image.save(
        buffer,
        format="JPEG",
        exif=exif.tobytes(),
        comment=b"secret-comment",
        icc_profile=b"\0" * 128 + b"fake-icc-profile",
    )
    data = buffer.getvalue()
    xmp = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>secret-xmp</x:xmpmeta>"
    segment = b"\xff\xe1" + (len(xmp) + 2).to_bytes(2, "big") + xmp
    return data[:2] + segment + data[2:]


def _segments(jpeg: bytes) -> list[int]:
    markers, index = [], 2
    while index < len(jpeg) and jpeg[index] == 0xFF:
        marker = jpeg[index + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: image data follows
            break
        index += 2 + int.from_bytes(jpeg[index + 2 : index + 4], "big")
    return markers


def test_a_stored_photo_keeps_no_metadata_segment():
    source = _jpeg_with_metadata()
    assert b"secret-comment" in source and b"secret-xmp" in source
    photo = add_photo(
        activity=ActivityFactory(community=CommunityFactory()), upload=SimpleUploadedFile("p.jpg", source)
    )
    for field in (photo.image, photo.thumbnail):
        stored = field.read()
        for secret in (b"secret-comment", b"secret-xmp", b"PhoneMaker", b"Exif", b"fake-icc-profile", b"ICC_PROFILE"):
            assert secret not in stored, secret
        metadata = [m for m in _segments(stored) if m == 0xFE or 0xE1 <= m <= 0xEF]
        assert metadata == []


def test_an_image_over_the_pixel_limit_is_refused_before_it_is_decoded(settings, monkeypatch):
    settings.PHOTO_MAX_PIXELS = 1_000_000
    buffer = io.BytesIO()
    Image.new("L", (2000, 1000)).save(buffer, format="PNG")
    monkeypatch.setattr(Image.Image, "load", lambda self: pytest.fail("decoded"))
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        add_photo(
            activity=ActivityFactory(community=CommunityFactory()),
            upload=SimpleUploadedFile("big.png", buffer.getvalue()),
        )
    assert "像素过大" in str(refused.value)


def test_a_request_body_over_the_limit_is_refused_before_it_is_read(client, settings):
    settings.MAX_REQUEST_BYTES = 1000
    client.force_login(make_user(Role.BUREAU))
    response = client.post("/admin/cadres/cadre/import/", {"file": SimpleUploadedFile("a.xlsx", b"x" * 2000)})
    assert response.status_code == 413
    assert "上限" in response.content.decode()


def test_a_roster_left_unconfirmed_for_a_day_is_deleted(client, settings, community):
    from django.utils import timezone

    from cadres.tasks import discard_stale_roster_imports

    client.force_login(make_user(Role.BUREAU))
    client.post(
        "/admin/cadres/cadre/import/", {"file": SimpleUploadedFile("r.xlsx", roster_file([good_row(community)]).read())}
    )
    roster_import = RosterImport.objects.get()
    assert _media_files(settings)
    RosterImport.objects.filter(pk=roster_import.pk).update(created_at=timezone.now() - timezone.timedelta(hours=25))
    assert discard_stale_roster_imports() == 1
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.FAILED and not _media_files(settings)
