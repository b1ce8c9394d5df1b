from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """Our own user model from the first migration, so roles can grow without
    a painful swap later. Buyers sign in with e-mail (Oscar), staff with either."""

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
