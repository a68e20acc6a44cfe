"""The frames bridge: the one place in crmkit that touches narwhals.

Every analytic accepts an iterable of crmkit records or a dataframe. Dataframes go through
narwhals (extra ``frames``) and come back as the same kind of frame; lazy frames stay lazy.

Besides crossing between native frames and narwhals (:func:`from_native`, :func:`to_native`),
the bridge holds the machinery analytics share so that one definition drives both engines:

* :mod:`crmkit.frames.expression` — rule/expression trees (:func:`col`, :func:`lit`,
  :func:`when`, :func:`as_of`) evaluated on records and compiled to narwhals;
* :mod:`crmkit.frames.record_function` — expressions compiled once into Python functions of
  a record (the fast records engine);
* :mod:`crmkit.frames.numpy_lowering` — expressions evaluated as NumPy arrays on a pandas
  frame's columns (lead scoring on pandas and on each Dask partition), ``None`` where not
  covered so the narwhals path takes over;
* :class:`Aggregation` — a group-by (keys, sums/means/counts/max/…, shares of the total)
  evaluated on records with their number rules and compiled to narwhals ``group_by().agg()``;
* :mod:`crmkit.frames.quantile` — quantile scores 1–n with one exact tie rule;
* :mod:`crmkit.frames.partitions` — per-customer steps that keep a Dask frame's partitions
  (:func:`per_key`);
* :mod:`crmkit.frames.day_number` — calendar days as integers, identical on every engine;
* :mod:`crmkit.frames.records` — reading fields of attrs objects and dicts (dotted paths,
  custom properties);
* :mod:`crmkit.frames.lookup` — a value looked up by an integer cell code;
* :mod:`crmkit.frames.to_frame` — any list of result rows as a pandas, Polars or PyArrow
  frame (:func:`to_frame`);
* :mod:`crmkit.frames.typing` — the types of the analytics' overloads (:data:`FrameT`,
  :data:`Records`): a frame in gives the same frame type out, records in give a list of rows.

Importing this package does not import narwhals or any dataframe library.

Examples:
    >>> import polars as pl
    >>> from crmkit.frames import col, evaluate, is_frame, with_columns
    >>> is_frame([])
    False
    >>> rule = col("employees") >= 250
    >>> evaluate(rule, [{"employees": 300}, {"employees": 20}])
    [True, False]
    >>> with_columns(pl.DataFrame({"employees": [300, 20]}), {"large": rule})["large"].to_list()
    [True, False]
"""

from crmkit.frames._aggregate import Agg, AggKind, Aggregation, Share
from crmkit.frames.columns import (
    column_names,
    column_types,
    dates_from_objects,
    in_utc,
    require_columns,
)
from crmkit.frames.day_number import (
    date_of_day_number,
    day_number,
    day_number_expr,
    day_numbers,
    seconds_between_expr,
    utc_date,
    with_year_month,
)
from crmkit.frames.expression import (
    AsOfDay,
    Context,
    Expr,
    as_of,
    col,
    day_column,
    evaluate,
    filter_rows,
    lit,
    when,
    with_columns,
)
from crmkit.frames.lookup import with_lookup
from crmkit.frames.native import (
    collect,
    collect_like,
    from_native,
    is_frame,
    is_lazy,
    lazy_plan,
    narwhals,
    to_native,
)
from crmkit.frames.partitions import per_key
from crmkit.frames.quantile import (
    QuantileScore,
    exact_median,
    quantile_score_expr,
    quantile_scores,
    scores_by_value_counts,
    with_quantile_scores,
    with_row_count,
    with_running_sum,
)
from crmkit.frames.record_function import bind_all
from crmkit.frames.records import field_reader, normalise_value, paused_gc, read_field
from crmkit.frames.to_frame import to_frame
from crmkit.frames.typing import FrameT, NativeFrame, Records, RecordT, SupportsToNative

__all__ = [
    "Agg",
    "AggKind",
    "Aggregation",
    "AsOfDay",
    "Context",
    "Expr",
    "FrameT",
    "NativeFrame",
    "QuantileScore",
    "RecordT",
    "Records",
    "Share",
    "SupportsToNative",
    "as_of",
    "bind_all",
    "col",
    "collect",
    "collect_like",
    "column_names",
    "column_types",
    "date_of_day_number",
    "dates_from_objects",
    "day_column",
    "day_number",
    "day_number_expr",
    "day_numbers",
    "evaluate",
    "exact_median",
    "field_reader",
    "filter_rows",
    "from_native",
    "in_utc",
    "is_frame",
    "is_lazy",
    "lazy_plan",
    "lit",
    "narwhals",
    "normalise_value",
    "paused_gc",
    "per_key",
    "quantile_score_expr",
    "quantile_scores",
    "read_field",
    "require_columns",
    "scores_by_value_counts",
    "seconds_between_expr",
    "to_frame",
    "to_native",
    "utc_date",
    "when",
    "with_columns",
    "with_lookup",
    "with_quantile_scores",
    "with_row_count",
    "with_running_sum",
    "with_year_month",
]
