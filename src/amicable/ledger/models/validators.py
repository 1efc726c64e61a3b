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


def _known_playbooks() -> set[str]:
    # The packaged playbooks and those saved in the console (authoring/library.py).
    from amicable.authoring.library import playbook_names

    return playbook_names()


def validate_playbook(value: str) -> None:
    if value and value not in _known_playbooks():
        raise ValidationError(
            f"{value!r}: no playbook of that name (known: {', '.join(sorted(_known_playbooks()))})"
        )


def validate_playbooks(value) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError(f"{value!r}: expected a list of playbook names")
    for name in value:
        validate_playbook(name)
