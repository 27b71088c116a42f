using V2V.Learning.Maddpg;
using V2V.Market.Orders;
using V2V.Market.Protocol;
using V2V.Market.Training;

namespace V2V.Learning.Environment;

/// <summary>
/// DESIGN step 4 when training on the simulation: the coordinator's scorer. For a settled step it computes every
/// order's SPEC 7 reward terms with <see cref="RewardCalculator"/> on the step's committed trades (the counterfactual
/// credit re-clears the book without the agent) and its critic input with <see cref="CriticContext"/>, exactly as the
/// direct runner does for the same book. It also sums the episode's numbers for its <see cref="EpisodeReport"/>.
/// </summary>
public sealed class SimulationStepScorer(RewardCalculator rewards, int activeAgentsScale) : IStepScorer
{
    private const int Obs = V2V.Market.Vehicles.Observation.Size;
    private readonly List<Participant> _participants = [];
    private float[] _rows = [];
    private float[] _contexts = [];
    private float[] _inputs = [];
    private bool[] _isSeller = [];

    public double RewardSum { get; private set; }

    public long AgentSteps { get; private set; }

    public long Matched { get; private set; }

    public double SocialWelfareAud { get; private set; }

    public double VolumeKwh { get; private set; }

    public double BidSum { get; private set; }

    public long Bids { get; private set; }

    public double AskSum { get; private set; }

    public long Asks { get; private set; }

    public double QuantityFractionSum { get; private set; }

    public IReadOnlyList<StepScored> Score(int step, IReadOnlyList<SubmitOrder> book, IReadOnlyList<Trade> committed, double gridPriceAudPerKwh)
    {
        int n = book.Count;
        MarketEpisodeRunner.Grow(ref _rows, n * CriticContext.RowSize);
        MarketEpisodeRunner.Grow(ref _contexts, n * CriticContext.Size);
        MarketEpisodeRunner.Grow(ref _inputs, n * CriticContext.CriticInputSize);
        if (_isSeller.Length < n)
        {
            _isSeller = new bool[n];
        }

        _participants.Clear();
        for (int i = 0; i < n; i++)
        {
            var o = book[i];
            var row = o.CriticRow ?? throw new InvalidOperationException($"{o.Agent}'s order of step {step} has no critic row: is its EV training?");
            row.AsSpan(0, CriticContext.RowSize).CopyTo(_rows.AsSpan(i * CriticContext.RowSize));
            _isSeller[i] = o.Side == Side.Seller;
            _participants.Add(new Participant(o.Agent, o.Side, o.TrueValueAudPerKwh, o.PriceAudPerKwh, o.EnergyKwh));
            QuantityFractionSum += (row[Obs + 1] + 1) / 2;
            if (_isSeller[i])
            {
                AskSum += o.PriceAudPerKwh;
                Asks++;
            }
            else
            {
                BidSum += o.PriceAudPerKwh;
                Bids++;
            }
        }

        CriticContext.WriteInputs(_rows, _isSeller, n, activeAgentsScale, _contexts, _inputs);
        var r = rewards.Compute(_participants, committed, gridPriceAudPerKwh);
        var scores = new StepScored[n];
        for (int i = 0; i < n; i++)
        {
            var input = _inputs.AsSpan(i * CriticContext.CriticInputSize, CriticContext.CriticInputSize).ToArray();
            scores[i] = new StepScored(step, book[i].Agent, i, r.Total[i], r.Base[i], r.Credit[i], r.PriceTerm[i], r.IrTerm[i], input);
            RewardSum += r.Total[i];
        }

        foreach (var t in committed)
        {
            VolumeKwh += t.EnergyKwh;
        }

        AgentSteps += n;
        Matched += r.Matched;
        SocialWelfareAud += r.SocialWelfareAud;
        return scores;
    }
}
