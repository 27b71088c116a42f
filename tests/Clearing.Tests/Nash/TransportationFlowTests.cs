using V2V.Clearing.Nash;

namespace V2V.Clearing.Tests.Nash;

/// <summary>The certificate's exact transportation LP (<c>TransportationFlow</c>) on LPs solved by hand.</summary>
public sealed class TransportationFlowTests
{
    [Theory]
    // Unit capacities, profits b0-s0 5, b0-s1 4, b1-s0 4, b1-s1 1: the crossing assignment (4 + 4) beats 5 + 1.
    [InlineData(new[] { 5.0, 4, 4, 1 }, new[] { 1.0, 1, 1, 1 }, new[] { 0.0, 1, 1, 0 }, 8.0)]
    // b0-s1 not a pair; capacities b0 2, b1 5, s0 4, s1 1: b1-s1 takes s1 (7), b0-s0 fills b0 (3 x 2), b1-s0 the rest of
    // s0 (2 x 2): 17.
    [InlineData(new[] { 3.0, 0, 2, 7 }, new[] { 2.0, 5, 4, 1 }, new[] { 2.0, 0, 2, 1 }, 17.0)]
    public void TransportationFlow_TwoByTwo_OptimalFlowAndADualOfEqualValue(double[] profit, double[] capacity, double[] expected, double value)
    {
        var flow = new double[4];
        var lambda = new double[4];

        TransportationFlow.Solve(profit, 2, 2, k => capacity[k], flow, lambda);

        Assert.Equal(expected, flow);
        // Dual feasible on every pair, non-negative, and of the LP's value (strong duality).
        for (var e = 0; e < 4; e++)
        {
            Assert.True(lambda[e / 2] + lambda[2 + (e % 2)] >= profit[e] - 1e-12, $"pair {e}");
        }

        Assert.All(lambda, l => Assert.True(l >= 0));
        Assert.Equal(value, lambda.Select((l, k) => l * capacity[k]).Sum(), 12);
    }
}
