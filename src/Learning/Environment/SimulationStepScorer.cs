using V2V.Learning.Maddpg;
using V2V.Market.Orders;
using V2V.Market.Protocol;
using V2V.Market.Training;

namespace V2V.Learning.Environment;

/// <summary>
/// DESIGN step 4 when training on the simulation: the coordinator's scorer. For a settled step it computes every
/// order's SPEC 7 reward terms with <see cref="RewardCalculator"/> on the step's committed trades (the counterfactual
/// credit re-clears the book without the agent) and its critic input with <see cref="CriticContext"/>, exactly as the
/// direct runner does for the same book. It also sums the episode's numbers for its <see cref="EpisodeReport"/>
/// (<see cref="Totals"/>), in the direct runner's order, so the reports are equal to the bit.
/// </summary>
public sealed class SimulationStepScorer(RewardCalculator rewards, int activeAgentsScale) : IStepScorer
{
    private const int Obs = V2V.Market.Vehicles.Observation.Size;
    private readonly List<Participant> participants = [];
    private float[] rows = [];
    private float[] contexts = [];
    private float[] inputs = [];
    private bool[] isSeller = [];

    private double rewardSum;
    private long agentSteps;
    private long matched;
    private double socialWelfareAud;
    private double volumeKwh;
    private double bidSum;
    private long bids;
    private double askSum;
    private long asks;
    private double quantityFractionSum;

    public ScoreTotals Totals => new(
        rewardSum, agentSteps, matched, socialWelfareAud, volumeKwh, bidSum, bids, askSum, asks, quantityFractionSum);

    public IReadOnlyList<StepScored> Score(int step, IReadOnlyList<SubmitOrder> book, IReadOnlyList<Trade> committed, double gridPriceAudPerKwh)
    {
        int n = book.Count;
        Buffers.Grow(ref this.rows, n * CriticContext.RowSize);
        Buffers.Grow(ref this.contexts, n * CriticContext.Size);
        Buffers.Grow(ref this.inputs, n * CriticContext.CriticInputSize);
        if (this.isSeller.Length < n)
        {
            this.isSeller = new bool[n];
        }

        this.participants.Clear();
        for (int i = 0; i < n; i++)
        {
            var o = book[i];
            var row = o.CriticRow ?? throw new InvalidOperationException($"{o.Agent}'s order of step {step} has no critic row: is its EV training?");
            row.AsSpan(0, CriticContext.RowSize).CopyTo(this.rows.AsSpan(i * CriticContext.RowSize));
            this.isSeller[i] = o.Side == Side.Seller;
            this.participants.Add(new Participant(o.Agent, o.Side, o.TrueValueAudPerKwh, o.PriceAudPerKwh, o.EnergyKwh));
            quantityFractionSum += (row[Obs + 1] + 1) / 2;
            if (this.isSeller[i])
            {
                askSum += o.PriceAudPerKwh;
                asks++;
            }
            else
            {
                bidSum += o.PriceAudPerKwh;
                bids++;
            }
        }

        CriticContext.WriteInputs(this.rows, this.isSeller, n, activeAgentsScale, this.contexts, this.inputs);
        var r = rewards.Compute(this.participants, committed, gridPriceAudPerKwh);
        var scores = new StepScored[n];
        for (int i = 0; i < n; i++)
        {
            var input = this.inputs.AsSpan(i * CriticContext.CriticInputSize, CriticContext.CriticInputSize).ToArray();
            scores[i] = new StepScored(step, book[i].Agent, i, r.Total[i], r.Base[i], r.Credit[i], r.PriceTerm[i], r.IrTerm[i], input);
            rewardSum += r.Total[i];
        }

        foreach (var t in committed)
        {
            volumeKwh += t.EnergyKwh;
        }

        agentSteps += n;
        matched += r.Matched;
        socialWelfareAud += r.SocialWelfareAud;
        return scores;
    }
}
