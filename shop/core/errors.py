"""One exception hierarchy for the domain; the web console and the API translate it at the edge."""


class DomainError(Exception):
    code = "error"
    status = 400

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class InvalidInput(DomainError):
    code = "invalid"
    status = 400


class OutOfScope(DomainError):
    """The caller may not see or change this (another township, another region)."""

    code = "forbidden"
    status = 403


class NotFound(DomainError):
    code = "not_found"
    status = 404


class IllegalState(DomainError):
    code = "conflict"
    status = 409
