"""Domain benchmark: a nested Opportunity (5 contact roles, 20 stage changes).

Side by side in one run:

- **crmkit** — ``crmkit.domain.Opportunity`` with its validators, round trip through
  ``crmkit.serde.to_dict`` / ``from_dict``;
- **plain attrs** — the same shape as plain ``attrs.define`` classes without validators, round
  trip through a bare cattrs converter with the same Money/Decimal/datetime hooks;
- **pydantic v2** — the same shape as pydantic models with equivalent constraints, round trip
  through ``model_dump(mode="json")`` / ``model_validate``;
- **msgspec** (JSON rows) — the same shape as ``msgspec.Struct`` classes with equivalent
  constraints (``Meta`` lengths, ranges, currency pattern, aware datetimes, unknown fields
  forbidden), ``msgspec.json.decode(text, type=...)`` / ``msgspec.json.encode``; crmkit runs
  ``crmkit.serde.from_json`` / ``to_json``. Before timing, each reads the other's JSON into a
  value equal to its own object. Two more JSON rows time how ``from_json`` read before it had
  the msgspec path (``from_dict(cls, read_json(text))``: the same object, checked equal) and
  how ``to_json`` wrote before it had generated writers (``json.dumps(to_dict(obj))``: the
  same text, checked equal), interleaved with the other contenders, so that before and after
  come from one run.

All three build the same objects the same way (keyword arguments for the contact roles) and
generate a new time-ordered id per opportunity with ``crmkit.domain.new_id`` (crmkit's default;
earlier versions of this benchmark gave the plain and pydantic classes a constant id, which
left crmkit alone paying for id generation). Each repeat times the three contenders in turn
(best of ``repeat`` each), so that load from other processes on a shared machine falls on all
three rather than on whichever series happened to run during a spike.

Run: ``.venv/bin/python -m benchmarks.domain`` (``--quick`` for fewer repetitions). Adds the
run's tables to ``benchmarks/results/domain.md`` as a new ``### Run N`` section, so runs on the
shared machine stay side by side and the notes of earlier rounds in that file are kept;
``--fresh`` starts the file again with this run alone.
"""

from __future__ import annotations

import argparse
import json
import platform
import timeit
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import attrs
import cattrs
import msgspec
import pydantic

from crmkit.domain import Money, Opportunity, OpportunityContactRole, StageChange, new_id
from crmkit.serde import from_dict, from_json, read_json, to_dict, to_json

RESULTS = Path(__file__).parent / "results" / "domain.md"
T0 = datetime(2025, 1, 1, tzinfo=UTC)
KEYS = ["prospecting", "qualification", "needs_analysis", "proposal", "negotiation"]


# --- crmkit -------------------------------------------------------------------------------------


def make_crmkit() -> Opportunity:
    history = [
        StageChange(
            KEYS[(i - 1) % 5] if i else None, KEYS[i % 5], T0 + timedelta(days=i), 0.1 + i * 0.01
        )
        for i in range(20)
    ]
    roles = [
        OpportunityContactRole(contact_id=f"contact-{i}", role="influencer", is_primary=(i == 0))
        for i in range(5)
    ]
    return Opportunity(
        name="Fleet renewal",
        account_id="account-1",
        amount=Money("250000.00", "SEK"),
        close_date=date(2025, 6, 30),
        pipeline_id="default",
        stage_key=KEYS[19 % 5],
        stage_probability=0.29,
        stage_history=history,
        contact_roles=roles,
        owner_id="seller-1",
        source_channel="website",
        created_at=T0,
        updated_at=T0 + timedelta(days=20),
    )


# --- plain attrs ------------------------------------------------------------------------------


@attrs.frozen
class PlainMoney:
    amount: Decimal
    currency: str


@attrs.frozen
class PlainStageChange:
    from_stage: str | None
    to_stage: str
    at: datetime
    probability: float
    amount: PlainMoney | None = None


@attrs.frozen
class PlainRole:
    contact_id: str
    role: str = ""
    is_primary: bool = False


@attrs.define
class PlainOpportunity:
    name: str
    account_id: str
    amount: PlainMoney
    close_date: date
    pipeline_id: str
    stage_key: str
    stage_probability: float
    id: str = attrs.Factory(new_id)  # same id generator as crmkit: a new id per object
    version: int = 0
    created_at: datetime = T0
    updated_at: datetime = T0
    custom: dict[str, str | int | float | bool | None] = attrs.Factory(dict)
    remote_id: str | None = None
    remote_data: dict[str, Any] = attrs.Factory(dict)
    is_closed: bool = False
    is_won: bool = False
    automated_probability: float | None = None
    manual_probability: float | None = None
    stage_history: list[PlainStageChange] = attrs.Factory(list)
    contact_roles: list[PlainRole] = attrs.Factory(list)
    lost_reason: str | None = None
    source_channel: str | None = None
    owner_id: str | None = None
    campaign_id: str | None = None
    closed_at: datetime | None = None
    next_step: str | None = None


