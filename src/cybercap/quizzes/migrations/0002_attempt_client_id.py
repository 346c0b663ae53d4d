from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0001_question_bank"),
    ]

    operations = [
        migrations.AddField(
            model_name="attempt",
            name="client_id",
            field=models.UUIDField(blank=True, null=True, unique=True, verbose_name="client id"),
        ),
    ]
