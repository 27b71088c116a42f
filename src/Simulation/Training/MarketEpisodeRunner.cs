using V2V.Agents.Facility;
using V2V.Agents.Policies;
using V2V.Agents.Vehicles;
using V2V.Clearing;
using V2V.Coordinator.Session;
using V2V.Learning.Environment;
using V2V.Learning.Maddpg;
using V2V.Market.Configuration;
using V2V.Market.Orders;
using V2V.Market.Protocol;
using V2V.Market.Randomness;
using V2V.Market.Vehicles;

namespace V2V.Simulation.Training;

/// <summary>
/// SPEC 7 training: one-day episodes of the parking-lot market, driven directly on the <see cref="PlainMarket"/> (EV model,
/// arrivals, clearing, settlement of every trade), with the shared actor choosing every active agent's order.
/// A transition's next state is the agent's next step if it is still active then; leaving, turning neutral (which
/// is for good: SoC moves only by trading) and the end of the day are terminal.
/// Everything random derives from the run seed and the episode number, so a seed fixes the whole training run.
/// </summary>
public sealed class MarketEpisodeRunner
{
    private const int Obs = Observation.Size;
    private const int Act = ActionMapping.Size;
    private const int Width = CriticContext.CriticInputSize;
    private readonly MarketConfig market;
    private readonly LearningConfig learning;
    private readonly TrainingMethod method;
    private readonly int seed;
    private readonly OrnsteinUhlenbeckNoise noise;
    private readonly IClearingMechanism mechanism;
    private readonly RewardCalculator rewards;
    private readonly ITrainingBackend backend;

    /// <summary>A runner that trains <paramref name="learner"/> in the calling thread.</summary>
    public MarketEpisodeRunner(MarketConfig market, LearningConfig learning, TrainingMethod method, int seed, MaddpgLearner learner)
        : this(market, learning, method, seed, learner, new DirectBackend(learner, seed))
    {
    }

    internal MarketEpisodeRunner(
        MarketConfig market, LearningConfig learning, TrainingMethod method, int seed, MaddpgLearner learner, ITrainingBackend backend)
    {
        this.backend = backend;
        this.market = market;
        this.learning = learning;
        this.method = method;
        this.seed = seed;
        Learner = learner;
        this.noise = new OrnsteinUhlenbeckNoise(learning.OuTheta, Act);
        var clearing = market.Clearing with { Mechanism = method.Mechanism };
        this.mechanism = ClearingMechanisms.Create(clearing.Mechanism, clearing);
        var model = VehicleModels.From(market);
        this.rewards = new RewardCalculator(
            learning.Reward, method.Reward, this.mechanism, clearing.EpsilonAud, market.Vehicle.Efficiency, model.StepCapKwh);
    }

    public MaddpgLearner Learner { get; }

    /// <summary>
    /// Episode <paramref name="episode"/>'s market: N drawn from [train-agents-min, train-agents-max] and the market
    /// seed, both derived from (seed, episode) and whether it trains or evaluates. Also returns the episode's stream,
    /// already past the draw of N (the direct runner's exploration noise continues it).
    /// </summary>
    public static (MarketConfig Market, Random Random) EpisodeMarket(MarketConfig market, LearningConfig learning, int seed, int episode, bool train)
    {
        string stream = train ? "learning.train" : "learning.evaluate";
        var random = Seeds.CreateRandom(seed, $"{stream}.{episode}");
        int agents = random.Next(learning.TrainAgentsMin, learning.TrainAgentsMax + 1);
        var config = market with
        {
            Seed = Seeds.Derive(seed, $"{stream}.{episode}.market"),
            Population = market.Population with { Agents = agents },
        };
        return (config, random);
    }

