"""factory_boy factories shared by the tests and the demo-data command."""

import factory

from shop.models import Division, DivisionLevel, User

DEMO_PASSWORD = "wumeng-demo"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@wumeng.example")
    password = factory.django.Password(DEMO_PASSWORD)


class DivisionFactory(factory.django.DjangoModelFactory):
    """A township under a county under Zhaotong; codes are made up unless given."""

    class Meta:
        model = Division
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"530699{n:03d}")
    name = factory.Sequence(lambda n: f"测试{n}镇")
    level = DivisionLevel.TOWNSHIP
    parent = None
