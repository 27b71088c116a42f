using FsCheck;
using FsCheck.Fluent;
using V2V.Coordinator.Ledger;
using V2V.Coordinator.Tests.Session;
using V2V.Market.Orders;
using V2V.Market.Protocol;

namespace V2V.Coordinator.Tests.Ledger;

public sealed class LedgerSequenceVerifierTests
{
    /// <summary>
    /// Four steps of a real session: b1 and s1 park at step 0 and trade at steps 0 and 1, b2 parks at step 2, a late
    /// step-1 order is rejected in step 2, s1 leaves at step 3, the rest at the end (step 4).
    /// </summary>
    private static List<LedgerEntry> FourSteps()
    {
        var (session, ledger) = SessionFixture.Create();
        session.Arrive(0, "b1", 0.40, 0.60, 8);
        session.Arrive(0, "s1", 0.90, 0.50, 3);
        for (var step = 0; step < 4; step++)
        {
            if (step == 2)
            {
                session.Arrive(2, "b2", 0.30, 0.60, 8);
            }

            if (step == 3)
            {
                session.Depart(new DepartureReport(3, "s1", 0.90 - (2 / 75.0 * 2), 0.80));
            }

            session.Open(step, deadlineMs: 100);
            if (step == 2)
            {
                Assert.Equal("late", session.Receive(new SubmitOrder(1, "b1", Side.Buyer, 0.25, 1, 0.26), 10));
            }

            if (step < 2)
            {
                Assert.Null(session.Receive(new SubmitOrder(step, "b1", Side.Buyer, 0.25, 3, 0.26), 10));
                Assert.Null(session.Receive(new SubmitOrder(step, "s1", Side.Seller, 0.15, 2, 0.14), 20));
            }

            foreach (var fill in session.Clear())
            {
                session.Accept(fill.TradeId, fill.BuyerId);
                session.Accept(fill.TradeId, fill.SellerId);
            }

            session.CloseStep();
        }

        session.Depart(new DepartureReport(4, "b1", 0.40 + (2 / 75.0 * 2), -0.80));
        session.Depart(new DepartureReport(4, "b2", 0.30, 0));
        return ledger.Entries;
    }

    private static List<NumberedEntry> Numbered(IEnumerable<LedgerEntry> entries) => [.. entries.Select((e, i) => new NumberedEntry(i + 1, e))];

    [Fact]
    public void Check_SessionLedger_NoViolationsFourStepsClosedNobodyLeftParked()
    {
        var entries = FourSteps();
        Assert.Empty(LedgerVerifier.Verify(entries));

        var shape = LedgerSequenceVerifier.Check(Numbered(entries));

        Assert.Empty(shape.Violations);
        Assert.Equal(4, shape.StepsClosed);
        Assert.Equal(entries.FindLastIndex(e => e is StepClosed) + 1, shape.LastClosedLine);
        Assert.Empty(shape.StillParked);
    }

