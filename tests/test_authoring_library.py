"""The playbooks and templates in force: packaged files overlaid by versions saved in the console, and
the renderer's way of giving saved (and draft) texts precedence without touching the files."""

from __future__ import annotations

import json
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amicable.authoring import library
from amicable.authoring.models import PlaybookVersion, TemplateVersion
from amicable.ledger.models import AuditLog
from amicable.messages.render import TemplateError, drafting, find, render, template_stems, use_templates
from amicable.messages.sample import sample_context
from amicable.playbooks.load import PlaybookError, default_playbooks
from test_plan_command import DAY, import_portfolio

HELLO = "{% block body %}Hello from the console, {{ customer.name }}{% endblock %}"


@pytest.fixture(autouse=True)
def packaged_templates_only():
    use_templates({})
    yield
    use_templates({})


def consumer_text(**replace: str) -> str:
    text = library.packaged_playbook_text(default_playbooks()["consumer"])
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    return text


# ------------------------------------------------------------------------------ render (pure)


def test_a_saved_text_takes_precedence_over_the_packaged_file():
    packaged = render("sms", "due_today", sample_context("en"), language="en")
    use_templates({"sms/due_today.en.j2": HELLO})
    saved = render("sms", "due_today", sample_context("en"), language="en")
    assert saved.body.startswith("Hello from the console, Ana Torres") and saved.path == "sms/due_today.en.j2"
    # Spanish is still the packaged file: only the file of that name is replaced.
    assert "vence hoy" in render("sms", "due_today", sample_context("es"), language="es").body
    use_templates({})
    assert render("sms", "due_today", sample_context("en"), language="en").body == packaged.body


def test_a_saved_name_the_package_lacks_adds_a_template():
    with pytest.raises(TemplateError, match="no template sms/brand_new"):
        find("sms", "brand_new", "en")
    use_templates({"sms/brand_new.en.j2": HELLO})
    assert find("sms", "brand_new", "en-GB") == ("sms/brand_new.en.j2", "en", None)
    assert "brand_new.en" in template_stems("sms")


def test_a_draft_is_seen_only_inside_its_own_context():
    seen_elsewhere = []

    def elsewhere():
        seen_elsewhere.append(render("sms", "due_today", sample_context("en"), language="en").body)

    with drafting({"sms/due_today.en.j2": HELLO}):
        assert render("sms", "due_today", sample_context("en"), language="en").body.startswith("Hello from")
        thread = threading.Thread(target=elsewhere)
        thread.start()
        thread.join()
    assert not seen_elsewhere[0].startswith("Hello from")
    assert not render("sms", "due_today", sample_context("en"), language="en").body.startswith("Hello from")


def test_saved_paths_must_be_template_files():
    for bad in ("fax/due_today.en.j2", "sms/../../etc/passwd.j2", "sms/Due Today.en.j2"):
        with pytest.raises(TemplateError):
            use_templates({bad: HELLO})


def test_an_undefined_variable_given_to_a_filter_is_named():
    use_templates({"sms/owed.en.j2": "{% block body %}{{ amount_owed|money }}{% endblock %}"})
    with pytest.raises(TemplateError, match="'amount_owed' is undefined"):
        render("sms", "owed", sample_context("en"), language="en")


# ------------------------------------------------------------------------------ playbooks


@pytest.mark.django_db
def test_active_playbooks_are_the_packaged_ones_overlaid_by_the_latest_saved():
    assert library.active_playbooks() == default_playbooks()
    library.save_playbook(
        consumer_text(**{"title: Consumer (gentle)": "title: First"}), actor="user:sam", name="consumer"
    )
    library.save_playbook(
        consumer_text(**{"title: Consumer (gentle)": "title: Second"}),
        actor="user:sam",
        name="consumer",
        note="again",
    )
    books = library.active_playbooks()
    assert books["consumer"].title == "Second" and books["consumer"].source.startswith("saved/consumer.yaml")
    assert books["business"] == default_playbooks()["business"]
    assert [r.action for r in AuditLog.objects.filter(action="save_playbook")] == ["save_playbook"] * 2


@pytest.mark.django_db
def test_a_bad_playbook_is_refused_with_its_line_and_field_and_nothing_saved():
    text = consumer_text(**{"day: -7": "day: soon"})
    with pytest.raises(library.AuthoringError) as caught:
        library.save_playbook(text, actor="user:sam", name="consumer")
    line = text.splitlines().index("    day: soon") + 1
    assert caught.value.line == line
    assert str(caught.value).startswith(f"line {line}, steps[0].day: 'soon' is not a whole number")
    assert not PlaybookVersion.objects.exists() and not AuditLog.objects.exists()


