# The audit trail of households' phones, bank accounts and consents (`sellers.models.audit`), and
# withdrawn consent to a story taking effect for stories already on the site.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def unpublish_stories_without_consent(apps, schema_editor):
    """From now on, withdrawing the consent unpublishes the household's stories at once; stories
    whose consent was withdrawn before come off the site here."""
    StoryPage = apps.get_model("sellers", "StoryPage")
    StoryPage.objects.using(schema_editor.connection.alias).filter(
        live=True, household__consent_to_story=False
    ).update(live=False, has_unpublished_changes=True, live_revision=None)


class Migration(migrations.Migration):

    dependencies = [
        ('sellers', '0002_household_rules'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HouseholdChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('field', models.CharField(choices=[('phone', 'phone'), ('bank_account', 'bank_account'), ('consent_to_sell', 'consent_to_sell'), ('consent_to_story', 'consent_to_story')], max_length=32, verbose_name='field')),
                ('old_value', models.JSONField(blank=True, null=True, verbose_name='old value')),
                ('new_value', models.JSONField(blank=True, null=True, verbose_name='new value')),
                ('changed_at', models.DateTimeField(db_index=True, verbose_name='changed at')),
                ('channel', models.CharField(choices=[('console', 'station console'), ('api', 'API'), ('import', 'registry import'), ('system', 'system (demo data, scripts)')], max_length=16, verbose_name='channel')),
                ('changed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='changed by')),
                ('household', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='changes', to='sellers.household', verbose_name='household')),
            ],
            options={
                'verbose_name': 'household change',
                'verbose_name_plural': 'household changes',
                'ordering': ['-changed_at', '-id'],
                'default_permissions': ('view',),
            },
        ),
        migrations.RunPython(unpublish_stories_without_consent, migrations.RunPython.noop),
    ]
