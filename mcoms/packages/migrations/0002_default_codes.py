"""The default code tables (docs/packages.md); head office may edit them."""

from django.db import migrations

TYPES = [
    ("A1.1", "Pre-paid, load limited", "prepaid"),
    ("B1.1", "Post-paid, metered", "postpaid_metered"),
    ("C1.1", "Post-paid, unmetered", "postpaid_unmetered"),
]
TIMINGS = [
    ("DD", "Day only", [["06:00", "18:00"]]),
    ("NN", "Night only", [["18:00", "06:00"]]),
    ("FD", "Full day", [["00:00", "24:00"]]),
    ("EV", "Evening only", [["18:00", "23:00"]]),
]


def add(apps, schema_editor):
    PackageType = apps.get_model("packages", "PackageType")
    TimingCode = apps.get_model("packages", "TimingCode")
    for code, label, billing_type in TYPES:
        PackageType.objects.get_or_create(
            code=code, defaults={"label": label, "billing_type": billing_type}
        )
    for code, label, slots in TIMINGS:
        TimingCode.objects.get_or_create(
            company=None, code=code, defaults={"label": label, "slots": slots}
        )


def remove(apps, schema_editor):
    apps.get_model("packages", "TimingCode").objects.filter(
        company=None, code__in=[t[0] for t in TIMINGS], packages__isnull=True
    ).delete()
    apps.get_model("packages", "PackageType").objects.filter(
        code__in=[t[0] for t in TYPES], packages__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("packages", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
