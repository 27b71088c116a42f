namespace V2V.Clearing.Nash;

/// <summary>
/// An exact bound for SPEC 4's minimum trade m, for small books whose continuous optimum trades below it: branch and
/// bound on the pairs as semicontinuous variables, q_e = 0 or q_e &gt;= m (Land and Doig, An automatic method of solving
/// discrete programming problems, Econometrica 28, 1960; Beale, Integer programming, in The State of the Art in
/// Numerical Analysis, 1977, for semicontinuous variables; Wolsey, Integer Programming, 1998, ch. 7).
/// </summary>
/// <remarks>
/// The program the rules define is max sum_k log(eps + u_k) over the transportation polytope with every pair
/// semicontinuous. Its continuous relaxation (the certificate's program) is a valid but loose bound when the relaxed
/// optimum holds a pair e in (0, m): dropping e loses up to ~1e-8 of the objective. A node fixes some pairs to 0
/// (removed) and some to q_e = m + q'_e, q'_e &gt;= 0; the latter takes m off both ends' capacities and adds the constant
/// g_e m to both ends' utilities, i.e. to their epsilon (<see cref="NashProblem.Branch"/>), so the node's relaxation is
/// again a Nash program, with per-participant epsilon, solved by <see cref="LogBarrierSolver"/>. Its Lagrange dual at
/// mu_k = 1 / (eps_k + u'_k) and lambda dual feasible on the node's edges (the best of the barrier's multipliers,
/// <see cref="LpDual"/>'s potentials and <see cref="TransportationFlow"/>'s optimal dual, each raised where a constraint
/// is short) bounds the node's optimum: D = P_node(u') + sum_k lambda_k Q'_k - sum_k mu_k u'_k,
/// whatever u' (see <see cref="CertificateEvaluator"/>). Every rule-respecting point lies in some leaf of the tree, so the
/// largest leaf bound bounds the rules' optimum; leaves are never discarded, only left unexpanded, so the bound needs no
/// trust in the incumbent. Each node's point with its free pairs below m dropped is rule-respecting; the best is returned.
/// The leaf of largest bound is expanded first (on a free pair in (0, m)) until it is within the tolerance of the best
/// point, no such pair is left, or <see cref="MaxNodes"/> nodes have been solved.
/// </remarks>
internal static class MinimumTradeBranching
{
    /// <summary>Nodes solved at most (each one log-barrier solve of a book of at most LogBarrierSolver.MaxEdges edges).</summary>
    public const int MaxNodes = 64;

    /// <summary>The best rule-respecting point found (scaled quantities on the dense edges) and the bound of the rules' optimum.</summary>
    public sealed record Outcome(double[] ScaledQuantity, double UpperBound, int Nodes);

    // Relative margin of the returned point's fixed trades above the minimum (see Evaluate): above the evaluator's shrinking
    // of a capacity exceeded by rounding (at most 8 passes of 2^pass x 1e-16).
    private const double Headroom = 1e-12;

    private sealed record Node(sbyte[] State, double[] Quantity, double Primal, double Bound, int Branch);

