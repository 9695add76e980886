"""The exception tree: every error mgov raises on purpose derives from MgovError."""


class MgovError(Exception):
    """Base of every deliberate mgov error; the CLI prints these without a traceback."""


class ConfigError(MgovError):
    """Settings or a configuration file are invalid."""


class DatabaseError(MgovError):
    """The database cannot be reached or is not at the expected schema revision."""


class RegistryError(MgovError):
    """A registry operation was refused (unknown key, duplicate, invalid value)."""


class NotFound(RegistryError):
    """A registry object named by its natural key does not exist."""


class AlreadyExists(RegistryError):
    """A registry object with this natural key exists already."""


class InvalidValue(RegistryError):
    """A field value is not acceptable (unknown kind or tier, malformed address...)."""


class ImportFailed(MgovError):
    """An import stored nothing: no valid rows, or --strict with bad rows."""


class AccessError(MgovError):
    """Signing in or a permission failed."""


class Unauthenticated(AccessError):
    """No valid session or token, or a wrong user name or password."""


class Forbidden(AccessError):
    """Signed in, but the role or the organization scope does not allow this."""


class RateLimited(AccessError):
    """Too many failed sign-ins: wait retry_after seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
