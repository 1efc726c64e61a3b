"""The web pages' Spanish: every string translated, and the compiled catalogue Django reads (.mo)
says the same as the one people edit (.po)."""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parents[1] / "src" / "amicable" / "locale"
CATALOGUES = sorted(LOCALE.glob("*/LC_MESSAGES/django.po"))


def test_there_is_a_spanish_catalogue():
    assert [po.parts[-3] for po in CATALOGUES] == ["es"]


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda po: po.parts[-3])
def test_every_string_is_translated_and_compiled(po):
    with po.open("rb") as handle:
        catalogue = read_po(handle)
    missing = [
        m.id
        for m in catalogue
        if m.id
        and (not m.string or m.fuzzy or not all(m.string if isinstance(m.string, tuple) else [m.string]))
    ]
    assert missing == [], f"{po.parts[-3]}: {len(missing)} strings untranslated or fuzzy, e.g. {missing[:5]}"
    with po.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for message in catalogue:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            got = compiled.ngettext(message.id[0], message.id[1], 1)
            wanted = message.string[0]
        else:
            got = (
                compiled.pgettext(message.context, message.id)
                if message.context
                else compiled.gettext(message.id)
            )
            wanted = message.string
        if got != wanted:
            stale.append(message.id)
    assert stale == [], f"the .mo file is older than the .po: run `amicable compilemessages` ({stale[:3]})"
