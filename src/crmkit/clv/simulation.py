"""Simulating customers from a BG/NBD model (for tests, benchmarks and synthetic data).

Each customer draws λ ~ Gamma(r, α) and p ~ Beta(a, b); repeat purchases follow a Poisson
process with rate λ, and after each repeat purchase the customer drops out with probability
p. Vectorised: the number of repeat purchases before dropping out is geometric, the count in
``[0, T]`` is Poisson, and the time of the last observed purchase is a Beta order statistic.

Examples:
    >>> from crmkit.clv import BetaGeo, simulate_beta_geo
    >>> sim = simulate_beta_geo(BetaGeo(r=0.25, alpha=4.0, a=0.8, b=2.5), [39.0] * 5, seed=1)
    >>> sorted(sim)
    ['T', 'frequency', 'recency']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crmkit.extras import require

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from crmkit.clv.beta_geo import BetaGeo

__all__ = ["simulate_beta_geo"]


def simulate_beta_geo(model: BetaGeo, T: ArrayLike, *, seed: int | None = None) -> dict[str, Any]:  # noqa: N803
    """Simulate one history per entry of ``T`` (each customer's age at the end).

    Returns:
        ``{"frequency": ..., "recency": ..., "T": ...}`` numpy arrays.

    Examples:
        >>> from crmkit.clv import BetaGeo, simulate_beta_geo
        >>> sim = simulate_beta_geo(BetaGeo(r=1.0, alpha=1.0, a=1.0, b=9.0), [10.0, 10.0],
        ...                         seed=7)
        >>> bool((sim["recency"] <= sim["T"]).all())
        True
    """
    np = require("numpy", "stats")
    rng = np.random.default_rng(seed)
    age = np.asarray(T, dtype=float)
    n = age.shape[0]
    rate = rng.gamma(model.r, 1.0 / model.alpha, size=n)
    drop = rng.beta(model.a, model.b, size=n)
    in_window = rng.poisson(rate * age)
    before_drop = rng.geometric(np.clip(drop, 1e-300, 1.0))
    x = np.minimum(in_window, before_drop)
    safe_x = np.maximum(x, 1)
    last = rng.beta(safe_x, np.maximum(in_window - safe_x, 0) + 1)
    recency = np.where(x > 0, age * last, 0.0)
    return {"frequency": x.astype(float), "recency": recency, "T": age}
