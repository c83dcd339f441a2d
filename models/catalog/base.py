"""What every catalog entry shares: the id rule, the common vocabularies and ``Entry``.

Kept apart from ``schema`` so the modules of further entry kinds (``performance``) can
build on ``Entry`` while ``schema`` gathers every kind into ``KINDS``.
"""

from __future__ import annotations

import re
import typing
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

#: Ids (catalog entries and scenario tables): lower-case letters, digits, '.', '+' and '-',
#: starting with a letter or digit, at most ID_MAX_LENGTH characters.
ID_MAX_LENGTH = 64
ID_PATTERN = r"^[a-z0-9][a-z0-9.+-]{0,63}$"
ID_RE = re.compile(ID_PATTERN)


def check_id(value: Any) -> Any:
    """Refuse an id that is too long or has characters outside ``ID_PATTERN``, in words."""
    if isinstance(value, str) and not ID_RE.match(value):
        shown = repr(value) if len(value) <= 40 else f"{value[:40]!r}... ({len(value):,} characters)"
        if len(value) > ID_MAX_LENGTH:
            raise PydanticCustomError(
                "id", "expected an id of at most {n} characters, got {got}", {"n": ID_MAX_LENGTH, "got": shown}
            )
        raise PydanticCustomError(
            "id",
            "expected an id of lower-case letters, digits, '.', '+' and '-' starting with a letter or digit, got {got}",
            {"got": shown},
        )
    return value


Id = Annotated[str, BeforeValidator(check_id)]

Operator = Literal["aws", "owned", "colo"]
Status = Literal["shipping", "announced", "projected"]
Redundancy = Literal["N", "N+1", "2N", "2(N+1)", "DR"]
CoolingKind = Literal["room-air", "contained-air", "rdhx", "dlc-cdu", "dlc-l2a", "immersion"]


class Entry(BaseModel):
    """Fields every catalog entry has."""

    # defer_build: schemas are built on first validation, not at import, so code that
    # imports the models without loading a catalog does not pay for them
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True, defer_build=True)
    kind: ClassVar[str] = "entry"

    id: Id = Field(pattern=ID_PATTERN, description="stable identifier, lower-case with dashes")
    name: str = Field(min_length=1)
    notes: str | None = None


def build_field_models_first(cls: type[BaseModel]) -> None:
    """Build the validators of the models ``cls``'s fields name (each ``Sourced*`` kind, the
    rows of a list) before ``cls``'s own is built, so ``cls``'s schema reuses them.

    Until a model is built on its own, pydantic generates its schema afresh inside every
    model whose fields name it: the ~30 ``Sourced*`` kinds appear in most entry kinds, and
    `dcplan size` generated 109 of their schemas for 42 models (~1.6 % of its instructions,
    measured with callgrind). Built once, each one's schema is reused as it is, so the
    validation is the same. A no-op once ``cls`` is built.
    """
    if cls.__pydantic_complete__:
        return
    for field in cls.model_fields.values():
        for model in _models_named(field.annotation):
            build_field_models_first(model)
            model.model_rebuild()


def _models_named(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models inside a field's type (``SourcedPower | None``, ``list[Point]``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in typing.get_args(annotation) for model in _models_named(arg)]
