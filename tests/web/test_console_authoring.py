"""Supervisors' editors for playbooks and templates: checked before saving, a dry run of tomorrow's
cycle before a playbook is saved, previews with a real account, and what the next cycle then does."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from amicable.authoring.models import PlaybookVersion, TemplateVersion
from amicable.cycle.run import run_day
from amicable.ledger.actions import place_hold
from amicable.ledger.models import AuditLog
from amicable.messages import render as render_module
from amicable.outbox.models import Contact
from web.people import PASSWORD, debtor, staff

pytestmark = pytest.mark.django_db

SMS = (
    "{% block body %}Hi {{ customer.name }}, your balance with {{ creditor.name }} is {{ balance|money }}."
    "{% endblock %}"
)
HELLO_SMS = "{% block body %}Hi {{ customer.first_name or customer.name }}, how are things?{% endblock %}"


@pytest.fixture(autouse=True)
def packaged_templates_only():
    """Saved texts are handed to the renderer per process: each test starts and ends without any."""
    render_module.use_templates({})
    yield
    render_module.use_templates({})


@pytest.fixture
def supervisor(client, northwind):
    user = staff("sam", "supervisor", northwind)
    client.login(username="sam", password=PASSWORD)
    return user


def tomorrow():
    return timezone.localdate() + timedelta(days=1)


def consumer_without(step_id: str) -> str:
    """The packaged consumer playbook with one step taken out."""
    from amicable.authoring.library import packaged_playbook_text
    from amicable.playbooks.load import default_playbooks

    text = packaged_playbook_text(default_playbooks()["consumer"])
    blocks = re.split(r"(?m)^(?=  - id: )", text)
    kept = [b for b in blocks if not b.startswith(f"  - id: {step_id}\n")]
    assert len(kept) == len(blocks) - 1
    return "".join(kept)


def dry_run(client, text: str, name: str = "consumer"):
    return client.post(f"/console/playbooks/{name}", {"text": text, "based_on": "0", "action": "dry_run"})


def signature(response) -> str:
    return re.search(r'name="dry_run_of" value="([0-9a-f]+)"', response.text).group(1)


# ------------------------------------------------------------------------------------------ access


def test_agents_get_403_on_every_authoring_page(client, northwind):
    staff("ana", "agent", northwind)
    client.login(username="ana", password=PASSWORD)
    for url in (
        "/console/playbooks",
        "/console/playbooks/consumer",
        "/console/playbooks/new",
        "/console/templates",
        "/console/templates/sms/due_today.en",
    ):
        assert client.get(url).status_code == 403, url
    refused = client.post("/console/templates/sms/due_today.en", {"text": SMS, "action": "save"})
    assert refused.status_code == 403
    assert not TemplateVersion.objects.exists()


def test_the_lists_show_packaged_and_saved_with_who_saved_last(client, supervisor):
    listed = client.get("/console/playbooks")
    assert listed.status_code == 200
    assert "consumer" in listed.text and "Consumer (gentle)" in listed.text and "Packaged" in listed.text
    templates = client.get("/console/templates")
    assert templates.status_code == 200
    assert 'href="/console/templates/email/reminder_upcoming.warm.en"' in templates.text
    assert 'href="/console/templates/sms/due_today.es"' in templates.text

    text = consumer_without("due-today")
    client.post(
        "/console/playbooks/consumer",
        {"text": text, "based_on": "0", "action": "save", "dry_run_of": signature(dry_run(client, text))},
    )
    listed = client.get("/console/playbooks")
    row = re.search(
        r"<tr>\s*<th scope=\"row\"><a href=\"/console/playbooks/consumer\">.*?</tr>", listed.text, re.S
    )
    assert "Edited" in row.group(0) and "sam" in row.group(0)


# ------------------------------------------------------------------------------------------ playbooks


def test_a_bad_playbook_names_the_line_and_field_and_saves_nothing(client, supervisor):
    text = consumer_without("due-today").replace(
        "channels: [email, sms, letter]", "channels: [email, fax]", 1
    )
    line = text.splitlines().index("    channels: [email, fax]") + 1
    checked = dry_run(client, text)
    assert checked.status_code == 400
    assert f"line {line}, field steps[0].channels[1]: &#x27;fax&#x27; is not one of" in checked.text
    assert 'aria-invalid="true"' in checked.text and 'role="alert"' in checked.text
    assert 'name="dry_run_of"' not in checked.text  # no save without a dry run
    saved = client.post("/console/playbooks/consumer", {"text": text, "based_on": "0", "action": "save"})
    assert saved.status_code == 400
    assert not PlaybookVersion.objects.exists()
    assert not AuditLog.objects.filter(action="save_playbook").exists()


def test_a_step_naming_a_template_that_does_not_exist_is_refused(client, supervisor):
    text = consumer_without("due-today").replace("template: reminder_upcoming", "template: remindr", 1)
    checked = dry_run(client, text)
    assert checked.status_code == 400
    assert "field steps[0].template: there is no email template named &#x27;remindr&#x27;" in checked.text


def test_the_dry_run_shows_contacts_by_channel_and_blocks_by_rule_and_writes_nothing(
    client, supervisor, northwind
):
    # Both due in 8 days: tomorrow is the week-ahead reminder's day. One is paused (a hold).
    debtor(northwind, "C-1", due_in_days=8)
    held = debtor(northwind, "C-2", due_in_days=8)
    place_hold(held.customer, "paused", source="call", actor="test:fixture")
    audits = AuditLog.objects.count()
    result = dry_run(client, consumer_without("reminder-7"))
    assert result.status_code == 200, result.text
    channels = re.search(r'<table id="dry-run-channels">.*?</table>', result.text, re.S).group(0)
    # In force: one reminder by email; with the step taken out: none.
    assert re.search(
        r"<th scope=\"row\">Email</th>\s*<td class=\"num\">1</td>\s*<td class=\"num\">0</td>"
        r"\s*<td class=\"num\">-1</td>",
        channels,
    )
    steps = re.search(r'<table id="dry-run-steps">.*?</table>', result.text, re.S).group(0)
    assert "consumer/reminder-7" in steps
    rules = re.search(r'<table id="dry-run-rules">.*?</table>', result.text, re.S).group(0)
    assert re.search(
        r"<code>[A-Z-]*HOLD[A-Z-]*</code></th>\s*<td class=\"num\">1</td>\s*<td class=\"num\">0</td>", rules
    )
    assert 'name="dry_run_of"' in result.text and 'value="save"' in result.text
    assert not Contact.objects.exists()
    assert AuditLog.objects.count() == audits
    assert not PlaybookVersion.objects.exists()


def test_save_is_refused_unless_the_dry_run_was_of_exactly_that_text(client, supervisor, northwind):
    text = consumer_without("reminder-7")
    signed = signature(dry_run(client, text))
    changed = text.replace("title: Consumer (gentle)", "title: Consumer (kind)")
    refused = client.post(
        "/console/playbooks/consumer",
        {"text": changed, "based_on": "0", "action": "save", "dry_run_of": signed},
    )
    assert refused.status_code == 400 and "changed after the dry run" in refused.text
    assert not PlaybookVersion.objects.exists()


def test_saving_after_the_dry_run_makes_the_next_cycle_use_the_edit(client, supervisor, northwind):
    account = debtor(northwind, "C-1", due_in_days=8)
    text = consumer_without("reminder-7")
    saved = client.post(
        "/console/playbooks/consumer",
        {
            "text": text,
            "based_on": "0",
            "action": "save",
            "note": "No week-ahead reminder",
            "dry_run_of": signature(dry_run(client, text)),
        },
    )
    assert saved.status_code == 302 and saved["Location"] == "/console/playbooks/consumer"
    version = PlaybookVersion.objects.get()
    assert (version.name, version.saved_by, version.note) == (
        "consumer",
        "user:sam",
        "No week-ahead reminder",
    )
    row = AuditLog.objects.get(action="save_playbook")
    assert row.actor == "user:sam" and row.customer_id is None and row.changes["version"] == version.pk
    page = client.get("/console/playbooks/consumer")
    editing = re.search(r'<textarea id="text".*?</textarea>', page.text, re.S).group(0)
    assert "No week-ahead reminder" in page.text and "reminder-7" not in editing
    assert "The packaged version, to copy back" in page.text

    run_day(tomorrow(), dispatch=False)
    assert not Contact.objects.filter(account=account, step="reminder-7").exists()


def test_a_newer_save_is_not_overwritten(client, supervisor):
    first = consumer_without("reminder-7")
    client.post(
        "/console/playbooks/consumer",
        {"text": first, "based_on": "0", "action": "save", "dry_run_of": signature(dry_run(client, first))},
    )
    stale = consumer_without("due-today")
    refused = client.post(
        "/console/playbooks/consumer",
        {"text": stale, "based_on": "0", "action": "save", "dry_run_of": signature(dry_run(client, stale))},
    )
    assert refused.status_code == 400 and "newer version" in refused.text
    assert PlaybookVersion.objects.count() == 1


def test_a_playbook_another_creditor_runs_cannot_be_saved_by_who_does_not_work_for_it(
    client, supervisor, fairway
):
    text = consumer_without("reminder-7")
    tried = dry_run(client, text)
    assert tried.status_code == 200 and 'value="save"' not in tried.text
    refused = client.post(
        "/console/playbooks/consumer",
        {
            "text": text,
            "based_on": "0",
            "action": "save",
            "dry_run_of": signature(tried) if "dry_run_of" in tried.text else "",
        },
    )
    assert refused.status_code == 403
    assert not PlaybookVersion.objects.exists()


def test_a_new_playbook_is_added_under_its_own_name(client, supervisor, northwind):
    text = consumer_without("reminder-7").replace("playbook: consumer", "playbook: gentle-people")
    result = client.post("/console/playbooks/new", {"text": text, "based_on": "0", "action": "dry_run"})
    assert result.status_code == 200
    saved = client.post(
        "/console/playbooks/new",
        {"text": text, "based_on": "0", "action": "save", "dry_run_of": signature(result)},
    )
    assert saved.status_code == 302 and saved["Location"] == "/console/playbooks/gentle-people"
    northwind.playbooks = ["gentle-people", "aftercare"]
    northwind.full_clean()  # a creditor may name it now
    again = client.post("/console/playbooks/new", {"text": text, "based_on": "0", "action": "dry_run"})
    assert again.status_code == 400 and "there is already a playbook named" in again.text


# ------------------------------------------------------------------------------------------ templates


def test_a_template_with_an_undefined_variable_is_refused_naming_it(client, supervisor):
    text = "{% block body %}Hi {{ customer.name }}, you owe {{ amount_owed|money }}.{% endblock %}"
    refused = client.post("/console/templates/sms/due_today.en", {"text": text, "action": "save"})
    assert refused.status_code == 400
    assert "amount_owed" in refused.text and "is undefined" in refused.text
    assert 'aria-invalid="true"' in refused.text
    assert not TemplateVersion.objects.exists()
    assert not AuditLog.objects.filter(action="save_template").exists()


def test_a_template_missing_its_block_or_threatening_is_refused(client, supervisor):
    no_body = client.post("/console/templates/sms/due_today.en", {"text": "Hi there", "action": "save"})
    assert no_body.status_code == 400 and "no {% block body %}" in no_body.text
    threat = "{% block body %}Pay now or we will take legal action.{% endblock %}"
    refused = client.post("/console/templates/sms/due_today.en", {"text": threat, "action": "save"})
    assert refused.status_code == 400 and "threatening phrase" in refused.text
    broken = client.post(
        "/console/templates/sms/due_today.en",
        {"text": "{% block body %}{{ x {% endblock %}", "action": "check"},
    )
    assert broken.status_code == 400 and "line 1" in broken.text
    assert not TemplateVersion.objects.exists()


def test_the_preview_renders_a_real_accounts_name_and_balance(client, supervisor, northwind):
    debtor(northwind, "C-7", first_name="Rosa", last_name="Diaz", balance="432.10")
    shown = client.post(
        "/console/templates/sms/due_today.en", {"text": SMS, "account_ref": "A-C-7", "action": "check"}
    )
    assert shown.status_code == 200, shown.text
    preview = re.search(r'<section aria-labelledby="preview-heading".*?</section>', shown.text, re.S).group(0)
    assert "Hi Rosa Diaz, your balance with Northwind Energy is $432.10." in preview
    assert "Reply STOP" in preview  # what amicable adds to every text
    assert not TemplateVersion.objects.exists() and not Contact.objects.exists()


def test_a_supervisor_cannot_preview_another_creditors_account(client, supervisor, fairway):
    debtor(fairway, "C-9")
    refused = client.post(
        "/console/templates/sms/due_today.en", {"text": SMS, "account_ref": "A-C-9", "action": "check"}
    )
    assert refused.status_code == 404
    assert "Maria" not in refused.text and "there is no account A-C-9" in refused.text


def test_a_saved_template_is_what_the_next_message_uses(client, supervisor, northwind):
    account = debtor(northwind, "C-2", due_in_days=0)  # the note on the day goes by text first
    text = (
        "{% block body %}Hi {{ customer.first_name }}, a gentle note from {{ creditor.name }}: "
        "today is the day.{% endblock %}"
    )
    saved = client.post(
        "/console/templates/sms/due_today.en", {"text": text, "action": "save", "note": "Shorter"}
    )
    assert saved.status_code == 302
    version = TemplateVersion.objects.get()
    assert (version.channel, version.name, version.saved_by) == ("sms", "due_today.en", "user:sam")
    assert AuditLog.objects.get(action="save_template").changes["path"] == "sms/due_today.en.j2"
    render_module.use_templates({})  # as a fresh worker: the cycle loads the saved texts itself
    run_day(timezone.localdate(), dispatch=False)
    contact = Contact.objects.get(account=account, step="due-today")
    assert contact.channel == "sms"
    assert contact.body.startswith("Hi Maria, a gentle note from Northwind Energy: today is the day.")


def test_a_new_template_is_named_then_written(client, supervisor):
    bad = client.get("/console/templates/new", {"channel": "sms", "name": "Hello There"})
    assert bad.status_code == 400
    assert "New template&#x27;s name: " in bad.text and 'id="new_name-error"' in bad.text
    opened = client.get("/console/templates/new", {"channel": "sms", "name": "check_in.en"})
    assert opened.status_code == 302 and opened["Location"] == "/console/templates/sms/check_in.en?new=1"
    assert client.get("/console/templates/sms/check_in.en").status_code == 404  # not yet a template
    editor = client.get(opened["Location"])
    assert editor.status_code == 200 and "{% block body %}" in editor.text
    saved = client.post("/console/templates/sms/check_in.en", {"text": HELLO_SMS, "action": "save"})
    assert saved.status_code == 302
    assert 'href="/console/templates/sms/check_in.en"' in client.get("/console/templates").text


def test_a_template_another_creditors_playbooks_send_cannot_be_saved_by_who_does_not_work_for_it(
    client, supervisor, fairway
):
    page = client.get("/console/templates/sms/due_today.en")
    assert page.status_code == 200 and 'value="save"' not in page.text
    refused = client.post("/console/templates/sms/due_today.en", {"text": SMS, "action": "save"})
    assert refused.status_code == 403
    assert not TemplateVersion.objects.exists()
