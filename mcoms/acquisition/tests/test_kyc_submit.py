"""Stage 4 in one go (``prospect_kyc_submit``, the KYC form of the field app
and the back office): the files and the ID in one transaction, and no file
left in storage when any part is refused (decision 0039)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from mcoms.acquisition import services
from mcoms.acquisition.models import KycDocument, Prospect, Stage
from mcoms.acquisition.services import _base
from mcoms.core.errors import Conflict, ValidationFailed

from .conftest import advance, image_file, pdf_file, survey


@pytest.fixture
def acquired(kit):
    return advance(kit, survey(kit), Stage.ACQUISITION)


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def submit(prospect: Prospect, **over: Any) -> Prospect:
    args: dict[str, Any] = {
        "prospect": prospect,
        "uploads": [("photo", image_file()), ("id_proof", pdf_file())],
        "id_type": "voter_id",
        "id_number": "abc1234567",
        "commitments_acknowledged": True,
        "idempotency_key": "form-1-kyc",
        "by": None,
    }
    return services.prospect_kyc_submit(**(args | over))


def reloaded(prospect: Prospect) -> Prospect:
    return Prospect.objects.get(pk=prospect.pk)


def test_the_files_and_the_id_are_kept_together(kit, acquired) -> None:
    prospect = submit(acquired, by=kit.user("csa"))
    assert (prospect.stage, prospect.id_number) == (Stage.KYC, "ABC1234567")
    kinds = sorted(KycDocument.objects.values_list("kind", "idempotency_key"))
    assert kinds == [
        ("id_proof", "form-1-kyc-id_proof"),
        ("photo", "form-1-kyc-photo"),
    ]
    assert len(stored_files()) == 2


@pytest.mark.parametrize(
    ("over", "code"),
    [
        ({"id_number": "12"}, "kyc_id_number_invalid"),
        ({"commitments_acknowledged": False}, "kyc_commitments_not_acknowledged"),
        ({"uploads": [("photo", image_file())]}, "kyc_document_missing"),
        ({"id_type": "passport"}, "kyc_id_type_unknown"),
    ],
)
def test_a_refused_id_step_keeps_no_file(kit, acquired, over, code) -> None:
    with pytest.raises(ValidationFailed) as err:
        submit(acquired, **over)
    assert err.value.code == code
    assert KycDocument.objects.count() == 0
    assert stored_files() == []
    prospect = reloaded(acquired)
    assert prospect.stage == Stage.ACQUISITION
    assert not prospect.events.filter(kind="kyc_document").exists()


def test_a_key_used_for_another_step_keeps_no_file(kit) -> None:
    prospect = advance(kit, survey(kit), Stage.MARKETING)
    services.prospect_acquire(prospect=prospect, idempotency_key="form-1-kyc", by=None)
    with pytest.raises(Conflict) as err:
        submit(prospect)
    assert err.value.code == "idempotency_key_reused"
    assert KycDocument.objects.count() == 0
    assert stored_files() == []


def test_after_a_refusal_the_same_form_may_be_sent_again(kit, acquired) -> None:
    with pytest.raises(ValidationFailed):
        submit(acquired, id_number="12")
    prospect = submit(acquired)
    assert prospect.stage == Stage.KYC
    assert KycDocument.objects.count() == 2 and len(stored_files()) == 2


def test_a_retry_stores_nothing_more(kit, acquired) -> None:
    submit(acquired)
    again = submit(acquired)
    assert again.stage == Stage.KYC
    assert KycDocument.objects.count() == 2 and len(stored_files()) == 2
    assert reloaded(acquired).events.filter(stage="kyc", kind="done").count() == 1


def test_a_late_retry_keeps_the_files_of_the_first(kit, acquired) -> None:
    """A retry with the same key after the prospect was rejected is a replay:
    it returns the first result and deletes none of its files."""
    submit(acquired)
    services.prospect_reject(prospect=acquired, reason="left", by=None)
    assert reloaded(acquired).stage == Stage.KYC
    again = submit(acquired)  # a replay: nothing to judge, nothing written
    assert again.stage == Stage.KYC
    assert len(stored_files()) == 2


def test_a_document_whose_record_fails_leaves_no_file(
    kit, acquired, monkeypatch
) -> None:
    """A failure after the file is written (here the event row) deletes it."""

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(_base, "record", broken)
    with pytest.raises(RuntimeError):
        services.kyc_document_add(
            prospect=acquired, kind="photo", upload=image_file(), by=None
        )
    assert KycDocument.objects.count() == 0
    assert stored_files() == []
