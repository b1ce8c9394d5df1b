"""Officials' regions move beside the user model (`shop.OfficialScope`): the table is renamed
here and the model handed to the shop app's state by `shop.0004_officialscope`."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("impact", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.AlterModelTable(name="officialscope", table="shop_officialscope")],
            state_operations=[migrations.DeleteModel(name="OfficialScope")],
        ),
    ]
