"""Demo section: data safety — a hostile import, a refused output, a hostile web form and a
refused outbound message.

A small HubSpot companies export with the usual damage (a decimal-comma amount, a slashed date
that would have to be guessed, a line that is not UTF-8, ``NaN``) is imported into the demo's
SQLite store with a rejects file: good rows are stored, each bad one is a reject with its line
and reason. Pointing the rejects file at the input is refused before anything is read; a web
form with field names no database column can take still becomes a lead; and a message to a
contact whose consent was withdrawn is not sent.

Examples:
    >>> import tempfile
    >>> from pathlib import Path
    >>> from crmkit.cli._console import Console
    >>> from crmkit.cli._context import DemoContext
    >>> from crmkit.cli._sections.safety import render
    >>> out = Path(tempfile.mkdtemp())
    >>> render(DemoContext(None, Console(plain=True), out))  # doctest: +ELLIPSIS
    <BLANKLINE>
    == Data safety ==
    ...hostile-companies.csv → accounts: 6 rows, 2 accepted (2 created, 0 updated), 4 rejected, committed
    ...
    >>> sorted(p.name for p in out.iterdir() if p.suffix == ".csv")
    ['hostile-companies-rejects.csv', 'hostile-companies.csv']
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from crmkit.adapters import open_store, read_form
from crmkit.adapters.files import ImportPolicy, import_csv
from crmkit.adapters.formats import HubSpotCodec
from crmkit.adapters.outbound import (
    ConsentRequiredError,
    InMemoryMessageSender,
    Message,
    MessageChannel,
)
from crmkit.domain import Consent, Contact, LawfulBasis
from crmkit.errors import OutputError

if TYPE_CHECKING:
    from crmkit.cli._context import DemoContext

__all__ = ["HOSTILE_COMPANIES", "render"]

#: The hostile HubSpot companies export (bytes: line 5 is Latin-1, not UTF-8).
HOSTILE_COMPANIES: bytes = (
    (
        "Record ID,Company name,Annual Revenue,Number of Employees,Create Date\n"
        "hs-9101,Ljus AB,2500000,12,2025-03-04\n"
        'hs-9102,Fjäll AB,"1234,50",8,2025-03-05\n'
        "hs-9103,Dal AB,900000,5,04/03/2025\n"
    ).encode()
    + "hs-9104,Sjö AB,120000,3,2025-03-06\n".encode("latin-1")
    + (
        "hs-9105,Älv AB,NaN,NaN,2025-03-07\nhs-9106,Berg AB,780000.50,40,2025-03-08T09:30:00Z\n"
    ).encode()
)

#: A web-form post with field names that are not property names and a ``NaN`` score.
HOSTILE_FORM: dict[str, Any] = {
    "company": "Fjord AS",
    "email": "kari@fjord.no",
    "g-recaptcha-response": "03AGdBq2",
    "utm source": "linkedin",
    "score": float("nan"),
}


def render(ctx: DemoContext) -> None:
    """Import a hostile CSV with rejects, try an output over the input, read a hostile form and
    send to a contact without consent.

    Examples:
        >>> from crmkit.cli._sections.safety import render
        >>> callable(render)
        True
    """
    console = ctx.console
    console.heading("Data safety")
    ctx.output_dir.mkdir(parents=True, exist_ok=True)
    source = ctx.output_dir / "hostile-companies.csv"
    rejects = ctx.output_dir / "hostile-companies-rejects.csv"
    source.write_bytes(HOSTILE_COMPANIES)
    codec = HubSpotCodec("companies", default_currency="SEK")
    with open_store(f"sqlite:///{ctx.output_dir / 'crm.db'}") as store:
        report = import_csv(
            store, source, codec, policy=ImportPolicy.KEEP_ACCEPTED, rejects_path=rejects
        )
        console.text(report.summary())
        console.table(
            f"Rejected rows (all in {rejects.name}; nothing is guessed)",
            ["line", "column", "value", "reason"],
            [[r.line, r.field, "" if r.value is None else str(r.value), r.reason]
             for r in report.rejects],
        )  # fmt: skip
        try:
            import_csv(store, source, codec, rejects_path=source)
        except OutputError as error:
            console.text(
                f"rejects_path=the input file: refused, input untouched "
                f"({error.problems[0].message.split(';')[0]})."
            )

        reading = read_form(HOSTILE_FORM, received_at=datetime(2025, 12, 1, 9, 0, tzinfo=UTC))
        with store.unit_of_work() as uow:
            uow.leads.add(reading.lead)
        console.text(
            f"Web form with hostile field names → lead {reading.lead.company_name!r} stored; "
            f"{len(reading.problems)} values kept raw in remote_data:"
        )
        for problem in reading.problems:
            console.text(f"  {problem}")

        given = Consent(LawfulBasis.CONSENT, datetime(2024, 1, 1, tzinfo=UTC))
        anna = Contact("Anna", "Lind", email="anna@lind.se", consent=given)
        with store.unit_of_work() as uow:
            uow.contacts.add(anna)
        with store.unit_of_work() as uow:
            stored = uow.contacts.get(anna.id)
            stored.consent = given.withdraw(datetime(2025, 1, 1, tzinfo=UTC))
            uow.contacts.save(stored)
        sender = InMemoryMessageSender(store)
        try:
            sender.send(
                anna,
                Message(MessageChannel.EMAIL, "Spring offer"),
                at=datetime(2024, 6, 1, tzinfo=UTC),
            )
        except ConsentRequiredError as error:
            console.text(f"Outbound e-mail from a stale copy, back-dated: refused ({error}).")
        console.text(f"Messages sent: {len(sender.sent)}.")
