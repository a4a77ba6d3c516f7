"""One hierarchy of errors; each message says what went wrong and what to do next."""


class TutorError(Exception):
    """Base class for every error a user may see."""


class ConfigError(TutorError):
    """A setting is invalid or unknown."""


class InputError(TutorError):
    """A file, answer or batch line the tutor cannot use."""


class IndexMissingError(TutorError):
    """No usable index in the data directory."""


class VectorStoreError(TutorError):
    """The vector store is unreachable or broken."""


class LLMError(TutorError):
    """The configured LLM endpoint failed (unreachable, slow, malformed reply)."""


class StoreError(TutorError):
    """The SQLite store cannot be read or written."""


class MissingExtraError(TutorError):
    """An optional dependency is not installed."""

    def __init__(self, package: str, extra: str) -> None:
        super().__init__(f"{package} is not installed: run `pip install -e '.[{extra}]'`")


class FastPathUnavailable(TutorError):
    """The onnx embedding backend cannot be used here (logged; torch is used instead)."""
