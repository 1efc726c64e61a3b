"""Letters: each rendered to PDF with WeasyPrint, and each day's letters collected into one print
batch for the print house.

The page is laid out for a DL window envelope. Through the window shows only a return address and the
recipient's address: no creditor name, no logo, nothing that says the letter is about a debt
(Regulation F 1006.22(f); the same courtesy everywhere).
"""

from __future__ import annotations

import html
import os
from datetime import date
from pathlib import Path
from typing import Any

from .base import Outgoing, PermanentFailure, Sent

STYLE = """
@page { size: A4; margin: 20mm 20mm 25mm 20mm;
        @bottom-center { content: "Page " counter(page) " of " counter(pages); font-size: 8pt; } }
body { font-family: sans-serif; font-size: 11pt; line-height: 1.45; color: #111; }
.window { position: absolute; top: 25mm; left: 0; width: 90mm; height: 40mm; }
.return { font-size: 7pt; color: #444; margin-bottom: 2mm; }
.recipient { font-size: 10.5pt; }
.head { margin-top: 70mm; }
.from { text-align: right; font-size: 9pt; color: #333; }
h1 { font-size: 13pt; margin: 8mm 0 4mm; }
p { margin: 0 0 3mm; }
.letter { page-break-after: always; }
.letter:last-child { page-break-after: auto; }
"""


def _lines(message: Outgoing) -> list[str]:
    address = message.address or {}
    keys = ("line1", "line2", "city", "region", "postcode", "country")
    lines = [address[k] for k in keys if address.get(k)]
    return lines or [part.strip() for part in message.to.split(",") if part.strip()]


def letter_html(message: Outgoing, sender: str, sender_address: str) -> str:
    """One letter as an HTML fragment (a <section>), so letters can share a batch document."""
    esc = html.escape
    recipient = "<br>".join(esc(line) for line in _lines(message))
    paragraphs = [p.strip() for p in message.body.split("\n\n") if p.strip()]
    body = "\n".join(f"<p>{esc(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
    origin = "<br>".join(esc(line) for line in [sender, *sender_address.splitlines()] if line.strip())
    return (
        '<section class="letter">'
        f'<div class="window"><div class="return">{esc(message.return_address)}</div>'
        f'<div class="recipient">{recipient}</div></div>'
        f'<div class="head"><div class="from">{origin}<br>{esc(message.day)}</div></div>'
        f"<h1>{esc(message.subject)}</h1>{body}</section>"
    )


def document(sections: list[str], language: str = "en") -> str:
    return (
        f'<!doctype html><html lang="{html.escape(language)}"><head><meta charset="utf-8">'
        f"<style>{STYLE}</style></head><body>{''.join(sections)}</body></html>"
    )


def write_pdf(markup: str, path: Path) -> None:
    from weasyprint import HTML  # imported here: loading it takes a moment and most runs send no letters

    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    HTML(string=markup).write_pdf(temporary)
    os.replace(temporary, path)


class LetterChannel:
    name = "letter"
    automatic = True

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def send(self, message: Outgoing) -> Sent:
        if not _lines(message):
            raise PermanentFailure("the letter has no postal address", invalid_recipient=True)
        folder = self.folder / message.day
        section = letter_html(message, message.sender_name, message.return_address)
        folder.mkdir(parents=True, exist_ok=True)
        # The fragment is kept beside the PDF: the day's print batch is made from the fragments.
        (folder / f"contact-{message.contact_id}.html").write_text(section, encoding="utf-8")
        path = folder / f"contact-{message.contact_id}.pdf"
        write_pdf(document([section], message.language), path)
        return Sent("print", str(path))

    def parse_events(self, payload: Any) -> list:
        return []  # the print house reports nothing back

    def build_batch(self, day: date) -> tuple[Path | None, int]:
        """One PDF of every letter of the day (batch-YYYY-MM-DD.pdf), remade when more are added."""
        folder = self.folder / day.isoformat()
        fragments = sorted(folder.glob("contact-*.html"), key=lambda p: int(p.stem.split("-")[1]))
        if not fragments:
            return None, 0
        path = folder / f"batch-{day.isoformat()}.pdf"
        from weasyprint import HTML

        # Each letter is laid out on its own, so its pages say "Page 1 of 2" for that letter alone,
        # then the pages are put together into one file.
        letters = [HTML(string=document([p.read_text(encoding="utf-8")])).render() for p in fragments]
        pages = [page for letter in letters for page in letter.pages]
        temporary = path.with_suffix(".tmp")
        letters[0].copy(pages).write_pdf(temporary)
        os.replace(temporary, path)
        return path, len(fragments)
