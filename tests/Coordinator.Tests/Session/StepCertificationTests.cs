using V2V.Clearing;
using V2V.Coordinator.Ledger;
using V2V.Coordinator.Session;
using V2V.Market.Configuration;
using V2V.Market.Orders;
using V2V.Market.Protocol;

namespace V2V.Coordinator.Tests.Session;

/// <summary>StepClosed records whether the step's clearing certificate reached the configured gap (issue 17).</summary>
public sealed class StepCertificationTests
{
    [Fact]
    public void CloseStep_NashCertified_FlagTrue()
    {
        var closed = OneStep(SessionFixture.Config.Clearing with { Mechanism = "nash" }, new NashBargaining(SessionFixture.Config.Clearing));

        Assert.True(closed.Certified);
        Assert.InRange(closed.RelativeGap!.Value, 0, 1e-9);
    }

    [Fact]
    public void CloseStep_NashStoppedByATimeBudgetAlreadySpent_FlagFalseAndGapAboveTheTarget()
    {
        // A budget that has run out before the first iteration ends: the solver stops after one iteration, and the
        // log-barrier fallback does not start. Nothing here depends on how fast the machine is.
        var clearing = SessionFixture.Config.Clearing with { Mechanism = "nash", SolverTimeBudgetSeconds = 1e-12 };

        var closed = OneStep(clearing, new NashBargaining(clearing));

        Assert.False(closed.Certified);
        Assert.True(closed.RelativeGap > clearing.SolverRelativeGap, $"gap {closed.RelativeGap}");
    }

    [Fact]
    public void CloseStep_MechanismWithoutCertificate_FlagNull()
    {
        var closed = OneStep(SessionFixture.Config.Clearing, new GreedyAverage(SessionFixture.Config.Clearing));

        Assert.Null(closed.Certified);
        Assert.Null(closed.RelativeGap);
    }

    // Two buyers and two sellers trade in step 0; returns its StepClosed.
    private static StepClosed OneStep(ClearingConfig clearing, IClearingMechanism mechanism)
    {
        var ledger = new MemoryLedger();
        var session = new MarketSession(SessionFixture.Config with { Clearing = clearing }, mechanism, ledger);
        session.Arrive(0, "b1", 0.40, 0.60, 8);
        session.Arrive(0, "b2", 0.30, 0.60, 8);
        session.Arrive(0, "s1", 0.90, 0.50, 8);
        session.Arrive(0, "s2", 0.85, 0.50, 8);
        session.Open(0, deadlineMs: 100);
        Assert.Null(session.Receive(new SubmitOrder(0, "b1", Side.Buyer, 0.25, 3, 0.26), 10));
        Assert.Null(session.Receive(new SubmitOrder(0, "b2", Side.Buyer, 0.22, 4, 0.23), 11));
        Assert.Null(session.Receive(new SubmitOrder(0, "s1", Side.Seller, 0.15, 2, 0.14), 20));
        Assert.Null(session.Receive(new SubmitOrder(0, "s2", Side.Seller, 0.18, 4, 0.17), 21));
        session.Clear();
        session.ExpireSettlement();
        session.CloseStep();
        return Assert.Single(ledger.Entries.OfType<StepClosed>());
    }
}
