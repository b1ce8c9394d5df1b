# The household rules (see `sellers.models.households.Household`): members 1 to 20, identified
# from 2013, exited not before identified, valid ID numbers; the first three also as constraints.

import django.core.validators
from django.db import migrations, models

import sellers.models.households

# Frozen here, as a migration must be: the bounds as of this migration.
MIN_MEMBERS, MAX_MEMBERS, FIRST_IDENTIFIED_YEAR = 1, 20, 2013


def refuse_records_that_break_the_rules(apps, schema_editor):
    """Name the records the new constraints would refuse, instead of failing on the first one
    with the database's bare constraint error."""
    Household = apps.get_model("sellers", "Household")
    breaking = Household.objects.using(schema_editor.connection.alias).filter(
        models.Q(members__lt=MIN_MEMBERS)
        | models.Q(members__gt=MAX_MEMBERS)
        | models.Q(identified_year__lt=FIRST_IDENTIFIED_YEAR)
        | models.Q(exited_year__lt=models.F("identified_year"))
    ).order_by("registry_id").values_list("registry_id", flat=True)
    if breaking.exists():
        shown = list(breaking[:50])
        raise RuntimeError(
            f"{breaking.count()} household(s) break the household rules this migration adds "
            f"(members {MIN_MEMBERS}-{MAX_MEMBERS}, identified from {FIRST_IDENTIFIED_YEAR}, exited not before "
            f"identified): {', '.join(shown)}{' ...' if breaking.count() > len(shown) else ''}. "
            "Correct them (the station data checks list them as impossible values) and migrate again."
        )


class Migration(migrations.Migration):

    dependencies = [
        ("sellers", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(refuse_records_that_break_the_rules, migrations.RunPython.noop, elidable=True),
        migrations.RemoveConstraint(
            model_name="household",
            name="household_members_at_least_one",
        ),
        migrations.AlterField(
            model_name="household",
            name="exited_year",
            field=models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(sellers.models.households.current_year)], verbose_name="year exited"),
        ),
        migrations.AlterField(
            model_name="household",
            name="id_number",
            field=models.CharField(max_length=18, validators=[sellers.models.households.validate_id_number], verbose_name="ID number"),
        ),
        migrations.AlterField(
            model_name="household",
            name="identified_year",
            field=models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(2013), django.core.validators.MaxValueValidator(sellers.models.households.current_year)], verbose_name="year identified"),
        ),
        migrations.AlterField(
            model_name="household",
            name="members",
            field=models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(20)], verbose_name="members"),
        ),
        migrations.AlterField(
            model_name="householdmember",
            name="id_number",
            field=models.CharField(max_length=18, validators=[sellers.models.households.validate_id_number], verbose_name="ID number"),
        ),
        migrations.AddConstraint(
            model_name="household",
            constraint=models.CheckConstraint(condition=models.Q(("members__gte", 1), ("members__lte", 20)), name="household_members_in_range"),
        ),
        migrations.AddConstraint(
            model_name="household",
            constraint=models.CheckConstraint(condition=models.Q(("identified_year__gte", 2013)), name="household_identified_from_first_year"),
        ),
        migrations.AddConstraint(
            model_name="household",
            constraint=models.CheckConstraint(condition=models.Q(("exited_year__isnull", True), ("exited_year__gte", models.F("identified_year")), _connector="OR"), name="household_exited_not_before_identified"),
        ),
    ]
