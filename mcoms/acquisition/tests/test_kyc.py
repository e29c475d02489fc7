"""Stage 4: ID type and number, photo and document uploads (JPEG, PNG, WebP or
PDF, by their own bytes, up to the size limit), the customer's acknowledgement
of the supplier's commitments."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from mcoms.acquisition import services
from mcoms.acquisition.models import KycDocument, Stage
from mcoms.core.errors import Conflict, ValidationFailed

from .conftest import advance, image_file, pdf_file, survey


@pytest.fixture
def acquired(kit):
    return advance(kit, survey(kit), Stage.ACQUISITION)


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize(
    ("upload", "content_type", "ext"),
    [
        (lambda: image_file("JPEG"), "image/jpeg", "jpg"),
        (lambda: image_file("PNG", "x.png"), "image/png", "png"),
        (lambda: image_file("WEBP", "x.webp"), "image/webp", "webp"),
        (lambda: pdf_file(), "application/pdf", "pdf"),
    ],
)
def test_photos_and_pdfs_are_stored_under_media_root(
    kit, acquired, upload, content_type, ext
) -> None:
    doc, created = services.kyc_document_add(
        prospect=acquired, kind="photo", upload=upload(), by=kit.user("csa")
    )
    assert created
    assert (doc.content_type, doc.uploaded_by) == (content_type, kit.user("csa"))
    assert doc.file.name.startswith(f"kyc/{kit.world.company.pk}/P-BHKATS-000001/")
    assert doc.file.name.endswith(f".{ext}")
    [path] = stored_files()
    assert path.read_bytes()[:4] == doc.file.open("rb").read(4)
    assert len(doc.sha256) == 64 and doc.size == path.stat().st_size


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("x.jpg", b"just some text", content_type="image/jpeg"),
        SimpleUploadedFile("x.pdf", b"", content_type="application/pdf"),
        SimpleUploadedFile("x.exe", b"MZ\x90\x00" * 50),
    ],
    ids=["text-named-jpg", "empty", "executable"],
)
def test_other_files_are_refused(kit, acquired, upload) -> None:
    with pytest.raises(ValidationFailed) as err:
        services.kyc_document_add(
            prospect=acquired, kind="photo", upload=upload, by=None
        )
    assert (err.value.code, err.value.field) == ("kyc_file_type", "file")
    assert KycDocument.objects.count() == 0
    assert stored_files() == []


def test_a_gif_is_an_image_but_not_accepted(kit, acquired) -> None:
    with pytest.raises(ValidationFailed) as err:
        services.kyc_document_add(
            prospect=acquired, kind="photo", upload=image_file("GIF"), by=None
        )
    assert err.value.code == "kyc_file_type"


def test_a_file_over_the_limit_is_refused(kit, acquired, settings) -> None:
    settings.KYC_MAX_UPLOAD_BYTES = 100
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 200)
    with pytest.raises(ValidationFailed) as err:
        services.kyc_document_add(
            prospect=acquired, kind="id_proof", upload=big, by=None
        )
    assert err.value.code == "kyc_file_too_large"
    assert KycDocument.objects.count() == 0
    assert stored_files() == []


def test_documents_come_after_the_acquisition(kit) -> None:
    prospect = survey(kit)
    with pytest.raises(Conflict) as err:
        services.kyc_document_add(
            prospect=prospect, kind="photo", upload=image_file(), by=None
        )
    assert err.value.code == "stage_wrong_order"
    assert stored_files() == []


def test_an_upload_retried_with_its_key_is_stored_once(kit, acquired) -> None:
    first, created = services.kyc_document_add(
        prospect=acquired,
        kind="id_proof",
        upload=pdf_file(),
        idempotency_key="u1",
        by=None,
    )
    again, created_again = services.kyc_document_add(
        prospect=acquired,
        kind="id_proof",
        upload=pdf_file(),
        idempotency_key="u1",
        by=None,
    )
    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert len(stored_files()) == 1


def _complete(prospect, **over):
    args = {
        "prospect": prospect,
        "id_type": "pan",
        "id_number": "abcde1234f",
        "commitments_acknowledged": True,
        "by": None,
    }
    return services.prospect_kyc_complete(**(args | over))


def test_kyc_needs_an_id_proof_and_the_acknowledgement(kit, acquired) -> None:
    with pytest.raises(ValidationFailed) as err:
        _complete(acquired)
    assert err.value.code == "kyc_document_missing"
    services.kyc_document_add(
        prospect=acquired, kind="id_proof", upload=pdf_file(), by=None
    )
    with pytest.raises(ValidationFailed) as err:
        _complete(acquired, commitments_acknowledged=False)
    assert err.value.code == "kyc_commitments_not_acknowledged"
    acquired.refresh_from_db()
    assert acquired.stage == Stage.ACQUISITION
    prospect = _complete(acquired, by=kit.user("operator"))
    assert prospect.stage == Stage.KYC
    assert (prospect.id_type, prospect.id_number) == ("pan", "ABCDE1234F")
    assert prospect.commitments_ack_by == kit.user("operator")
    assert prospect.commitments_ack_at is not None


@pytest.mark.parametrize(
    ("id_type", "number", "code"),
    [
        ("aadhaar", "1234 5678 9012", "kyc_id_number_invalid"),  # starts with 1
        ("aadhaar", "2345 6789 012", "kyc_id_number_invalid"),
        ("pan", "ABCD1234F", "kyc_id_number_invalid"),
        ("voter_id", "AB12345678", "kyc_id_number_invalid"),
        ("passport", "Z1234567", "kyc_id_type_unknown"),
    ],
)
def test_a_malformed_id_number_is_refused(kit, acquired, id_type, number, code) -> None:
    services.kyc_document_add(
        prospect=acquired, kind="id_proof", upload=pdf_file(), by=None
    )
    with pytest.raises(ValidationFailed) as err:
        _complete(acquired, id_type=id_type, id_number=number)
    assert err.value.code == code
    acquired.refresh_from_db()
    assert (acquired.stage, acquired.id_number) == (Stage.ACQUISITION, "")


def test_an_aadhaar_number_is_kept_masked(kit, acquired) -> None:
    services.kyc_document_add(
        prospect=acquired, kind="id_proof", upload=pdf_file(), by=None
    )
    prospect = _complete(acquired, id_type="aadhaar", id_number="2345 6789 0123")
    assert prospect.id_number == "********0123"
    assert "234567890123" not in str(list(prospect.history.values()))
