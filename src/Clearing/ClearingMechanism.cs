using V2V.Market.Orders;

namespace V2V.Clearing;

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
/// 0 &lt;= optimum - primal &lt;= DualityGap. <see cref="Certified"/> says whether the relative gap reached the
/// configured one (clearing.solver-relative-gap); when it did not (an iteration or time budget ran out, or the
/// minimum trade rule keeps the returned quantities further from the program's optimum), the bound still holds.
/// </summary>
public sealed record ClearingCertificate(
    double PrimalObjective,
    double DualObjective,
    double DualityGap,
    double RelativeGap,
    int Iterations,
    bool Certified = false,
    ClearingMethod Method = ClearingMethod.InteriorPoint);

/// <summary>How a certified clearing was computed.</summary>
public enum ClearingMethod
{
    /// <summary>The interior point solver (<see cref="NashBargaining"/>); Iterations counts its iterations.</summary>
    InteriorPoint,

    /// <summary>
    /// The interior point solver's quantities, certified with capacity multipliers computed exactly from them
    /// (the transportation LP's optimal dual, <c>LpDual</c>; for a small book, <c>TransportationFlow</c> with the whole
    /// certificate in double-double) because the solver's own multipliers did not certify.
    /// </summary>
    InteriorPointLpDual,

    /// <summary>
    /// The fallback for a small book (at most 200 tradable pairs) the interior point method did not certify: the primal
    /// log-barrier method with dense Newton steps, certified like the others (capacity multipliers from the LP dual).
    /// </summary>
    LogBarrier,

    /// <summary>
    /// The fallback for a small book (at most 200 tradable pairs) that the interior point method, the log-barrier method and
    /// the exact LP dual left uncertified: Newton's method on the optimality conditions of the active set (which pairs
    /// trade, which capacities bind) with residuals in double-double, the active set corrected until the whole program's
    /// conditions hold; certified in double-double with the transportation LP's optimal dual.
    /// </summary>
    ActiveSetNewton,

    /// <summary>
    /// The minimum trade made the continuous program's bound loose (its optimum trades below the minimum): branch and
    /// bound on those pairs (each traded at 0 or at least the minimum), every node solved by the log-barrier method, for
    /// a small book; the certificate's dual objective is the largest leaf bound, a bound of the rules' optimum.
    /// </summary>
    MinimumTradeBranch,

    /// <summary>
    /// A large book (<c>NashBargaining.LargeBookPairs</c>): the interior point method on a working set of pairs, grown by
    /// pricing the whole book; the certificate covers every pair of the book. Iterations counts interior point
    /// iterations over all rounds.
    /// </summary>
    ColumnGeneration,

    /// <summary>
    /// No pair can trade (every feasible pair has b == a, or an order below the minimum trade): the empty trade list is
    /// the optimum exactly, the objective a constant, and the gap 0; no iteration runs.
    /// </summary>
    ClosedForm,
}

/// <summary>The names used for <see cref="ClearingMethod"/> in `v2v clear` output and the ledger.</summary>
public static class ClearingMethodNames
{
    public static string Of(ClearingMethod method) => method switch
    {
        ClearingMethod.InteriorPoint => "interior-point",
        ClearingMethod.InteriorPointLpDual => "interior-point+lp-dual",
        ClearingMethod.LogBarrier => "log-barrier",
        ClearingMethod.MinimumTradeBranch => "interior-point+min-trade-branch",
        ClearingMethod.ClosedForm => "closed-form",
        ClearingMethod.ColumnGeneration => "column-generation",
        ClearingMethod.ActiveSetNewton => "active-set-newton",
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "unknown clearing method"),
    };
}

/// <summary>
/// A book too large for the Nash solver on this machine (<see cref="NashBargaining.EstimatedBytes"/>); the message
/// says how many pairs the book has, the memory they need and the memory available.
/// </summary>
public sealed class ClearingTooLargeException(string message) : Exception(message);
