namespace V2V.Clearing.Tests.Nash;

/// <summary>
/// An upper bound on the SPEC 4 optimum computed by the tests themselves, from any feasible quantities.
/// </summary>
/// <remarks>
/// Write the program as max sum_k log(eps + u_k) s.t. u_k &lt;= (G q)_k, q in the transportation polytope P.
/// Its Lagrangian with multipliers lambda_k &gt; 0 on u_k &lt;= (G q)_k, maximised over u (at u_k = 1/lambda_k - eps)
/// and over q in P, gives the dual function
///   D(lambda) = sum_k (-log lambda_k - 1 + eps lambda_k) + max_{x in P} sum_ij g_ij (lambda_i + lambda_j) x_ij,
/// and weak duality says D(lambda) &gt;= optimum for every lambda &gt; 0. The inner max is a transportation LP,
/// which <see cref="TransportationLp"/> solves exactly. At lambda_k = 1 / (eps + u_k) the first sum equals
/// sum_k log(eps + u_k) - sum_k lambda_k u_k, so
///   D = P(u) + LP(lambda) - sum_k lambda_k u_k,
/// the Frank-Wolfe gap added to the primal value; at the optimum (KKT) the gap is 0.
/// </remarks>
internal static class NashDualBound
{
    /// <summary>D(lambda) at lambda_k = 1 / (eps + u_k), for utilities u of a feasible point.</summary>
    public static double At(NashInstance instance, double[] utility)
    {
        var lambda = new double[instance.Participants];
        var weighted = 0.0;
        for (var k = 0; k < instance.Participants; k++)
        {
            if (instance.InObjective[k])
            {
                lambda[k] = 1 / (instance.Epsilon + utility[k]);
                weighted += lambda[k] * utility[k];
            }
        }

        var profit = new double[instance.Edges.Length];
        for (var e = 0; e < profit.Length; e++)
        {
            var p = instance.Edges[e];
            profit[e] = instance.Gain[p] * (lambda[instance.BuyerOf(p)] + lambda[instance.SellerOf(p)]);
        }

        var lp = TransportationLp.Max(
            instance.Buyers,
            instance.Sellers,
            instance.Edges,
            profit,
            instance.Capacity[..instance.Buyers],
            instance.Capacity[instance.Buyers..]);
        // Not clamped: lp < weighted would mean an infeasible point or a wrong LP, and a test should see it.
        return instance.Objective(utility) + (lp - weighted);
    }
}