@pytest.mark.django_db
def test_an_edit_keeps_its_name_and_a_new_playbook_takes_a_new_one():
    with pytest.raises(PlaybookError, match="line 1, playbook: this is the 'consumer' playbook"):
        library.check_playbook(consumer_text(**{"playbook: consumer": "playbook: other"}), "consumer")
    with pytest.raises(PlaybookError, match="already a playbook named 'business'"):
        library.check_playbook(consumer_text(**{"playbook: consumer": "playbook: business"}))
    with pytest.raises(PlaybookError, match="playbook: a name is lower-case"):
        library.check_playbook(consumer_text(**{"playbook: consumer": "playbook: Big Name"}))


@pytest.mark.django_db
def test_creditors_and_pins_may_name_a_saved_playbook(northwind):
    northwind.playbooks = ["kinder", "aftercare"]
    with pytest.raises(ValidationError, match="no playbook of that name"):
        northwind.full_clean()
    library.save_playbook(consumer_text(**{"playbook: consumer": "playbook: kinder"}), actor="user:sam")
    northwind.full_clean()
    assert "kinder" in library.playbook_names()


@pytest.mark.django_db
def test_the_cycle_plans_with_the_saved_playbook(cli, northwind, tmp_path):
    """`amicable plan`, `amicable preview` and the daily run take the playbooks in force."""
    import_portfolio(cli, tmp_path)

    def planned():
        result = cli("plan", "--date", DAY.isoformat(), "--json")
        assert result.exit_code == 0, result.output
        return {(c["account_ref"], c["step"]) for c in json.loads(result.stdout)["contacts"]}

    assert ("A-7", "reminder-7") in planned()
    text = consumer_text()
    start = text.index("  - id: reminder-7")
    text = text[:start] + text[text.index("  - id: due-today") :]
    library.save_playbook(text, actor="user:sam", name="consumer")
    assert ("A-7", "reminder-7") not in planned()
    preview = cli("preview", "A-7", "--date", DAY.isoformat(), "--json")
    assert preview.exit_code == 0, preview.output
    assert not json.loads(preview.stdout)["contacts"]


# ------------------------------------------------------------------------------ templates


@pytest.mark.django_db
def test_saved_templates_are_loaded_in_one_query_and_the_latest_wins():
    for text in (HELLO, HELLO.replace("Hello", "Hi")):
        TemplateVersion.objects.create(channel="sms", name="due_today.en", text=text, saved_by="user:sam")
    TemplateVersion.objects.create(channel="email", name="due_today.en", text="x", saved_by="user:sam")
    use_templates({})
    with CaptureQueriesContext(connection) as queries:
        saved = library.load_saved_templates()
    assert len(queries) == 1
    assert set(saved) == {"sms/due_today.en.j2", "email/due_today.en.j2"}
    assert render("sms", "due_today", sample_context("en"), language="en").body.startswith(
        "Hi from the console"
    )


@pytest.mark.django_db
def test_a_template_check_renders_with_the_sample_with_and_without_the_optional_facts():
    ok = library.check_template("sms", "due_today.en", HELLO)
    assert ok.ok and ok.sample.body.startswith("Hello from the console, Ana Torres")
    # Fine with the optional facts; an error without them (next_due is none for many accounts).
    needs = "{% block body %}Due {{ next_due.date|long_date }}{% endblock %}"
    assert any(
        "next_due" in e or "NoneType" in e or "date" in e
        for e in library.check_template("sms", "due_today.en", needs).errors
    )
    long = "{% block body %}" + "Thank you for your payment. " * 30 + "{% endblock %}"
    assert any(e.startswith("sms length") for e in library.check_template("sms", "due_today.en", long).errors)
    assert library.check_template("sms", "Due Today", HELLO).errors[0].startswith("name 'Due Today'")


@pytest.mark.django_db
def test_saving_a_template_checks_it_and_audits_it():
    with pytest.raises(library.AuthoringError, match="'nickname'"):
        library.save_template(
            "sms", "due_today.en", "{% block body %}{{ nickname }}{% endblock %}", actor="user:sam"
        )
    assert not TemplateVersion.objects.exists() and not AuditLog.objects.exists()
    version = library.save_template("sms", "due_today.en", HELLO + "\r\n", actor="user:sam", note="warmer")
    assert version.text == HELLO + "\n" and version.path == "sms/due_today.en.j2"
    row = AuditLog.objects.get()
    assert (row.action, row.actor, row.customer_id) == ("save_template", "user:sam", None)
    with pytest.raises(library.AuthoringError, match="newer version"):
        library.save_template("sms", "due_today.en", HELLO, actor="user:kim", based_on=0)
