using Akka.Actor;
using V2V.Coordinator.Ledger;
using V2V.Learning.Environment;
using V2V.Learning.Maddpg;
using V2V.Learning.Networks;
using V2V.Market.Configuration;
using V2V.Market.Training;
using V2V.Simulation.Training;

namespace V2V.Simulation.Cluster;

/// <summary>
/// Training episodes on a cluster (docs/cluster.md, "Training on a cluster"): each episode is a
/// <see cref="SimulationRunner"/> run over the cluster (its own run id, the EVs sharded over the agents members), the
/// same market, noise and scores as <see cref="SimulationEpisodeTrainer"/>'s; the critic is the cluster singleton
/// (<see cref="CriticHost"/>), which keeps its learner across episodes, and each agents member has the episode's learner
/// and policy holder (<see cref="ClusterTrainingMember"/>). After each episode the critic's model file comes back and
/// is put into this process's learner, so checkpoints and evaluation read the weights the critic trained. Every
/// episode runs on one member of this process (role market), which joins the cluster before the first episode and
/// leaves it when the training is disposed, or at once when an episode fails.
/// </summary>
public sealed class ClusterTrainingEpisodes : IEpisodeTrainer
{
    private readonly MarketConfig market;
    private readonly SimulationConfig simulation;
    private readonly LearningConfig learning;
    private readonly TrainingMethod method;
    private readonly int seed;
    private readonly MaddpgLearner learner;
    private readonly Func<int, ClusterRun> runOf;
    private readonly string training;
    private readonly Akka.Configuration.Config? akka;

    /// <param name="training">The training's id on the cluster (the critic keeps one learner per id).</param>
    /// <param name="runOf">The cluster run of episode k: its own run id, this process's member options, the agents members.</param>
    public ClusterTrainingEpisodes(
        MarketConfig market,
        SimulationConfig simulation,
        LearningConfig learning,
        TrainingMethod method,
        int seed,
        MaddpgLearner learner,
        string training,
        Func<int, ClusterRun> runOf,
        Akka.Configuration.Config? akka = null)
    {
        this.market = SimulationEpisodeTrainer.DayMarket(market, learning);
        this.simulation = simulation;
        this.learning = learning;
        this.method = method;
        this.seed = seed;
        this.learner = learner;
        this.training = training;
        this.runOf = runOf;
        this.akka = akka;
    }

    /// <summary>The last episode's ledger.</summary>
    public MemoryLedger? LastLedger { get; private set; }

    /// <summary>The critic's policy version after the last episode.</summary>
    public long Version { get; private set; }

    public EpisodeReport Train(int episode)
    {
        var (config, sigma, newScorer) = SimulationEpisodeTrainer.Episode(this.market, this.learning, this.method, this.seed, episode);
        var run = this.runOf(episode);
        ClusterTrainingDriver.Finished? finished = null;
        var ledger = LastLedger = new MemoryLedger();
        SimulationResult result;
        try
        {
            result = Run(run with { Member = Join(run.Options) }, ledger, config, sigma, newScorer, episode, f => finished = f);
        }
        catch
        {
            Leave();
            throw;
        }

        var ended = finished?.Ended ?? throw new InvalidOperationException("the critic did not report the episode's end");
        this.started = true;
        Restore(finished.Model);
        Version = ended.Version;
        var report = SimulationEpisodeTrainer.Report(
            episode, config, result, sigma, ended.Updates - this.updates, ended.LossSum - this.lossSum, ended.StoredTransitions - this.stored);
        this.updates = ended.Updates;
        this.lossSum = ended.LossSum;
        this.stored = ended.StoredTransitions;
        return report;
    }

    public void Dispose() => Leave();

    // The member of this process that every episode runs on (null before the first episode and after leaving), its
    // way to the critic singleton, and how long its leaving may take.
    private ActorSystem? member;
    private IActorRef criticProxy = ActorRefs.Nobody;
    private TimeSpan leavePatience;

    // Whether the critic holds this training's learner (from the first episode run here on).
    private bool started;

    // The critic's totals after the previous episode (an episode's report is the difference).
    private long updates;
    private double lossSum;
    private long stored;

    // The training's member, up in the cluster, from the first episode on; its proxy to the critic singleton is made
    // once it is up (before, the proxy would find no member to ask).
    private ActorSystem Join(ClusterOptions options)
    {
        if (this.member is null)
        {
            this.member = ClusterNode.Create(options, this.akka);
            this.leavePatience = options.JoinTimeout;
            ClusterMembers.WaitUntilUp(this.member, options.Seed, options.JoinTimeout);
            this.criticProxy = this.member.ActorOf(CriticSingleton.ProxyProps(this.member), "v2v-critic-proxy");
        }

        return this.member;
    }

    // One episode on the training's member: the driver readies the critic and the agents members before step 0 and
    // hands over the critic's end of episode once the last EV has left.
    private SimulationResult Run(
        ClusterRun run,
        MemoryLedger ledger,
        MarketConfig config,
        double sigma,
        Func<IStepScorer> newScorer,
        int episode,
        Action<ClusterTrainingDriver.Finished> finished) =>
        SimulationRunner.Run(
            config,
            this.simulation,
            ledger,
            training: spawn =>
            {
                // The critic starts from this process's learner (new from the seed, or a resumed checkpoint's).
                var start = this.started ? null : CriticModels.Save(this.learner, new TrainingStamp(this.method.Name, this.seed, episode));
                var driver = spawn(
                    ClusterTrainingDriver.Props(
                        this.training, this.criticProxy, run.Run, episode, this.learning, this.seed, sigma, run.Options.JoinTimeout, episode == this.learning.Episodes - 1, start),
                    "critic");
                var prepared = driver.Ask<ClusterTrainingDriver.Prepared>(ClusterTrainingDriver.Prepare.Instance).GetAwaiter().GetResult();
                return new TrainingWiring(
                    newScorer,
                    prepared.Critic,
                    Learner: ActorRefs.Nobody,
                    v => throw new InvalidOperationException($"EV {v.Id} of a cluster training bids on its agents member, not on the run's"),
                    async () => finished(await driver.Ask<ClusterTrainingDriver.Finished>(ClusterTrainingDriver.Finish.Instance)));
            },
            akka: this.akka,
            cluster: run);

    // Leaves the cluster (coordinated shutdown) so the others do not wait to detect that the member is gone.
    private void Leave()
    {
        if (this.member is { } system)
        {
            this.member = null;
            CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance).Wait(this.leavePatience);
        }
    }

    // The critic's networks and optimisers into this process's learner (its replay buffer stays empty: the critic's is the one that counts).
    private void Restore(byte[] model) => CriticModels.Restore(this.learner, model);
}
