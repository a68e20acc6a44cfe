"""The model subcommands of ``crmkit``: ``clv fit``, ``clv predict`` and ``score leads``.

``crmkit clv fit`` fits a purchase model (BG/NBD or Pareto/NBD) and the Gamma-Gamma spend
model to transactions and saves both in one JSON model file — the models' own JSON documents
(:mod:`crmkit.clv.persistence`), never pickle::

    {"crmkit": "clv-model", "format": 1, "time_unit": "weeks",
     "observation_end": "2025-12-31", "purchases": {...}, "spend": {...}}

``crmkit clv predict`` reads that file and values every customer of a transaction source.

``crmkit score leads`` scores leads with a :class:`~crmkit.scoring.LeadScoringModel` read from
a JSON model file (:func:`crmkit.cli.lead_model.read_lead_model` describes the format).

Examples:
    >>> import argparse
    >>> from crmkit.cli.model_commands import add_parsers
    >>> parser = argparse.ArgumentParser(prog="crmkit")
    >>> add_parsers(parser.add_subparsers(dest="command"))
    >>> args = parser.parse_args(["clv", "fit", "--model", "clv.json", "--from", "deals"])
    >>> args.model.name, args.purchases, args.time_unit
    ('clv.json', 'bg-nbd', 'weeks')
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from crmkit.cli._common import (
    add_output_arguments,
    add_progress_argument,
    add_store_argument,
    as_rows,
    command_progress,
    count,
    existing_store,
    output_format,
    read_json,
    read_table,
    store_file,
    write_rows,
)
from crmkit.cli._console import Console
from crmkit.cli._data_commands import add_transaction_arguments, load_transactions
from crmkit.cli.guard import reading
from crmkit.errors import Problem, ValidationError

if TYPE_CHECKING:
    from crmkit.clv import TimeUnit

__all__ = [
    "CLV_MODEL_KIND",
    "PURCHASE_MODELS",
    "add_parsers",
    "read_clv_model",
    "read_json",
    "run_clv_fit",
    "run_clv_predict",
    "run_score_leads",
]

#: The ``crmkit`` tag of a CLV model file.
CLV_MODEL_KIND = "clv-model"
#: ``--purchases`` choices and the crmkit.clv class each names.
PURCHASE_MODELS = {"bg-nbd": "BetaGeo", "pareto-nbd": "ParetoNBD"}
_TIME_UNITS = ("days", "weeks", "months")


def read_clv_model(path: Path) -> tuple[Any, Any, str, dt.date | None]:
    """The purchase model, spend model (or ``None``), time unit and observation end of a
    model file written by ``crmkit clv fit``.

    Examples:
        >>> import pathlib, tempfile
        >>> from crmkit.cli.model_commands import read_clv_model
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "m.json"
        >>> _ = path.write_text('{"a": 1}')
        >>> read_clv_model(path)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: ...m.json: crmkit: None is not a crmkit CLV model file (written by crmkit clv fit)
    """
    data = read_json(path)
    with reading(path):
        return _clv_model(data)


def _clv_model(data: Any) -> tuple[Any, Any, str, dt.date | None]:
    from crmkit.clv import load_model

    if not isinstance(data, dict) or data.get("crmkit") != CLV_MODEL_KIND:
        value = data.get("crmkit") if isinstance(data, dict) else data
        raise ValidationError.single(
            "crmkit", value, "is not a crmkit CLV model file (written by crmkit clv fit)"
        )
    problems: list[Problem] = []
    if data.get("format") != 1:
        problems.append(Problem("format", data.get("format"), "is not 1"))
    unit = data.get("time_unit")
    if unit not in _TIME_UNITS:
        problems.append(Problem("time_unit", unit, "is not days, weeks or months"))
    end: dt.date | None = None
    if data.get("observation_end") is not None:
        try:
            end = dt.date.fromisoformat(str(data["observation_end"]))
        except ValueError:
            problems.append(Problem("observation_end", data["observation_end"], "is not a date"))
    models: dict[str, Any] = {}
    for key in ("purchases", "spend"):
        document: Any = data.get(key)
        if document is None and key == "spend":
            models[key] = None
            continue
        try:
            models[key] = load_model(document)
        except ValidationError as exc:
            problems.extend(exc.prefixed(key).problems)
    if problems:
        raise ValidationError(problems)
    if type(models["purchases"]).__name__ not in PURCHASE_MODELS.values():
        raise ValidationError.single(
            "purchases.model", type(models["purchases"]).__name__, "is not a purchase model"
        )
    if models["spend"] is not None and type(models["spend"]).__name__ != "GammaGamma":
        raise ValidationError.single(
            "spend.model", type(models["spend"]).__name__, "is not GammaGamma"
        )
    return models["purchases"], models["spend"], str(unit), end


def run_clv_fit(args: argparse.Namespace) -> int:
    """Fit the purchase and spend models to transactions and save them in ``args.model``.

    Examples:
        >>> from crmkit.cli.model_commands import run_clv_fit
        >>> callable(run_clv_fit)
        True
    """
    from crmkit import clv
    from crmkit.adapters.files.output import check_output_path, write_output

    transactions = load_transactions(args)
    check_output_path(args.model, inputs=transactions.inputs)
    as_of = args.as_of or transactions.last_day()
    summary = clv.summarise(
        transactions.records,
        amount="total",
        time_unit=args.time_unit,
        as_of=as_of,
        progress=command_progress(args, "summarising", len(transactions.records)),
    )
    purchase_class = getattr(clv, PURCHASE_MODELS[args.purchases])
    customers = len(summary)
    purchases = purchase_class.fit(
        summary,
        time_unit=args.time_unit,
        progress=command_progress(args, f"fitting {args.purchases}", customers),
    )
    spend = None
    if not args.no_spend:
        spend = clv.GammaGamma.fit(
            summary,
            time_unit=args.time_unit,
            progress=command_progress(args, "fitting gamma-gamma", customers),
        )
    document = {
        "crmkit": CLV_MODEL_KIND,
        "format": 1,
        "time_unit": args.time_unit,
        "observation_end": as_of.isoformat(),
        "purchases": purchases.to_dict(),
        "spend": None if spend is None else spend.to_dict(),
    }
    write_output(
        args.model,
        json.dumps(document, indent=2, allow_nan=False) + "\n",
        inputs=transactions.inputs,
    )
    repeaters = sum(1 for s in summary if s.frequency > 0)
    print(
        f"Fitted {type(purchases).__name__}"
        + ("" if spend is None else " and GammaGamma")
        + f" on {len(summary)} customers ({repeaters} bought again) from "
        f"{transactions.source}, in {args.time_unit} up to {as_of}"
    )
    rows = [[name, float(value)] for name, value in purchases.to_dict()["params"].items()]
    if spend is not None:
        rows += [[name, float(value)] for name, value in spend.to_dict()["params"].items()]
    Console(plain=True).table("Parameters", ["parameter", "value"], rows, significant=True)
    print(f"Model saved to {args.model}")
    return 0


_VALUE_COLUMNS = (
    "customer_id",
    "probability_alive",
    "expected_purchases",
    "expected_order_value",
    "lifetime_value",
)


def run_clv_predict(args: argparse.Namespace) -> int:
    """Value every customer with a saved model: probability alive, expected purchases, order
    value and lifetime value over ``args.months``.

    Examples:
        >>> from crmkit.cli.model_commands import run_clv_predict
        >>> callable(run_clv_predict)
        True
    """
    from crmkit.clv import summarise, value_customers

    fmt = output_format(args)
    purchases, spend, unit, end = read_clv_model(args.model)
    time_unit = cast("TimeUnit", unit)
    transactions = load_transactions(args)
    as_of = args.as_of or end or transactions.last_day()
    summary = summarise(transactions.records, amount="total", time_unit=time_unit, as_of=as_of)
    values = value_customers(
        summary,
        purchases,
        spend,
        months=args.months,
        monthly_discount_rate=args.discount,
    )
    rows = sorted(
        as_rows(values), key=lambda r: -(r["lifetime_value"] or r["expected_purchases"] or 0)
    )
    total = sum(r["lifetime_value"] or 0 for r in rows)
    write_rows(
        transactions.named(rows),
        transactions.columns(_VALUE_COLUMNS),
        fmt=fmt,
        output=args.output,
        inputs=(*transactions.inputs, args.model),
        title=f"{args.months}-month CLV as of {as_of} ({len(rows)} customers, "
        f"{transactions.source}), highest first",
        console=Console(plain=True),
        limit=args.limit,
    )
    print(f"Total {args.months}-month CLV: {total:,.2f} ({len(rows)} customers)")
    if args.output is not None:
        print(f"Wrote {len(rows)} customers to {args.output}")
    return 0


# ------------------------------------------------------------------------------ score leads
def _typed(cell: Any) -> Any:
    """A CSV cell as the value a rule compares: number, ISO date, true/false or text."""
    if not isinstance(cell, str):
        return cell
    text = cell.strip()
    if text == "":
        return None
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    for convert in (int, float):
        try:
            value = convert(text)
        except ValueError:
            continue
        return value if value == value and value not in (float("inf"), float("-inf")) else text
    if len(text) == 10:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    return text


def run_score_leads(args: argparse.Namespace) -> int:
    """Score leads from a file (``--input``) or the store with a JSON lead-scoring model.

    Examples:
        >>> import argparse, pathlib, tempfile
        >>> from crmkit.cli.model_commands import run_score_leads
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (folder / "m.json").write_text('{"criteria": [{"name": "big", "field": '
        ...     '"employees", "op": ">=", "value": 50, "points": 20}], "thresholds": '
        ...     '[{"min_score": 10, "action": "route"}]}')
        >>> _ = (folder / "leads.csv").write_text("id,employees\\nL1,80\\nL2,5\\n")
        >>> run_score_leads(argparse.Namespace(model=folder / "m.json",
        ...     input=folder / "leads.csv", store=None, id="id", as_of=None, output=None,
        ...     format=None, limit=20))  # doctest: +NORMALIZE_WHITESPACE
        Lead scores (2 leads), highest first
        lead  score  fit    engagement  action      criteria
        ----  -----  -----  ----------  ----------  --------
        L1    20.00  20.00        0.00  route       big
        L2     0.00   0.00        0.00  disqualify
        <BLANKLINE>
        0
    """
    from crmkit.cli.lead_model import read_lead_model

    fmt = output_format(args)
    model = read_lead_model(args.model)
    inputs: tuple[Path | None, ...] = (args.model,)
    if args.input is not None:
        path = Path(args.input)
        _, rows = read_table(path)
        leads: list[Any] = [{k: _typed(v) for k, v in row.items()} for row in rows]
        ids = [row.get(args.id, n) for n, row in enumerate(rows, start=1)]
        inputs = (*inputs, path)
    else:
        from crmkit.adapters.files.exporter import iter_repository

        with existing_store(args.store) as store, store.unit_of_work() as uow:
            leads = list(iter_repository(uow.leads))
        ids = [lead.id for lead in leads]
        inputs = (*inputs, store_file(args.store))
    # the command's documented default (the library reads no clock): today in UTC
    scores = model.score(leads, as_of=args.as_of or dt.datetime.now(dt.UTC).date())
    rows_out = [
        {
            "lead": lead_id,
            "score": s.score,
            "fit": s.fit,
            "engagement": s.engagement,
            "action": s.action,
            "criteria": ", ".join(h.criterion for h in s.hits),
        }
        for lead_id, s in zip(ids, scores, strict=True)
    ]
    rows_out.sort(key=lambda r: -r["score"])
    write_rows(
        rows_out,
        ("lead", "score", "fit", "engagement", "action", "criteria"),
        fmt=fmt,
        output=args.output,
        inputs=inputs,
        title=f"Lead scores ({len(rows_out)} leads), highest first",
        console=Console(plain=True),
        limit=args.limit,
    )
    if args.output is not None:
        print(f"Wrote {len(rows_out)} lead scores to {args.output}")
    return 0


# ------------------------------------------------------------------------------ parsers
def add_parsers(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``clv fit``, ``clv predict`` and ``score leads``."""
    clv_p = subparsers.add_parser(
        "clv", help="customer lifetime value: fit and save models, value customers"
    )
    clv_sub = clv_p.add_subparsers(dest="clv_command", required=True, metavar="{fit,predict}")
    fit = clv_sub.add_parser(
        "fit",
        help="fit BG/NBD (or Pareto/NBD) and Gamma-Gamma; save them as JSON",
        description="Fit a purchase model and the Gamma-Gamma spend model to transactions "
        "and save both in one JSON model file.",
    )
    add_transaction_arguments(fit)
    fit.add_argument("--model", "-m", type=Path, required=True, metavar="FILE",
                     help="the JSON model file to write")  # fmt: skip
    fit.add_argument("--purchases", choices=tuple(PURCHASE_MODELS), default="bg-nbd",
                     help="purchase model (default bg-nbd)")  # fmt: skip
    fit.add_argument("--time-unit", choices=_TIME_UNITS, default="weeks",
                     help="time unit of the models (default weeks)")  # fmt: skip
    fit.add_argument("--no-spend", action="store_true",
                     help="fit no Gamma-Gamma spend model (predictions then have no CLV)")  # fmt: skip
    add_progress_argument(fit)
    fit.set_defaults(handler=run_clv_fit)

    predict = clv_sub.add_parser(
        "predict",
        help="value every customer with a saved model",
        description="Probability alive, expected purchases, expected order value and "
        "lifetime value of every customer, with a model saved by crmkit clv fit. The as-of "
        "date defaults to the model's observation end.",
    )
    add_transaction_arguments(predict)
    predict.add_argument("--model", "-m", type=Path, required=True, metavar="FILE",
                         help="a model file written by crmkit clv fit")  # fmt: skip
    predict.add_argument("--months", type=int, default=12, help="horizon in months (12)")
    predict.add_argument("--discount", type=float, default=0.01,
                         help="monthly discount rate (0.01)")  # fmt: skip
    add_output_arguments(predict)
    predict.add_argument("--limit", type=count, default=20,
                         help="rows to print as a table (20; --output has all)")  # fmt: skip
    predict.set_defaults(handler=run_clv_predict)

    score = subparsers.add_parser("score", help="score leads with a lead-scoring model file")
    score_sub = score.add_subparsers(dest="score_command", required=True, metavar="{leads}")
    leads = score_sub.add_parser(
        "leads",
        help="score leads (file or store) with a JSON lead-scoring model",
        description="Score leads with a lead-scoring model file (criteria with points, "
        "thresholds to actions). Leads come from --input (CSV or Parquet; numbers, ISO dates "
        "and true/false cells are typed) or from the store.",
    )
    leads.add_argument("--model", "-m", type=Path, required=True, metavar="FILE",
                       help="the JSON lead-scoring model")  # fmt: skip
    leads.add_argument("--input", "-i", type=Path, default=None, metavar="FILE",
                       help="leads from this CSV or Parquet file (default: the store's leads)")  # fmt: skip
    leads.add_argument("--id", default="id", help="id column of --input (id)")
    add_store_argument(leads)
    leads.add_argument("--as-of", type=dt.date.fromisoformat, default=None,
                       metavar="YYYY-MM-DD", help="date for decay (default today, UTC)")  # fmt: skip
    add_output_arguments(leads)
    leads.add_argument("--limit", type=count, default=20,
                       help="rows to print as a table (20; --output has all)")  # fmt: skip
    leads.set_defaults(handler=run_score_leads)