    /// <summary>
    /// Branches until the bound is within <paramref name="targetRelativeGap"/> x <paramref name="objectiveScale"/> of the
    /// best point, or as far as it gets; null if a node could not be solved (then there is no valid bound) or the book is
    /// too large for the log-barrier solver.
    /// </summary>
    public static Outcome? Solve(NashProblem p, double minTradeKwh, double targetRelativeGap, double objectiveScale, long deadlineTimestamp)
    {
        if (!(minTradeKwh > 0) || p.EdgeCount == 0 || p.EdgeCount > LogBarrierSolver.MaxEdges)
        {
            return null;
        }

        // The scaled minimum, rounded up until it maps back to at least m kWh (the evaluator drops anything below).
        var minimum = minTradeKwh / p.QuantityScale;
        while (minimum * p.QuantityScale < minTradeKwh)
        {
            minimum = Math.BitIncrement(minimum);
        }

        // Half the target for the tree, the rest for the evaluator's own certificate of the returned point.
        var tolerance = 0.5 * targetRelativeGap * objectiveScale;
        var root = Evaluate(p, new sbyte[p.Gain.Length], minimum, targetRelativeGap, objectiveScale, deadlineTimestamp);
        if (root is null)
        {
            return null;
        }

        var leaves = new List<Node> { root };
        var best = root;
        var nodes = 1;
        while (true)
        {
            var top = leaves[0];
            foreach (var leaf in leaves)
            {
                top = leaf.Bound > top.Bound ? leaf : top;
            }

            if (top.Bound - best.Primal <= tolerance || top.Branch < 0 || nodes + 2 > MaxNodes)
            {
                break;
            }

            leaves.Remove(top);
            foreach (var side in (ReadOnlySpan<sbyte>)[-1, 1])
            {
                var state = (sbyte[])top.State.Clone();
                state[top.Branch] = side;
                nodes++;
                if (p.Branch(state, minimum) is null)
                {
                    // The minima exceed a capacity: the branch holds no point and needs no bound.
                    continue;
                }

                var child = Evaluate(p, state, minimum, targetRelativeGap, objectiveScale, deadlineTimestamp);
                if (child is null)
                {
                    return null;
                }

                leaves.Add(child);
                best = child.Primal > best.Primal ? child : best;
            }
        }

        var bound = double.NegativeInfinity;
        foreach (var leaf in leaves)
        {
            bound = Math.Max(bound, leaf.Bound);
        }

        return new Outcome(best.Quantity, bound, nodes);
    }

    // Solves a node's relaxation; null if the solver gave up. The returned quantities are the whole dense point.
    private static Node? Evaluate(NashProblem p, sbyte[] state, double minimum, double targetRelativeGap, double objectiveScale, long deadline)
    {
        var node = p.Branch(state, minimum)!;
        int nO = node.OuterCount, nI = node.InnerCount, n = nO + nI;
        double[] q;
        double[] barrier;
        if (node.EdgeCount == 0)
        {
            q = new double[nO * nI];
            barrier = new double[n];
        }
        else if (LogBarrierSolver.Solve(node, targetRelativeGap, objectiveScale, deadline, out var multipliers) is { } solved)
        {
            q = solved;
            barrier = multipliers;
        }
        else
        {
            return null;
        }

        Fill(node, q, nO, nI);
        var u = new double[n];
        Utilities(node.Gain, q, nO, nI, u);
        var mu = new double[n];
        for (var k = 0; k < n; k++)
        {
            mu[k] = 1 / (node.ScaledEpsilonOf(k) + u[k]);
        }

        // Three sets of capacity multipliers, the smallest gap stands: the barrier's own (dual feasible at its central point,
        // before the pairs it took for idle were zeroed) and the LP dual's potentials at the filled point (tight where the
        // point solves the linearised LP, loose where a zeroed pair's tiny trade was what tied its ends together).
        var lambda = new double[n];
        LpDual.Potentials(q, node.Gain, mu, nO, nI, k => node.Capacity[k], lambda);
        var gap = CapacityGap(node, q, mu, u, lambda);
        barrier.CopyTo(lambda, 0);
        gap = Math.Min(gap, CapacityGap(node, q, mu, u, lambda));

        // And the transportation LP's optimal dual at these mu (TransportationFlow), the tightest of all up to rounding.
        var profit = new double[q.Length];
        for (var e = 0; e < q.Length; e++)
        {
            profit[e] = node.Gain[e] * (mu[e / nI] + mu[nO + (e % nI)]);
        }

        TransportationFlow.Solve(profit, nO, nI, k => node.Capacity[k], new double[q.Length], lambda);
        gap = Math.Min(gap, CapacityGap(node, q, mu, u, lambda));
        var bound = node.Objective(mu) + gap;

        // The node's point in the book's terms: fixed pairs at minimum + q', free pairs below the minimum dropped. The fixed
        // pairs get a hair above the minimum (Headroom) and the rest is scaled down to make room, so that the evaluator's
        // shrinking of a capacity exceeded by rounding cannot take them below the minimum, which would drop them.
        var branch = -1;
        var full = new double[q.Length];
        var fixedLoad = new double[n];
        var freeLoad = new double[n];
        for (var e = 0; e < q.Length; e++)
        {
            int o = e / nI, i = nO + (e % nI);
            if (state[e] > 0)
            {
                fixedLoad[o] += minimum * (1 + Headroom);
                fixedLoad[i] += minimum * (1 + Headroom);
            }

            if (state[e] > 0 || (state[e] == 0 && q[e] >= minimum))
            {
                freeLoad[o] += q[e];
                freeLoad[i] += q[e];
            }
            else if (state[e] == 0 && q[e] > 0)
            {
                branch = branch < 0 || q[e] > q[branch] ? e : branch;
            }
        }

        var room = new double[n];
        for (var k = 0; k < n; k++)
        {
            var free = p.Capacity[k] - fixedLoad[k];
            room[k] = freeLoad[k] > free ? Math.Max(0, free / freeLoad[k]) * (1 - Headroom) : 1;
        }

        for (var e = 0; e < q.Length; e++)
        {
            var share = q[e] * Math.Min(room[e / nI], room[nO + (e % nI)]);
            full[e] = state[e] > 0 ? (minimum * (1 + Headroom)) + share : state[e] == 0 && q[e] >= minimum ? share : 0;
        }

        Utilities(p.Gain, full, nO, nI, u);
        for (var k = 0; k < n; k++)
        {
            mu[k] = 1 / (p.ScaledEpsilon + u[k]);
        }

        return new Node(state, full, p.Objective(mu), bound, branch);
    }

