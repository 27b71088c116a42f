using V2V.Market.Orders;
using V2V.Market.Protocol;

namespace V2V.Market.Training;

/// <summary>
/// When training: what the coordinator calls once a step is settled to score every order of its book.
/// The Learning side implements it (SPEC 7's reward and critic context); the coordinator only passes its book in,
/// so the dependencies keep pointing to the shared kernel. The coordinator makes its own scorer and owns it; what the
/// run's caller learns of it is the <see cref="Totals"/> snapshot the coordinator hands over when the run ends.
/// </summary>
public interface IStepScorer
{
    /// <summary>The sums over every step scored so far (a snapshot).</summary>
    ScoreTotals Totals { get; }

    /// <summary>
    /// One <see cref="StepScored"/> per order of <paramref name="book"/>, in book order. <paramref name="committed"/> are
    /// the step's committed trades in the order they were cleared. Orders carry their critic rows
    /// (<see cref="SubmitOrder.CriticRow"/>).
    /// </summary>
    IReadOnlyList<StepScored> Score(int step, IReadOnlyList<SubmitOrder> book, IReadOnlyList<Trade> committed, double gridPriceAudPerKwh);
}

/// <summary>
/// What the scores of a run sum to, for its episode report: rewards over agent-steps, orders matched, welfare, volume,
/// and the bid, ask and quantity-fraction sums with their counts.
/// </summary>
public sealed record ScoreTotals(
    double RewardSum,
    long AgentSteps,
    long Matched,
    double SocialWelfareAud,
    double VolumeKwh,
    double BidSum,
    long Bids,
    double AskSum,
    long Asks,
    double QuantityFractionSum)
{
    public static ScoreTotals None { get; } = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}
