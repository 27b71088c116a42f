using V2V.Coordinator.Clearing.Nash;
using V2V.Market.Configuration;
using V2V.Market.Orders;

namespace V2V.Coordinator.Clearing;

/// <summary>
/// Nash bargaining clearing (SPEC 4): quantities maximising sum_k log(eps + u_k) over the participants with a
/// feasible partner, each trade at the pair's midpoint price, solved by a structure-exploiting interior point
/// method and returned with a Lagrange-dual certificate of optimality.
/// </summary>
/// <remarks>
/// Choices where the SPEC leaves room: a pair with b == a is feasible (both count in the objective, with the
/// constant log(eps)) but trades nothing, since there is no surplus to bargain over; the optimal utilities are
/// unique but the quantities are not (identical agents), so participants are sorted by id before solving and
/// the result is bit-identical whatever the order of the book; trades below the minimum are dropped and the
/// certificate is evaluated at the quantities actually returned. The solver stops as soon as that certificate
/// reaches the configured relative gap (or after the configured number of iterations).
/// </remarks>
public sealed class NashBargaining(ClearingConfig config) : IClearingMechanism
{
    private readonly ClearingConfig config = Validated(config);

    public string Name => "nash";

    public ClearingResult Clear(OrderBook book)
    {
        ArgumentNullException.ThrowIfNull(book);
        var problem = NashProblem.Build(book, config.MinTradeKwh, NashScratch.ForThisThread());
        var evaluator = new CertificateEvaluator(problem, config.MinTradeKwh);
        if (problem.EdgeCount == 0)
        {
            evaluator.Evaluate(null, null, 0);
        }
        else
        {
            InteriorPointSolver.For(problem, evaluator).Run(config.SolverRelativeGap, config.SolverMaxIterations);
        }

        var quantities = evaluator.Best;
        int nb = problem.Buyers.Length, ns = problem.Sellers.Length;
        var trades = new List<Trade>();

        // Buyer-major over id-sorted sides gives the (buyer id, seller id) ordinal order of the contract.
        for (var b = 0; b < nb; b++)
        {
            for (var s = 0; s < ns; s++)
            {
                var q = quantities[b * ns + s];
                if (q > 0)
                {
                    Order bid = problem.Buyers[b], ask = problem.Sellers[s];
                    trades.Add(new Trade(bid.AgentId, ask.AgentId, (bid.PriceAudPerKwh + ask.PriceAudPerKwh) * 0.5, q));
                }
            }
        }

        return new ClearingResult(trades, evaluator.BestCertificate);
    }

    private static ClearingConfig Validated(ClearingConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!(config.MinTradeKwh >= 0) || !double.IsFinite(config.MinTradeKwh))
        {
            throw new ArgumentException($"clearing.min-trade-kwh: must be a finite number >= 0, got {config.MinTradeKwh}", nameof(config));
        }

        if (!(config.SolverRelativeGap > 0))
        {
            throw new ArgumentException($"clearing.solver-relative-gap: must be > 0, got {config.SolverRelativeGap}", nameof(config));
        }

        if (config.SolverMaxIterations < 1)
        {
            throw new ArgumentException($"clearing.solver-max-iterations: must be >= 1, got {config.SolverMaxIterations}", nameof(config));
        }

        return config;
    }
}
