"""Lead-scoring model files: a :class:`~crmkit.scoring.LeadScoringModel` as JSON.

A model file names its criteria as a field, an operator and a value, so it can be written by
hand or by another tool::

    {
      "criteria": [
        {"name": "big company", "field": "employees", "op": ">=", "value": 50,
         "points": 20},
        {"name": "very interested", "field": "interest_level", "op": "==",
         "value": "very_interested", "points": 30},
        {"name": "visited lately", "field": "visits", "op": ">=", "value": 1,
         "points": 10, "group": "engagement",
         "decay": {"field": "last_visit", "half_life_days": 30}}
      ],
      "thresholds": [{"min_score": 40, "action": "prioritise"},
                     {"min_score": 10, "action": "nurture"}],
      "default_action": "disqualify",
      "fit_cap": null,
      "engagement_cap": null
    }

Operators: ``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=`` (a value), ``in`` (a list),
``between`` (``[low, high]``), ``is_null`` and ``is_not_null`` (no value). ``group`` is
``fit`` (default) or ``engagement``. Every problem names its place in the file.

Examples:
    >>> from crmkit.cli.lead_model import lead_model_from_dict
    >>> model = lead_model_from_dict({"criteria": [
    ...     {"name": "big", "field": "employees", "op": ">=", "value": 50, "points": 20}]})
    >>> model.score_one({"employees": 80}).score
    20.0
    >>> lead_model_from_dict({"criteria": [{"name": "x", "field": "a", "op": "~", "points": 1}]})
    Traceback (most recent call last):
    ...
    crmkit.errors.ValidationError: criteria[0].op: '~' is not an operator (==, !=, <, <=, >, >=, in, between, is_null, is_not_null)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from crmkit.cli._common import read_json
from crmkit.cli.guard import reading
from crmkit.errors import Problem, ValidationError

__all__ = ["OPERATORS", "lead_model_from_dict", "read_lead_model"]

_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "==": lambda c, v: c == v,
    "!=": lambda c, v: c != v,
    "<": lambda c, v: c < v,
    "<=": lambda c, v: c <= v,
    ">": lambda c, v: c > v,
    ">=": lambda c, v: c >= v,
}
#: The operators a criterion may use.
OPERATORS = (*_BINARY, "in", "between", "is_null", "is_not_null")
_CRITERION_KEYS = frozenset({"name", "field", "op", "value", "points", "group", "decay"})
_MODEL_KEYS = frozenset({"criteria", "thresholds", "default_action", "fit_cap", "engagement_cap"})


def _rule(item: Mapping[str, Any], where: str) -> Any:
    from crmkit.frames import col

    field, op, value = item.get("field"), item.get("op"), item.get("value")
    if not isinstance(field, str) or not field:
        raise ValidationError.single(f"{where}.field", field, "must be a field name")
    if op not in OPERATORS:
        raise ValidationError.single(
            f"{where}.op", op, f"is not an operator ({', '.join(OPERATORS)})"
        )
    column = col(field)
    if op in _BINARY:
        if value is None or isinstance(value, list | dict):
            raise ValidationError.single(f"{where}.value", value, f"must be one value for {op}")
        return _BINARY[op](column, value)
    if op == "in":
        if not isinstance(value, list) or not value:
            raise ValidationError.single(f"{where}.value", value, "must be a list for in")
        return column.is_in(value)
    if op == "between":
        if not isinstance(value, list) or len(value) != 2:
            raise ValidationError.single(f"{where}.value", value, "must be [low, high] for between")
        return column.between(value[0], value[1])
    return column.is_null() if op == "is_null" else column.is_not_null()


def lead_model_from_dict(data: Any) -> Any:
    """Build a :class:`~crmkit.scoring.LeadScoringModel` from its JSON document.

    Examples:
        >>> from crmkit.cli.lead_model import lead_model_from_dict
        >>> lead_model_from_dict({"a": 1})
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: a: is not a lead-model field (criteria, default_action, engagement_cap, fit_cap, thresholds)
        criteria: is missing; a lead model needs a list of criteria
    """
    from crmkit.scoring import Criterion, Decay, LeadScoringModel, Threshold

    if not isinstance(data, Mapping):
        raise ValidationError.single("", data, "must be a JSON object (a lead-scoring model)")
    problems = [
        Problem(str(k), message=f"is not a lead-model field ({', '.join(sorted(_MODEL_KEYS))})")
        for k in data
        if k not in _MODEL_KEYS
    ]
    raw = data.get("criteria")
    if not isinstance(raw, list):
        problems.append(
            Problem("criteria", raw, "must be a list of criteria")
            if "criteria" in data
            else Problem("criteria", message="is missing; a lead model needs a list of criteria")
        )
        raw = []
    criteria = []
    for i, item in enumerate(raw):
        where = f"criteria[{i}]"
        try:
            if not isinstance(item, Mapping):
                raise ValidationError.single(where, item, "must be an object")
            unknown = sorted(set(item) - _CRITERION_KEYS)
            if unknown:
                raise ValidationError.single(where, unknown, "are not criterion fields")
            decay = item.get("decay")
            if decay is not None:
                if not isinstance(decay, Mapping) or set(decay) != {"field", "half_life_days"}:
                    raise ValidationError.single(
                        f"{where}.decay", decay, 'must be {"field": ..., "half_life_days": ...}'
                    )
                decay = Decay(decay["field"], decay["half_life_days"])
            name: Any = item.get("name")
            points: Any = item.get("points")
            criteria.append(
                Criterion(
                    name,
                    _rule(item, where),
                    points,
                    item.get("group", "fit"),
                    decay,
                )
            )
        except (ValidationError, TypeError, ValueError) as exc:
            if isinstance(exc, ValidationError):
                problems.extend(
                    p if p.path.startswith(where) else p.prefixed(where) for p in exc.problems
                )
            else:
                problems.append(Problem(where, message=f"is not a valid criterion ({exc})"))
    thresholds = []
    for i, item in enumerate(data.get("thresholds") or []):
        where = f"thresholds[{i}]"
        try:
            if not isinstance(item, Mapping) or set(item) != {"min_score", "action"}:
                raise ValidationError.single(where, item, 'must be {"min_score": n, "action": a}')
            thresholds.append(Threshold(item["min_score"], item["action"]))
        except (ValidationError, TypeError, ValueError) as exc:
            problems.append(Problem(where, message=f"is not a valid threshold ({exc})"))
    if problems:
        raise ValidationError(problems)
    try:
        return LeadScoringModel(
            criteria,
            thresholds=thresholds,
            default_action=data.get("default_action", "disqualify"),
            fit_cap=data.get("fit_cap"),
            engagement_cap=data.get("engagement_cap"),
        )
    except (TypeError, ValueError) as exc:
        if isinstance(exc, ValidationError):
            raise
        raise ValidationError.single("", message=f"is not a valid lead model ({exc})") from None


def read_lead_model(path: str | Path) -> Any:
    """Read a lead-scoring model file (UTF-8 JSON); problems name the file.

    Examples:
        >>> import pathlib, tempfile
        >>> from crmkit.cli.lead_model import read_lead_model
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "m.json"
        >>> _ = path.write_text("[]")
        >>> read_lead_model(path)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: ...m.json: [] must be a JSON object (a lead-scoring model)
    """
    data = read_json(Path(path))
    with reading(path):
        return lead_model_from_dict(data)
