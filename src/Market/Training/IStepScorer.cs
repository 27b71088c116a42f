using V2V.Market.Orders;
using V2V.Market.Protocol;

namespace V2V.Market.Training;

/// <summary>
/// DESIGN step 4 when training: what the coordinator calls once a step is settled to score every order of its book.
/// The Learning side implements it (SPEC 7's reward and critic context); the coordinator only passes its book in,
/// so the dependencies keep pointing to the shared kernel.
/// </summary>
public interface IStepScorer
{
    /// <summary>
    /// One <see cref="StepScored"/> per order of <paramref name="book"/>, in book order. <paramref name="committed"/> are
    /// the step's committed trades in the order they were cleared. Orders carry their critic rows
    /// (<see cref="SubmitOrder.CriticRow"/>).
    /// </summary>
    IReadOnlyList<StepScored> Score(int step, IReadOnlyList<SubmitOrder> book, IReadOnlyList<Trade> committed, double gridPriceAudPerKwh);
}
