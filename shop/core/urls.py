"""Address parts every app's routes share."""

from django.urls import register_converter


class RegistryIdConverter:
    """A registry ID in an address: any text but a slash or a NUL (which PostgreSQL refuses in a
    query, so it would be a 500); an address with one is simply not found."""

    regex = r"[^/\x00]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


# Registered once, when the first routes that use `<registry_id:...>` import this module.
register_converter(RegistryIdConverter, "registry_id")
