using V2V.Agents.Facility;

namespace V2V.Agents.Tests.Facility;

public sealed class ArrivalProcessTests
{
    private static ArrivalProcess Create(int seed, int agents = 100) =>
        new(SpecValues.Population with { Agents = agents }, SpecValues.Vehicle, SpecValues.Policy, seed);

    [Fact]
    public void ArrivalsAt_StepZero_AdmitsExactlyN()
    {
        Assert.Equal(37, Create(1, agents: 37).ArrivalsAt(0).Count);
    }

    [Fact]
    public void ArrivalsAt_ManySteps_MeanIsNOverMeanStay()
    {
        // lambda = 100 / 8 = 12.5 per step; over 4000 steps the sample mean's std is sqrt(12.5/4000) = 0.056.
        var process = Create(7);
        process.ArrivalsAt(0);
        double total = 0;
        const int steps = 4000;
        for (var t = 1; t <= steps; t++)
        {
            total += process.ArrivalsAt(t).Count;
        }

        Assert.InRange(total / steps, 12.5 - 0.3, 12.5 + 0.3);
    }

    [Fact]
    public void Poisson_LargeRate_DoesNotUnderflowAndHasTheRightMean()
    {
        // exp(-1250) underflows to 0; chunking keeps the sampler exact. std of the mean over 400 draws ~ 1.8.
        var rng = new Random(3);
        double total = 0;
        for (var i = 0; i < 400; i++)
        {
            total += ArrivalProcess.Poisson(rng, 1250);
        }

        Assert.InRange(total / 400, 1250 - 10, 1250 + 10);
    }

    [Fact]
    public void ArrivalsAt_DrawsStayWithinSpecRanges()
    {
        var process = Create(11);
        for (var t = 0; t < 50; t++)
        {
            foreach (var v in process.ArrivalsAt(t))
            {
                Assert.Equal(t, v.ArrivalStep);
                Assert.InRange(v.DepartureStep - v.ArrivalStep, 4, 12);
                Assert.InRange(v.ArrivalSoc, 0.2, 0.9);
                Assert.InRange(v.TargetSoc, 0.5, 0.8);
                Assert.InRange(v.Markup, 0, 0.2);
            }
        }
    }

    [Fact]
    public void ArrivalsAt_SameSeed_SameVehicles_DifferentSeed_Different()
    {
        var a = Create(5).ArrivalsAt(0);
        var b = Create(5).ArrivalsAt(0);
        var c = Create(6).ArrivalsAt(0);
        Assert.Equal(a, b);
        Assert.NotEqual(a[0].ArrivalSoc, c[0].ArrivalSoc);
    }

    [Fact]
    public void ArrivalsAt_VehicleFactsDependOnlyOnItsId_NotOnPopulationSize()
    {
        // ev-000003 has the same draws whether 10 or 100 EVs arrive with it.
        var small = Create(9, agents: 10).ArrivalsAt(0)[3];
        var large = Create(9, agents: 100).ArrivalsAt(0)[3];
        Assert.Equal(small, large);
    }

    [Fact]
    public void ArrivalsAt_Ids_AreUniqueAcrossSteps()
    {
        var process = Create(2);
        var ids = new HashSet<string>();
        for (var t = 0; t < 20; t++)
        {
            foreach (var v in process.ArrivalsAt(t))
            {
                Assert.True(ids.Add(v.Id));
            }
        }
    }
}
