"""The tests watch every ordinary page for errors: check that the watching works, so a template that
gains an inline script (which the Content Security Policy refuses) cannot pass unnoticed."""

from __future__ import annotations

import pytest

from browser.helpers import portal_link_path
from web.people import debtor

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_inline_script_is_refused_by_the_csp_and_reported(page, live_server, northwind):
    page.goto(live_server.url + portal_link_path(debtor(northwind)))
    with page.expect_console_message(lambda message: message.type == "error"):
        page.evaluate(
            """() => {
                const script = document.createElement('script');
                script.textContent = 'document.body.dataset.ran = "yes"';
                document.body.append(script);
            }"""
        )
    assert page.evaluate("() => document.body.dataset.ran") is None  # it never ran
    seen, page.problems.seen = page.problems.seen, []  # reported, so this test's own teardown passes
    assert len(seen) == 1 and "Content Security Policy" in seen[0], seen


def test_a_javascript_error_is_reported(page, live_server, northwind):
    page.goto(live_server.url + portal_link_path(debtor(northwind)))
    with page.expect_event("pageerror"):
        page.evaluate("() => { setTimeout(() => { throw new Error('broken on purpose'); }); }")
    seen, page.problems.seen = page.problems.seen, []
    assert len(seen) == 1 and "broken on purpose" in seen[0], seen
