using V2V.Market.Orders;

namespace V2V.Coordinator.Clearing;

/// <summary>
/// A clearing mechanism (SPEC 4): a pure function from one step's order book to trades. Implementations
/// hold no state between calls, read no clock and do no I/O, so the same book always gives the same trades,
/// whatever order the orders arrive in.
/// </summary>
public interface IClearingMechanism
{
    /// <summary>The name used on the command line and in config: nash, double-auction, greedy-average.</summary>
    string Name { get; }

    ClearingResult Clear(OrderBook book);
}

/// <summary>
/// The trades, sorted by (buyer id, seller id) in ordinal order, and, for an optimising mechanism, the
/// certificate of how close to the optimum they are.
/// </summary>
public sealed record ClearingResult(IReadOnlyList<Trade> Trades, ClearingCertificate? Certificate);

/// <summary>
/// Proof of optimality for Nash bargaining: a primal objective (the SPEC 4 objective at the returned
/// quantities) and a dual objective (the Lagrange dual at a dual-feasible point), so that
/// 0 &lt;= optimum - primal &lt;= DualityGap.
/// </summary>
public sealed record ClearingCertificate(
    double PrimalObjective,
    double DualObjective,
    double DualityGap,
    double RelativeGap,
    int Iterations);
