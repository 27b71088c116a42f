using V2V.Clearing.Nash;

namespace V2V.Clearing.Tests.Nash;

/// <summary>
/// The interior point method's product floor (InteriorPointSolver.ProductFloor) and its start, on hand-made entries.
/// </summary>
public sealed class StepKernelsTests
{
    [Fact]
    public void RaiseProducts_EdgesBelowTheFloor_AreRaisedToItExactlyAndNothingElseChanges()
    {
        // Eleven entries: two full vectors of four and a tail of three, with something to raise in each part.
        // Floor 1: entry 1 (0.5 x 0.5) -> 1 / 0.5 = 2; entry 6 (4 x 0.1) -> 0.25; entry 9 (2 x 0) -> 0.5.
        // Entry 3 is below the floor but is no edge (mask 0), entry 4 is exactly at the floor, the rest above it.
        double[] mask = [1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1];
        double[] q = [1, 0.5, 2, 0, 0.25, 3, 4, 1, 1, 2, 5];
        double[] z = [2, 0.5, 1, 0, 4, 1, 0.1, 1.5, 7, 0, 0.3];
        double[] expected = [2, 2, 1, 0, 4, 1, 0.25, 1.5, 7, 0.5, 0.3];

        var raised = StepKernels.RaiseProducts(mask, q, z, 1);

        Assert.Equal(3, raised);
        Assert.Equal(expected, z);
    }

    [Fact]
    public void StartKernels_RowWithANonEdgeInEachPart_GiveTheStartsFormulaOnEdgesAndZeroElsewhere()
    {
        // Six entries (a vector of four and a tail of two); gains 0 at entries 1 and 5 (no edge).
        double[] g = [0.5, 0, 1, 0.25, 2, 0];
        double[] shareInner = [1, 3, 0.2, 4, 0.5, 6];
        double[] yInner = [1, 2, 3, 4, 5, 6];
        double[] piInner = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
        var (q, z) = (new double[6], new double[6]);

        // q = 0.9 min(2, share_i); z = 1.5 + y_i - g (0.4 + pi_i).
        StepKernels.StartQuantities(g, 2, shareInner, 0.9, q);
        StepKernels.StartSlacks(g, 1.5, 0.4, yInner, piInner, z);

        Assert.Equal([0.9, 0, 0.18, 1.8, 0.45, 0], q.Select(x => Math.Round(x, 12)));
        Assert.Equal([2.25, 0, 3.8, 5.3, 4.7, 0], z.Select(x => Math.Round(x, 12)));
    }
}
