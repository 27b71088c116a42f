using Akka.Actor;
using V2V.Agents.Vehicles;
using V2V.Clearing;
using V2V.Coordinator.Ledger;
using V2V.Learning.Actors;
using V2V.Learning.Environment;
using V2V.Learning.Maddpg;
using V2V.Market.Configuration;
using V2V.Market.Protocol;
using V2V.Market.Randomness;
using V2V.Market.Training;
using static V2V.Learning.Actors.LearningProtocol;

namespace V2V.Simulation.Training;

/// <summary>
/// Training episodes on the market simulation's own actors in virtual time (DESIGN steps 4 and 6): each episode is a
/// <see cref="SimulationRunner"/> run of the episode's market (the same N and market seed as the direct runner's
/// episode), with the latency and faults of <c>v2v.simulation</c>. The EVs bid through their node's policy holder
/// with their own exploration noise; the coordinator scores every order once its step is settled; each EV sends its
/// transitions to the node's learner actor, which batches them to the critic actor; the critic (also the market's
/// training gate) trains once per market step after warm-up and publishes the new version before the next step
/// opens. The critic's trainer and the node's policy outlive the episodes, so versions only rise.
/// </summary>
public sealed class SimulationEpisodeTrainer : IEpisodeTrainer
{
    private readonly MarketConfig market;
    private readonly SimulationConfig simulation;
    private readonly LearningConfig learning;
    private readonly TrainingMethod method;
    private readonly int seed;
    private readonly CriticTrainer trainer;
    private readonly VersionedPolicy policy;
    private readonly Akka.Configuration.Config? akka;

    /// <param name="akka">The user's <c>akka</c> section for each episode's actor system.</param>
    public SimulationEpisodeTrainer(
        MarketConfig market,
        SimulationConfig simulation,
        LearningConfig learning,
        TrainingMethod method,
        int seed,
        MaddpgLearner learner,
        Akka.Configuration.Config? akka = null)
    {
        this.market = DayMarket(market, learning);
        this.simulation = simulation;
        this.learning = learning;
        this.method = method;
        this.seed = seed;
        this.trainer = new CriticTrainer(learner, seed);
        this.policy = new VersionedPolicy(learning);
        this.akka = akka;
    }

    /// <summary>Called with each transition as it reaches the replay buffer (tests and diagnostics).</summary>
    public Action<TransitionObserved>? Stored
    {
        get => this.trainer.Stored;
        set => this.trainer.Stored = value;
    }

    /// <summary>The last episode's run: its session (ledger balances, metrics) and runtime counters.</summary>
    public SimulationResult? LastRun { get; private set; }

    /// <summary>The last episode's ledger.</summary>
    public MemoryLedger? LastLedger { get; private set; }

    public EpisodeReport Train(int episode)
    {
        var (config, sigma, newScorer) = Episode(this.market, this.learning, this.method, this.seed, episode);
        var learner = this.trainer.Learner;
        long updates = learner.Updates, added = learner.Replay.Added;
        double loss = this.trainer.LossSum;

        LastLedger = new MemoryLedger();
        LastRun = SimulationRunner.Run(config, this.simulation, LastLedger, training: spawn => Wire(spawn, episode, sigma, newScorer), akka: this.akka);
        return Report(episode, config, LastRun, sigma, learner.Updates - updates, this.trainer.LossSum - loss, learner.Replay.Added - added);
    }

    /// <summary><paramref name="market"/> as long as one episode (whole days of its steps, or an error naming the keys).</summary>
    internal static MarketConfig DayMarket(MarketConfig market, LearningConfig learning) =>
        learning.EpisodeSteps % market.Time.StepsPerDay == 0
            ? market with { Time = market.Time with { Days = learning.EpisodeSteps / market.Time.StepsPerDay } }
            : throw new ArgumentException(
                $"v2v.learning.episode-steps ({learning.EpisodeSteps}) must be whole days of v2v.time.steps-per-day ({market.Time.StepsPerDay}) to run on the simulation");

