"""KYC uploads: what a file really is (not what its name or the browser says),
its size, and storing it under MEDIA_ROOT with the default storage."""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from PIL import Image

from mcoms.acquisition.models import (
    STAGES,
    EventKind,
    KycDocument,
    KycKind,
    Prospect,
    ProspectStatus,
    Stage,
)
from mcoms.acquisition.services import _base, pipeline
from mcoms.acquisition.services.checks import choice
from mcoms.core.errors import Conflict, ValidationFailed

IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
PDF_MAGIC = b"%PDF-"
DEFAULT_MAX_BYTES = 5 * 1024 * 1024


def max_bytes() -> int:
    return int(getattr(settings, "KYC_MAX_UPLOAD_BYTES", DEFAULT_MAX_BYTES))


def _too_large(limit: int) -> ValidationFailed:
    return ValidationFailed(
        "kyc_file_too_large",
        f"A KYC file may be at most {limit // 1024} KB.",
        field="file",
    )


def _wrong_type() -> ValidationFailed:
    return ValidationFailed(
        "kyc_file_type",
        "Send a JPEG, PNG or WebP photo or a PDF document.",
        field="file",
    )


def sniff(upload: File) -> tuple[str, int, str]:
    """The content type (by the file's own bytes), size and SHA-256 of an
    upload, or ``kyc_file_type`` / ``kyc_file_too_large``."""
    limit = max_bytes()
    size = upload.size or 0
    if size > limit:
        raise _too_large(limit)
    digest = hashlib.sha256()
    upload.seek(0)
    read = 0
    for chunk in upload.chunks():
        read += len(chunk)
        if read > limit:
            raise _too_large(limit)
        digest.update(chunk)
    if read == 0:
        raise _wrong_type()
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if head == PDF_MAGIC:
        return "application/pdf", read, digest.hexdigest()
    return _image_type(upload), read, digest.hexdigest()


def _image_type(upload: File) -> str:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                kind = image.format or ""
                image.verify()
    except Exception as exc:  # Pillow raises many kinds on junk input
        raise _wrong_type() from exc
    finally:
        upload.seek(0)
    if kind not in IMAGE_TYPES:
        raise _wrong_type()
    return IMAGE_TYPES[kind]


def kyc_document_add(
    *,
    prospect: Prospect,
    kind: str,
    upload: File,
    idempotency_key: str = "",
    by: Any,
) -> tuple[KycDocument, bool]:
    """Store a photo or document of the prospect's KYC. Accepted once the
    prospect is acquired (stage 3) and not rejected; also later, for a KYC
    "completed later". Returns the document and whether it is new (a retry
    with the same key returns the first)."""
    choice(kind, KycKind, "kind", "kyc_kind_unknown")
    key = _base.check_key(idempotency_key)
    content_type, size, sha256 = sniff(upload)
    with transaction.atomic():
        prospect = _base.lock(prospect)
        done = KycDocument.objects.filter(prospect=prospect, idempotency_key=key)
        if key and done.exists():
            return done.get(), False
        _check_open_for_kyc(prospect)
        doc = KycDocument(
            prospect=prospect,
            kind=kind,
            content_type=content_type,
            size=size,
            sha256=sha256,
            uploaded_by=by,
            uploaded_at=timezone.now(),
            idempotency_key=key,
        )
        doc.file.save("upload", upload, save=False)
        try:
            with transaction.atomic():
                doc.save()
                _base.record(
                    prospect,
                    Stage.KYC,
                    EventKind.KYC_DOCUMENT,
                    by=by,
                    data={"document": doc.pk, "kind": kind, "type": content_type},
                )
        except BaseException:  # the row is not kept: neither is the file
            doc.file.delete(save=False)
            raise
        return doc, True


def prospect_kyc_submit(
    *,
    prospect: Prospect,
    uploads: Sequence[tuple[str, File]],
    id_type: str,
    id_number: str,
    commitments_acknowledged: bool,
    idempotency_key: str = "",
    by: Any,
) -> Prospect:
    """Stage 4 in one go, as the KYC form sends it: each ``(kind, file)``
    (``kyc_document_add``, key ``<key>-<kind>``), then the ID and the
    acknowledgement (``prospect_kyc_complete``), in one transaction. When any
    part is refused nothing is kept: the rows roll back and the files this
    call stored are deleted (decision 0039). A retry with the same key stores
    nothing again."""
    key = _base.check_key(idempotency_key)
    stored: list[KycDocument] = []
    try:
        with transaction.atomic():
            for kind, upload in uploads:
                doc, created = kyc_document_add(
                    prospect=prospect,
                    kind=kind,
                    upload=upload,
                    idempotency_key=f"{key}-{kind}" if key else "",
                    by=by,
                )
                if created:
                    stored.append(doc)
            return pipeline.prospect_kyc_complete(
                prospect=prospect,
                id_type=id_type,
                id_number=id_number,
                commitments_acknowledged=commitments_acknowledged,
                idempotency_key=key,
                by=by,
            )
    except BaseException:
        for doc in stored:
            doc.file.delete(save=False)
        raise


def _check_open_for_kyc(prospect: Prospect) -> None:
    if prospect.status == ProspectStatus.REJECTED:
        raise Conflict(
            "prospect_rejected", f"{prospect.ref} was rejected; reopen it first."
        )
    position = STAGES.index(prospect.stage)
    acquired = position >= STAGES.index(Stage.ACQUISITION)
    past_kyc = position > STAGES.index(Stage.KYC)
    if not acquired or (past_kyc and Stage.KYC not in prospect.deferred):
        raise Conflict(
            "stage_wrong_order",
            f"KYC documents of {prospect.ref} are taken after the acquisition "
            "and before the package.",
        )
