"""Field validators for edits made in the admin, reusing the importers' parsers so a value the
admin accepts is one an import would accept too. Plain functions: migrations refer to them by name."""

from django.core.exceptions import ValidationError

from ..importing import fields


def _check(parse, value) -> None:
    try:
        parse(value)
    except fields.FieldError as error:
        raise ValidationError(f"{value!r}: {error}") from None


def validate_timezone(value: str) -> None:
    _check(fields.parse_timezone, value)


def validate_language(value: str) -> None:
    _check(fields.parse_language, value)


def validate_country(value: str) -> None:
    _check(fields.parse_country, value)