    // sum_k lambda_k Q'_k - sum_k mu_k u'_k (>= 0) after raising lambda (half the deficit at each end) until every node
    // edge's constraint g (mu_o + mu_i) <= lambda_o + lambda_i holds, then lowering each to the least its edges allow.
    private static double CapacityGap(NashProblem node, double[] q, double[] mu, double[] u, double[] lambda)
    {
        int nO = node.OuterCount, nI = node.InnerCount, n = nO + nI;
        for (var k = 0; k < n; k++)
        {
            lambda[k] = double.IsFinite(lambda[k]) ? Math.Max(0, lambda[k]) : 0;
        }

        for (var e = 0; e < q.Length; e++)
        {
            int o = e / nI, i = nO + (e % nI);
            var deficit = node.Gain[e] * (mu[o] + mu[i]) - lambda[o] - lambda[i];
            if (deficit > 0)
            {
                lambda[o] += deficit / 2;
                lambda[i] += deficit - (deficit / 2);
            }
        }

        for (var k = 0; k < n; k++)
        {
            var need = 0.0;
            for (var other = 0; other < (k < nO ? nI : nO); other++)
            {
                var (o, i) = k < nO ? (k, other) : (other, k - nO);
                var g = node.Gain[(o * nI) + i];
                need = g > 0 ? Math.Max(need, (g * (mu[o] + mu[nO + i])) - lambda[k < nO ? nO + i : o]) : need;
            }

            lambda[k] = Math.Min(lambda[k], need);
        }

        var gap = 0.0;
        for (var k = 0; k < n; k++)
        {
            gap += (lambda[k] * node.Capacity[k]) - (mu[k] * u[k]);
        }

        return Math.Max(0, gap);
    }

    private static void Utilities(double[] gain, double[] q, int nO, int nI, double[] u)
    {
        Array.Clear(u);
        for (var e = 0; e < q.Length; e++)
        {
            u[e / nI] += gain[e] * q[e];
            u[nO + (e % nI)] += gain[e] * q[e];
        }
    }

    // The barrier's point is strictly inside the capacities; give each trade what both its ends still have free, so the
    // capacities that bind at the optimum bind here and the LP dual's complementary slackness sees them.
    private static void Fill(NashProblem node, double[] q, int nO, int nI)
    {
        var load = new double[nO + nI];
        for (var e = 0; e < q.Length; e++)
        {
            load[e / nI] += q[e];
            load[nO + (e % nI)] += q[e];
        }

        for (var e = 0; e < q.Length; e++)
        {
            int o = e / nI, i = nO + (e % nI);
            var add = Math.Min(node.Capacity[o] - load[o], node.Capacity[i] - load[i]);
            if (q[e] > 0 && add > 0)
            {
                q[e] += add;
                load[o] += add;
                load[i] += add;
            }
        }
    }
}
