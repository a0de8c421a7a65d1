"""Errors raised by kumuhgis.

One root, :class:`KumuhgisError`; each subclass also inherits the matching built-in
so that callers who do not know kumuhgis can still catch ``ValueError`` and friends.

User-facing messages are bilingual: Bahasa Indonesia first, English beside it
(conventions.md "Errors"). Validation collects *every* problem and raises once.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

__all__ = [
    "KumuhgisError",
    "ValidationError",
    "Problem",
    "CRSError",
    "StoreError",
    "ProjectNotFoundError",
    "UsageError",
    "usage_error",
    "ConflictError",
    "AccessError",
]


class KumuhgisError(Exception):
    """Root of all kumuhgis errors."""


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file.

    ``row`` is the 1-based data row as a user sees it in a spreadsheet (header = row 1,
    so the first data row is 2) or the feature number for spatial files; ``None`` when
    the problem concerns the whole file (a missing column, a missing CRS).
    """

    row: int | None
    column: str | None
    value: str | None
    masalah: str  # what is wrong, Bahasa Indonesia
    problem: str  # what is wrong, English
    perbaikan: str = ""  # how to fix, Bahasa Indonesia
    fix: str = ""  # how to fix, English
    severity: str = "error"  # "error" rejects; "repaired" / "warning" are informational

    def as_dict(self) -> dict:
        return asdict(self)

    def text(self, lang: str = "id") -> str:
        where = []
        if self.row is not None:
            where.append(f"baris {self.row}" if lang == "id" else f"row {self.row}")
        if self.column:
            where.append(f"kolom '{self.column}'" if lang == "id" else f"column '{self.column}'")
        if self.value not in (None, ""):
            where.append(f"nilai '{self.value}'" if lang == "id" else f"value '{self.value}'")
        head = ", ".join(where)
        what = self.masalah if lang == "id" else self.problem
        fix = self.perbaikan if lang == "id" else self.fix
        msg = f"{head}: {what}" if head else what
        if fix:
            msg += f" — {fix}"
        return msg


class ValidationError(KumuhgisError, ValueError):
    """Input failed validation. ``problems`` lists every problem found, not just the first."""

    def __init__(self, problems: list[Problem], *, source: str = "", layer: str = ""):
        self.problems = list(problems)
        self.source = source
        self.layer = layer
        errors = [p for p in self.problems if p.severity == "error"]
        super().__init__(
            f"{len(errors)} masalah ditemukan di {source or 'input'} / "
            f"{len(errors)} problem(s) found in {source or 'input'}"
        )


class CRSError(KumuhgisError, ValueError):
    """A coordinate reference system is missing, unknown or unusable."""


class StoreError(KumuhgisError, RuntimeError):
    """The project store cannot be opened, read or written."""


class ProjectNotFoundError(StoreError, FileNotFoundError):
    """The project file named by the user does not exist (a usage error: exit status 2)."""


class UsageError(KumuhgisError, ValueError):
    """A command or function was called with options that do not fit together."""


class ConflictError(KumuhgisError, RuntimeError):
    """Someone else changed the record since the form was opened (optimistic versioning):
    nothing was written. ``current`` is the record as it is now (``None`` when it is
    gone), ``version`` its version now, for a form that keeps the user's input."""

    def __init__(self, message: str, *, current=None, version=None):
        super().__init__(message)
        self.current = current
        self.version = version


class AccessError(KumuhgisError, PermissionError):
    """The user may not do this (their role or kelurahan does not allow it)."""


def usage_error(id_text: str, en_text: str) -> UsageError:
    """A wrong option or path, in Bahasa Indonesia with the English beside it."""
    return UsageError(f"{id_text} / {en_text}")


@dataclass
class Report:
    """Collects problems while reading and validating; raises once at the end."""

    source: str = ""
    layer: str = ""
    problems: list[Problem] = field(default_factory=list)

    def add(self, *args, **kwargs) -> None:
        self.problems.append(Problem(*args, **kwargs))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise ValidationError(self.problems, source=self.source, layer=self.layer)


__all__.append("Report")
