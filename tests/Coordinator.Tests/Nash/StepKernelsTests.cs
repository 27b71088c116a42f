using V2V.Coordinator.Clearing.Nash;

namespace V2V.Coordinator.Tests.Nash;

/// <summary>The interior point method's product floor (InteriorPointSolver.ProductFloor), on hand-made entries.</summary>
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
}
