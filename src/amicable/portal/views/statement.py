"""A statement of one account, as a PDF to keep or print."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from .. import access
from ..access import customer_account, portal_page
from ..self_service import record_statement
from ..statements import statement_filename, statement_pdf
from ..summary import customer_today


@portal_page
def statement(request: HttpRequest, account_id: int) -> HttpResponse:
    account = customer_account(request, account_id)
    today = customer_today(request.customer)
    pdf = statement_pdf(account, today)
    record_statement(account, actor=access.actor(request.customer))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{statement_filename(account, today)}"'
    response["Cache-Control"] = "no-store"  # a statement is personal: no shared cache keeps it
    return response


urlpatterns = [path("portal/a/<int:account_id>/statement.pdf", statement, name="statement")]
