# The interval table is keyed by (meter, at) itself, its references without
# database constraints or indexes (docs/decisions/0053). Django cannot turn an
# id key into a composite one, so the (still empty) table is made again.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("metering", "0003_reading_window_and_flags"),
    ]

    operations = [
        migrations.DeleteModel(name="IntervalReading"),
        migrations.CreateModel(
            name="IntervalReading",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "meter",
                        "at",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                (
                    "meter",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="metering.meter",
                    ),
                ),
                ("at", models.DateTimeField(verbose_name="interval end")),
                (
                    "kwh",
                    models.DecimalField(
                        decimal_places=3, max_digits=12, verbose_name="counter (kWh)"
                    ),
                ),
                (
                    "batch",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="metering.readingbatch",
                    ),
                ),
            ],
            options={"ordering": ["meter_id", "at"]},
        ),
    ]