    /// <summary>Training episode <paramref name="episode"/>'s market (the direct runner's N and seed), its noise scale and the coordinator's scorer.</summary>
    internal static (MarketConfig Config, double Sigma, Func<IStepScorer> NewScorer) Episode(
        MarketConfig market, LearningConfig learning, TrainingMethod method, int seed, int episode)
    {
        var (config, _) = MarketEpisodeRunner.EpisodeMarket(market, learning, seed, episode, train: true);
        config = config with { Clearing = config.Clearing with { Mechanism = method.Mechanism } };
        double sigma = OrnsteinUhlenbeckNoise.SigmaAt(episode, learning.Episodes, learning.OuSigmaStart, learning.OuSigmaEnd);
        var rewards = new RewardCalculator(
            learning.Reward,
            method.Reward,
            ClearingMechanisms.Create(config.Clearing.Mechanism, config.Clearing),
            config.Clearing.EpsilonAud,
            config.Vehicle.Efficiency,
            VehicleModels.From(config).StepCapKwh);
        return (config, sigma, () => new SimulationStepScorer(rewards, learning.ActiveAgentsScale));
    }

    /// <summary>An episode's report from its run's scores and the critic's counts of it (updates, summed loss, transitions stored).</summary>
    internal static EpisodeReport Report(int episode, MarketConfig config, SimulationResult run, double sigma, long updates, double lossSum, long stored)
    {
        var scores = run.Trace.Scores ?? throw new InvalidOperationException("the coordinator handed over no scores");
        return new EpisodeReport(
            episode,
            config.Population.Agents,
            scores.AgentSteps == 0 ? 0 : scores.RewardSum / scores.AgentSteps,
            scores.SocialWelfareAud,
            updates == 0 ? double.NaN : lossSum / updates,
            scores.VolumeKwh,
            scores.AgentSteps == 0 ? 0 : scores.Matched / (double)scores.AgentSteps,
            (int)stored,
            updates,
            sigma,
            scores.Bids == 0 ? double.NaN : scores.BidSum / scores.Bids,
            scores.Asks == 0 ? double.NaN : scores.AskSum / scores.Asks,
            scores.AgentSteps == 0 ? double.NaN : scores.QuantityFractionSum / scores.AgentSteps);
    }

    public void Dispose()
    {
    }

    // One node: its learner, its policy holder, and the critic. The holder has the critic's current version before the
    // market starts (the subscription is answered only once it is applied), so the EVs bid with it from step 0.
    private TrainingWiring Wire(Spawner spawn, int episode, double sigma, Func<IStepScorer> newScorer)
    {
        var critic = spawn(CriticActor.Props(this.trainer, this.learning.UpdatesPerStep), "critic");
        var learner = spawn(LearnerActor.Props(critic, this.learning.BatchSize), "learner-0");
        var holder = spawn(PolicyHolderActor.Props(this.policy), "policy");
        critic.Tell(new RegisterLearner(learner), ActorRefs.NoSender);
        Ask<TrainingDone>(critic, new SubscribePolicy(holder));
        Ask<TrainingDone>(critic, new EpisodeStarted(episode));
        if (this.policy.Version != this.trainer.Version)
        {
            throw new InvalidOperationException($"the policy holder has version {this.policy.Version}, the critic {this.trainer.Version}");
        }

        return new TrainingWiring(
            newScorer,
            critic,
            learner,
            v => ExploringPolicy.ForEpisode(this.policy, this.learning.OuTheta, sigma, this.seed, episode, v.Id),
            async () =>
            {
                // The episode's terminal transitions (the EVs sent them as they left): through the learner, then stored.
                await learner.Ask<Flushed>(Flush.Instance, Patience);
                await critic.Ask<TrainingDone>(EpisodeEnded.Instance, Patience);
            });
    }

    // A step of training may take long; a failed critic does not make the run wait this long (the runner watches it).
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(10);

    private static T Ask<T>(IActorRef to, object message) => to.Ask<T>(message, Patience).GetAwaiter().GetResult();
}