def make_plain() -> PlainOpportunity:
    history = [
        PlainStageChange(
            KEYS[(i - 1) % 5] if i else None, KEYS[i % 5], T0 + timedelta(days=i), 0.1 + i * 0.01
        )
        for i in range(20)
    ]
    roles = [
        PlainRole(contact_id=f"contact-{i}", role="influencer", is_primary=(i == 0))
        for i in range(5)
    ]
    return PlainOpportunity(
        name="Fleet renewal",
        account_id="account-1",
        amount=PlainMoney(Decimal("250000.00"), "SEK"),
        close_date=date(2025, 6, 30),
        pipeline_id="default",
        stage_key=KEYS[19 % 5],
        stage_probability=0.29,
        stage_history=history,
        contact_roles=roles,
        owner_id="seller-1",
        source_channel="website",
        updated_at=T0 + timedelta(days=20),
    )


plain_converter = cattrs.Converter()
plain_converter.register_unstructure_hook(Decimal, str)
plain_converter.register_structure_hook(Decimal, lambda v, _: Decimal(v))
plain_converter.register_unstructure_hook(datetime, datetime.isoformat)
plain_converter.register_structure_hook(datetime, lambda v, _: datetime.fromisoformat(v))
plain_converter.register_unstructure_hook(date, date.isoformat)
plain_converter.register_structure_hook(date, lambda v, _: date.fromisoformat(v))
plain_converter.register_structure_hook(
    str | int | float | bool | None, lambda v, _: v
)  # custom-property scalars


# --- pydantic v2 -------------------------------------------------------------------------------

Name = Annotated[str, pydantic.StringConstraints(min_length=1, strip_whitespace=False)]
Prob = Annotated[float, pydantic.Field(ge=0.0, le=1.0)]