    [Fact]
    public void Check_AnyPrefix_NoViolationAndTheClosesInItCounted()
    {
        // A ledger cut anywhere (a killed run) is short, never out of order.
        var entries = FourSteps();
        Prop.ForAll(Gen.Choose(1, entries.Count).ToArbitrary(), n =>
        {
            var prefix = entries.Take(n).ToList();
            var shape = LedgerSequenceVerifier.Check(Numbered(prefix));
            Assert.Empty(shape.Violations);
            Assert.Equal(prefix.Count(e => e is StepClosed), shape.StepsClosed);
            Assert.Equal(prefix.FindLastIndex(e => e is StepClosed) + 1, shape.ClosedEntries);
        }).Check(FsCheck.Config.QuickThrowOnFailure.WithMaxTest(100));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Check_AStepCloseMissing_OneViolationAtTheNextLine(int step)
    {
        var entries = FourSteps();
        var close = entries.FindIndex(e => e is StepClosed c && c.Step == step);
        entries.RemoveAt(close);
        var next = entries[close];

        var violations = LedgerSequenceVerifier.Check(Numbered(entries)).Violations;

        var expected = next is StepClosed
            ? $"line {close + 1}: step {step + 1} closed, but step {step} never closed"
            : $"line {close + 1}: {LedgerSequenceVerifier.KindOf(next)} for step {step + 1} while step {step} is open: step {step} never closed";
        Assert.Equal([expected], violations);
    }

    [Fact]
    public void Check_StepsAgainFromZero_OneViolationAtTheFirstLineOfTheRestart()
    {
        var entries = FourSteps();
        var lastClose = entries.FindLastIndex(e => e is StepClosed);
        var restarted = entries.Take(lastClose + 1).Concat(entries.Skip(1).Take(lastClose)).ToList();

        var shape = LedgerSequenceVerifier.Check(Numbered(restarted));

        Assert.Equal([$"line {lastClose + 2}: arrival for step 0 after step 3 closed: the step counter went back (the market started again?)"], shape.Violations);
    }

    [Fact]
    public void Check_SecondHeaderAndMissingFirstHeader_Named()
    {
        var entries = FourSteps();
        var header = entries[0];
        entries.Insert(5, header);
        Assert.Equal(["line 6: a second run header (the first is line 1): the market was started again"], LedgerSequenceVerifier.Check(Numbered(entries)).Violations);

        var headless = LedgerSequenceVerifier.Check(Numbered(FourSteps().Skip(1)));
        Assert.Null(headless.Header);
        Assert.Equal(["line 1: the ledger does not start with a run header"], headless.Violations);
    }

    [Fact]
    public void Check_StepClosedTwice_Named()
    {
        var entries = FourSteps();
        var close = entries.FindIndex(e => e is StepClosed { Step: 1 });
        entries.Insert(close + 1, entries[close]);

        Assert.Equal([$"line {close + 2}: step 1 closed twice"], LedgerSequenceVerifier.Check(Numbered(entries)).Violations);
    }

    [Fact]
    public void Check_LateEntries_ReportsAndFaultsMayNameAnEarlierStepOrdersMayNot()
    {
        var entries = FourSteps();
        var close2 = entries.FindIndex(e => e is StepClosed { Step: 2 });
        entries.InsertRange(close2, [new FaultInjected(1, "b1", "crash"), new AgentDeparted(1, "b2", "dropout", false, null, null)]);
        Assert.Empty(LedgerSequenceVerifier.Check(Numbered(entries)).Violations);

        entries.Insert(close2, new OrderAccepted(1, "b1", "buyer", 0.25, 1, 0.26, 10));
        Assert.Equal([$"line {close2 + 1}: order for step 1 after step 1 closed: the step counter went back (the market started again?)"], LedgerSequenceVerifier.Check(Numbered(entries)).Violations);
    }

    [Fact]
    public void Check_EntriesPastTheLastStepAndNegativeSteps_Named()
    {
        var entries = FourSteps();
        entries[0] = ((RunStarted)entries[0]) with { Steps = 4 };
        entries.Add(new AgentArrived(4, "late", 0.5, 0.6, 8));
        entries.Add(new FaultInjected(-1, "b1", "crash"));

        Assert.Equal(
            [$"line {entries.Count - 1}: arrival for step 4, after the run's last step 3", $"line {entries.Count}: fault for step -1; steps count from 0"],
            LedgerSequenceVerifier.Check(Numbered(entries)).Violations);
    }

    [Fact]
    public void Check_EvStillParkedAtTheEnd_ListedWithItsArrivalLine()
    {
        var entries = FourSteps();
        entries.RemoveAt(entries.FindLastIndex(e => e is AgentDeparted { Agent: "b2" }));

        Assert.Equal([("b2", entries.FindIndex(e => e is AgentArrived { Agent: "b2" }) + 1)], LedgerSequenceVerifier.Check(Numbered(entries)).StillParked);
    }

    [Fact]
    public void Verify_NumberedEntries_ViolationsNameTheLineAndStep()
    {
        var entries = FourSteps();
        var commit = entries.FindIndex(e => e is TradeCommitted);
        entries.Insert(commit + 1, entries[commit]);

        Assert.Contains($"line {commit + 2}: step 0: trade 0 committed after it was already committed", LedgerVerifier.Verify(Numbered(entries)));
    }
}