    public EpisodeReport Run(int episode, EpisodeMode mode)
    {
        var (config, random) = EpisodeMarket(this.market, this.learning, this.seed, episode, mode == EpisodeMode.Train);
        int agents = config.Population.Agents;
        var market = new PlainMarket(config, this.mechanism, _ => TruthfulPolicy.Instance);
        double sigma = OrnsteinUhlenbeckNoise.SigmaAt(episode, this.learning.Episodes, this.learning.OuSigmaStart, this.learning.OuSigmaEnd);
        this.noise.Sigma = sigma;
        this.noise.Reset();
        if (mode == EpisodeMode.Train)
        {
            this.backend.BeginEpisode(episode);
        }

        // Evaluation reads the learner's actor directly: it must not publish or train.
        Func<ReadOnlySpan<float>, int, ReadOnlySpan<float>> act = mode == EpisodeMode.Train ? this.backend.Act : Learner.Act;

        var pending = new List<(string Id, float[] Input, float Reward)>();
        var activeIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var participants = new List<Participant>();
        var active = new List<(EvAgentState Ev, VehicleState State)>();
        float[] observations = [], actions = [], rows = [], contexts = [], inputs = [];
        bool[] isSeller = [];
        Span<float> noise = stackalloc float[Act];
        double rewardSum = 0, welfare = 0, volume = 0, lossSum = 0;
        long agentSteps = 0, matched = 0, updates = 0, bidCount = 0, askCount = 0;
        double bidSum = 0, askSum = 0, quantitySum = 0;
        int transitions = 0;

        for (int step = 0; step < this.learning.EpisodeSteps; step++)
        {
            active.Clear();
            foreach (var ev in market.Open(step))
            {
                var s = ev.Evaluate(step);
                if (s.Role != Role.Neutral && s.CapKwh > 0)
                {
                    active.Add((ev, s));
                }
            }

            int n = active.Count;
            Buffers.Grow(ref observations, n * Obs);
            Buffers.Grow(ref actions, n * Act);
            Buffers.Grow(ref rows, n * CriticContext.RowSize);
            Buffers.Grow(ref contexts, n * CriticContext.Size);
            Buffers.Grow(ref inputs, n * Width);
            if (isSeller.Length < n)
            {
                isSeller = new bool[Math.Max(n, isSeller.Length * 2)];
            }

            int stepOfDay = step % config.Time.StepsPerDay;
            double fit = config.Tariff.FeedInTariffAudPerKwh;
            double grid = config.Tariff.GridPriceAt(stepOfDay);
            for (int i = 0; i < n; i++)
            {
                active[i].Ev.Observe(step, market.LastPriceAudPerKwh, market.RecentPriceAudPerKwh).WriteTo(observations.AsSpan(i * Obs, Obs));
                isSeller[i] = active[i].State.Role == Role.Seller;
            }

            if (n > 0 && mode != EpisodeMode.EvaluateTruthful)
            {
                act(observations.AsSpan(0, n * Obs), n).CopyTo(actions);
            }

            participants.Clear();
            activeIndex.Clear();
            var bids = new List<Order>();
            var asks = new List<Order>();
            for (int i = 0; i < n; i++)
            {
                var (ev, s) = active[i];
                Span<float> a = actions.AsSpan(i * Act, Act);
                if (mode == EpisodeMode.EvaluateTruthful)
                {
                    a[0] = (float)ActionMapping.PriceToAction(s.TrueValueAudPerKwh, fit, grid);
                    a[1] = 1f;
                }
                else if (mode == EpisodeMode.Train)
                {
                    this.noise.Sample(ev.Vehicle.Id, random, noise);
                    a[0] = Math.Clamp(a[0] + noise[0], -1f, 1f);
                    a[1] = Math.Clamp(a[1] + noise[1], -1f, 1f);
                }

                double price = ActionMapping.Price(a[0], fit, grid);
                double quantity = ActionMapping.Quantity(a[1], s.CapKwh);
                var side = isSeller[i] ? Side.Seller : Side.Buyer;
                quantitySum += (a[1] + 1) / 2;
                if (isSeller[i])
                {
                    askSum += price;
                    askCount++;
                }
                else
                {
                    bidSum += price;
                    bidCount++;
                }

                participants.Add(new Participant(ev.Vehicle.Id, side, s.TrueValueAudPerKwh, price, quantity));
                (side == Side.Buyer ? bids : asks).Add(new Order(ev.Vehicle.Id, price, quantity));
                activeIndex[ev.Vehicle.Id] = i;
                observations.AsSpan(i * Obs, Obs).CopyTo(rows.AsSpan(i * CriticContext.RowSize));
                a.CopyTo(rows.AsSpan((i * CriticContext.RowSize) + Obs, Act));
            }

            CriticContext.WriteInputs(rows, isSeller, n, this.learning.ActiveAgentsScale, contexts, inputs);

            var (trades, _) = market.Clear(step, bids, asks);
            var r = this.rewards.Compute(participants, trades, grid);
            foreach (var t in trades)
            {
                volume += t.EnergyKwh;
            }

            welfare += r.SocialWelfareAud;
            matched += r.Matched;
            agentSteps += n;
            for (int i = 0; i < n; i++)
            {
                rewardSum += r.Total[i];
            }

            if (mode != EpisodeMode.Train)
            {
                continue;
            }

            // Last step's transitions get their next state now that it is known.
            foreach (var (id, input, reward) in pending)
            {
                bool stillActive = activeIndex.TryGetValue(id, out int k);
                this.backend.Add(input, reward, stillActive ? inputs.AsSpan(k * Width, Width) : default, done: !stillActive);
                transitions++;
            }

            pending.Clear();
            for (int i = 0; i < n; i++)
            {
                pending.Add((participants[i].Id, inputs.AsSpan(i * Width, Width).ToArray(), (float)r.Total[i]));
            }

            var (done, loss) = this.backend.EndStep(this.learning.UpdatesPerStep);
            updates += done;
            lossSum += loss;
        }

        foreach (var (_, input, reward) in pending)
        {
            this.backend.Add(input, reward, default, done: true);
            transitions++;
        }

        if (mode == EpisodeMode.Train)
        {
            this.backend.EndEpisode();
        }

        return new EpisodeReport(
            episode,
            agents,
            agentSteps == 0 ? 0 : rewardSum / agentSteps,
            welfare,
            updates == 0 ? double.NaN : lossSum / updates,
            volume,
            agentSteps == 0 ? 0 : matched / (double)agentSteps,
            transitions,
            updates,
            mode == EpisodeMode.Train ? sigma : 0,
            bidCount == 0 ? double.NaN : bidSum / bidCount,
            askCount == 0 ? double.NaN : askSum / askCount,
            agentSteps == 0 ? double.NaN : quantitySum / agentSteps);
    }
}