class PydMoney(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(frozen=True, extra="forbid")
    amount: Decimal = pydantic.Field(allow_inf_nan=False)
    currency: Annotated[str, pydantic.StringConstraints(pattern=r"^[A-Z]{3}$")]


class PydStageChange(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(frozen=True, extra="forbid")
    from_stage: Name | None
    to_stage: Name
    at: pydantic.AwareDatetime
    probability: Prob
    amount: PydMoney | None = None


class PydRole(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(frozen=True, extra="forbid")
    contact_id: Name
    role: str = ""
    is_primary: bool = False


class PydOpportunity(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid", validate_assignment=True)
    name: Name
    account_id: Name
    amount: PydMoney
    close_date: date
    pipeline_id: Name
    stage_key: Name
    stage_probability: Prob
    id: Name = pydantic.Field(default_factory=new_id)  # a new id per object, as crmkit
    version: Annotated[int, pydantic.Field(ge=0)] = 0
    created_at: pydantic.AwareDatetime = T0
    updated_at: pydantic.AwareDatetime = T0
    custom: dict[str, str | int | float | bool | None] = {}
    remote_id: str | None = None
    remote_data: dict[str, Any] = {}
    is_closed: bool = False
    is_won: bool = False
    automated_probability: Prob | None = None
    manual_probability: Prob | None = None
    stage_history: list[PydStageChange] = []
    contact_roles: list[PydRole] = []
    lost_reason: str | None = None
    source_channel: str | None = None
    owner_id: str | None = None
    campaign_id: str | None = None
    closed_at: pydantic.AwareDatetime | None = None
    next_step: str | None = None


def make_pydantic() -> PydOpportunity:
    history = [
        PydStageChange(
            from_stage=KEYS[(i - 1) % 5] if i else None,
            to_stage=KEYS[i % 5],
            at=T0 + timedelta(days=i),
            probability=0.1 + i * 0.01,
        )
        for i in range(20)
    ]
    roles = [
        PydRole(contact_id=f"contact-{i}", role="influencer", is_primary=(i == 0)) for i in range(5)
    ]
    return PydOpportunity(
        name="Fleet renewal",
        account_id="account-1",
        amount=PydMoney(amount=Decimal("250000.00"), currency="SEK"),
        close_date=date(2025, 6, 30),
        pipeline_id="default",
        stage_key=KEYS[19 % 5],
        stage_probability=0.29,
        stage_history=history,
        contact_roles=roles,
        owner_id="seller-1",
        source_channel="website",
        updated_at=T0 + timedelta(days=20),
    )


# --- msgspec ------------------------------------------------------------------------------------

MsName = Annotated[str, msgspec.Meta(min_length=1)]
MsProb = Annotated[float, msgspec.Meta(ge=0.0, le=1.0)]
MsAware = Annotated[datetime, msgspec.Meta(tz=True)]


class MsMoney(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    amount: Decimal
    currency: Annotated[str, msgspec.Meta(pattern="^[A-Z]{3}$")]


class MsStageChange(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    from_stage: MsName | None
    to_stage: MsName
    at: MsAware
    probability: MsProb
    amount: MsMoney | None = None


class MsRole(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    contact_id: MsName
    role: str = ""
    is_primary: bool = False


class MsOpportunity(msgspec.Struct, forbid_unknown_fields=True):
    name: MsName
    account_id: MsName
    amount: MsMoney
    close_date: date
    pipeline_id: MsName
    stage_key: MsName
    stage_probability: MsProb
    id: MsName = msgspec.field(default_factory=new_id)  # a new id per object, as crmkit
    version: Annotated[int, msgspec.Meta(ge=0)] = 0
    created_at: MsAware = T0
    updated_at: MsAware = T0
    custom: dict[str, str | int | float | bool | None] = {}
    remote_id: str | None = None
    remote_data: dict[str, Any] = {}
    is_closed: bool = False
    is_won: bool = False
    automated_probability: MsProb | None = None
    manual_probability: MsProb | None = None
    stage_history: list[MsStageChange] = []
    contact_roles: list[MsRole] = []
    lost_reason: str | None = None
    source_channel: str | None = None
    owner_id: str | None = None
    campaign_id: str | None = None
    closed_at: MsAware | None = None
    next_step: str | None = None
    line_items: list[dict[str, Any]] = []  # crmkit's line items (none in this benchmark)


def make_msgspec() -> MsOpportunity:
    history = [
        MsStageChange(
            KEYS[(i - 1) % 5] if i else None, KEYS[i % 5], T0 + timedelta(days=i), 0.1 + i * 0.01
        )
        for i in range(20)
    ]
    roles = [
        MsRole(contact_id=f"contact-{i}", role="influencer", is_primary=(i == 0)) for i in range(5)
    ]
    return MsOpportunity(
        name="Fleet renewal",
        account_id="account-1",
        amount=MsMoney(Decimal("250000.00"), "SEK"),
        close_date=date(2025, 6, 30),
        pipeline_id="default",
        stage_key=KEYS[19 % 5],
        stage_probability=0.29,
        stage_history=history,
        contact_roles=roles,
        owner_id="seller-1",
        source_channel="website",
        updated_at=T0 + timedelta(days=20),
    )


def check_json_peers(crm: Opportunity, ms: MsOpportunity) -> bytes:
    """crmkit's JSON text (both contenders decode it in the timing), after checking that each
    contender reads its own and the other's text into a value equal to its own object."""
    crm_text, ms_text = to_json(crm).encode(), msgspec.json.encode(ms)
    assert from_json(Opportunity, crm_text) == crm
    assert msgspec.json.decode(ms_text, type=MsOpportunity) == ms
    assert msgspec.json.decode(crm_text, type=MsOpportunity) == msgspec.structs.replace(
        ms, id=crm.id
    )
    assert from_json(Opportunity, ms_text) == attrs.evolve(crm, id=ms.id)
    return crm_text


# --- measurement --------------------------------------------------------------------------------


def best_us(funcs: dict[str, Callable[[], object]], number: int, repeat: int) -> dict[str, float]:
    """Best-of-``repeat`` time per call in microseconds for each contender.

    The repeats are interleaved (crmkit, attrs, pydantic, crmkit, ...) so that a load spike
    on the shared machine hits every contender alike instead of one contender's whole series.
    """
    timers = {name: timeit.Timer(func) for name, func in funcs.items()}
    best = dict.fromkeys(funcs, float("inf"))
    for _ in range(repeat):
        for name, timer in timers.items():
            best[name] = min(best[name], timer.timeit(number) / number * 1e6)
    return best


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="start the results file again with this run (default: add it as a new run)",
    )
    args = parser.parse_args(argv)
    number, repeat = (200, 3) if args.quick else (2000, 7)

    crm, plain, pyd = make_crmkit(), make_plain(), make_pydantic()
    crm_dict, plain_dict, pyd_dict = (
        to_dict(crm),
        plain_converter.unstructure(plain),
        pyd.model_dump(mode="json"),
    )
    assert from_dict(Opportunity, crm_dict) == crm
    assert plain_converter.structure(plain_dict, PlainOpportunity) == plain
    assert PydOpportunity.model_validate(pyd_dict) == pyd

    ms = make_msgspec()
    crm_text = check_json_peers(crm, ms)
    decode = msgspec.json.Decoder(MsOpportunity)
    encode = msgspec.json.Encoder()

    def standard_writer() -> str:  # to_json before its generated writers: the same text
        return json.dumps(to_dict(crm), ensure_ascii=False, allow_nan=False)

    def strict_reader() -> Opportunity:  # from_json before its msgspec path: the same object
        return from_dict(Opportunity, read_json(crm_text))

    assert standard_writer() == to_json(crm)
    assert strict_reader() == from_json(Opportunity, crm_text)
    json_rows = {
        "JSON decode": best_us(
            {
                "crmkit": lambda: from_json(Opportunity, crm_text),
                "msgspec": lambda: decode.decode(crm_text),
                "before": strict_reader,
            },
            number,
            repeat,
        ),
        "JSON encode": best_us(
            {
                "crmkit": lambda: to_json(crm),
                "msgspec": lambda: encode.encode(ms),
                "before": standard_writer,
            },
            number,
            repeat,
        ),
    }
    json_rows["JSON decode, strict path (before)"] = {
        "crmkit": json_rows["JSON decode"]["before"],
        "msgspec": json_rows["JSON decode"]["msgspec"],
    }
    json_rows["JSON encode, standard-library writer (before)"] = {
        "crmkit": json_rows["JSON encode"]["before"],
        "msgspec": json_rows["JSON encode"]["msgspec"],
    }
    creation = best_us(
        {"crmkit": make_crmkit, "plain attrs": make_plain, "pydantic v2": make_pydantic},
        number,
        repeat,
    )
    round_trip = best_us(
        {
            "crmkit": lambda: from_dict(Opportunity, to_dict(crm)),
            "plain attrs": lambda: plain_converter.structure(
                plain_converter.unstructure(plain), PlainOpportunity
            ),
            "pydantic v2": lambda: PydOpportunity.model_validate(pyd.model_dump(mode="json")),
        },
        number,
        repeat,
    )
    command = f"`.venv/bin/python -m benchmarks.domain{' --quick' if args.quick else ''}`"
    table = [
        "| operation | crmkit (µs) | plain attrs (µs) | pydantic v2 (µs) | crmkit ÷ attrs | "
        "crmkit ÷ pydantic |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, row in (("creation", creation), ("dict round trip", round_trip)):
        table.append(
            f"| {label} | {row['crmkit']:.1f} | {row['plain attrs']:.1f} | "
            f"{row['pydantic v2']:.1f} | {row['crmkit'] / row['plain attrs']:.2f}× | "
            f"{row['crmkit'] / row['pydantic v2']:.2f}× |"
        )
    table += [
        "",
        "| operation | crmkit (µs) | msgspec (µs) | crmkit ÷ msgspec |",
        "|---|---:|---:|---:|",
    ]
    for label, row in json_rows.items():
        table.append(
            f"| {label} | {row['crmkit']:.1f} | {row['msgspec']:.1f} | "
            f"{row['crmkit'] / row['msgspec']:.2f}× |"
        )
    machine = (
        f"best of {repeat} interleaved repeats × {number} calls; Python {platform.python_version()}, "
        f"attrs {attrs.__version__}, cattrs {_version('cattrs')}, pydantic {pydantic.VERSION}, "
        f"msgspec {msgspec.__version__}, orjson {_version('orjson')}, "
        f"{platform.machine()}"
    )
    if not args.fresh and RESULTS.exists():
        previous = RESULTS.read_text(encoding="utf-8").rstrip("\n")
        runs = previous.count("\n### Run ") + 1
        text = "\n".join([previous, "", f"### Run {runs} ({command}; {machine})", "", *table, ""])
    else:
        text = "\n".join(
            [
                "## Domain: nested Opportunity (5 contact roles, 20 stage changes)",
                "",
                f"Command: {command} — {machine}.",
                "",
                "Targets: creation within 1.5× of the plain attrs class; round trip no slower "
                "than pydantic v2 (ratio ≤ 1.00×); JSON decode and encode within 2× msgspec.",
                "",
                f"### Run 1 ({command})",
                "",
                *table,
                "",
            ]
        )
    print("\n".join(table))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


if __name__ == "__main__":
    main()
