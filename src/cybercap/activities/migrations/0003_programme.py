from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0003_evaluations"),
    ]

    operations = [
        migrations.AddField(
            model_name="registration",
            name="confirmation_sent_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="confirmation link sent at"
            ),
        ),
        migrations.AddField(
            model_name="registration",
            name="responded_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="answered at"
            ),
        ),
        migrations.AddField(
            model_name="registration",
            name="visa_letter_requested_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="visa letter requested at"
            ),
        ),
    ]
