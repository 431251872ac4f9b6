"""Errors the contract raises on purpose: a broken city configuration, and fields that fail validation."""

from __future__ import annotations


class ContractError(Exception):
    """Root of every error raised on purpose by the contract; the seat's error root (OperatorAppError) is this
    class, so the seat catches the form's validation errors and configuration errors like its own."""


class ConfigError(ContractError):
    """A city configuration file is missing or broken: names the file, the place and the problem."""

    def __init__(self, file: str, place: str, problem: str) -> None:
        self.file = file
        self.place = place
        self.problem = problem
        where = f"{file} ({place})" if place else file
        super().__init__(f"{where}: {problem}")


class ValidationError(ContractError):
    """One field of an input is wrong; `message` is the Chinese text shown at the field."""

    def __init__(self, field: str, message: str, *, code: str = "invalid") -> None:
        self.field = field
        self.message = message
        self.code = code
        super().__init__(f"{field}: {message}")


class ValidationErrors(ContractError):
    """Several fields are wrong at once; nothing was saved."""

    def __init__(self, errors: list[ValidationError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))

    def by_field(self) -> dict[str, ValidationError]:
        """The first error of each field, in form order."""
        out: dict[str, ValidationError] = {}
        for err in self.errors:
            out.setdefault(err.field, err)
        return out
