using TorchSharp;
using TorchSharp.Modules;
using V2V.Learning.Networks;
using V2V.Market.Vehicles;
using static TorchSharp.torch;

namespace V2V.Learning.Maddpg;

/// <summary>
/// SPEC 7: one shared actor, one shared centralised critic, their target networks and the replay buffer, on
/// TorchSharp (autograd, Adam). Critic: y = r + gamma (1 - done) Q'(o', mu'(o'), ctx'), minimise the mean of
/// (Q(o, a, ctx) - y)^2. Actor: maximise the mean of Q(o, mu(o), ctx) with the context as stored (the other
/// agents' actions are the ones they took: our simplification of MADDPG's joint re-evaluation, which is what lets
/// one critic serve any N). Adam is <see cref="TorchAdam"/>. Initialisation (<see cref="NetworkInitialisation"/>) and replay sampling (the caller's
/// <see cref="Random"/>) use our seeded streams and torch runs on a fixed thread count
/// (<see cref="TorchRuntime"/>), so the same calls give the same weights. Single-threaded: one owner at a time.
/// </summary>
public sealed class MaddpgLearner : IDisposable
{
    public const string ActorName = "actor";
    public const string CriticName = "critic";
    public const string TargetActorName = "target-actor";
    public const string TargetCriticName = "target-critic";

    private const int Width = CriticContext.CriticInputSize;
    private readonly LearningConfig config;
    private readonly float[] inputs;
    private readonly float[] nextInputs;
    private readonly float[] rewards;
    private readonly float[] dones;
    private readonly float[] discounts;

    // Kept for the learner's lifetime: see TorchAdam on TorchSharp's short-lived Scalars.
    private readonly Scalar one;
    private readonly Scalar minusOne;

    public MaddpgLearner(LearningConfig config, int seed)
    {
        ArgumentNullException.ThrowIfNull(config);
        this.config = config;
        var device = TorchRuntime.Select(config.Device);
        TorchRuntime.MakeDeterministic(seed);
        var init = new Random(seed);
        Actor = TorchMlp.Create(ActorShape(config), OutputActivation.Tanh, init, device);
        Critic = TorchMlp.Create(Sizes(Width, config.CriticHidden, 1), OutputActivation.Identity, init, device);
        TargetActor = Actor.Clone();
        TargetCritic = Critic.Clone();
        ActorOptimizer = new TorchAdam(Actor, config.ActorLearningRate);
        CriticOptimizer = new TorchAdam(Critic, config.CriticLearningRate);
        this.one = 1.0.ToScalar();
        this.minusOne = (-1.0).ToScalar();
        Replay = new ReplayBuffer(config.ReplayCapacity);
        this.inputs = new float[config.BatchSize * Width];
        this.nextInputs = new float[config.BatchSize * Width];
        this.rewards = new float[config.BatchSize];
        this.dones = new float[config.BatchSize];
        this.discounts = new float[config.BatchSize];
    }

    public TorchMlp Actor { get; }

    public TorchMlp Critic { get; }

    public TorchMlp TargetActor { get; }

    public TorchMlp TargetCritic { get; }

    public TorchAdam ActorOptimizer { get; }

    public TorchAdam CriticOptimizer { get; }

    public ReplayBuffer Replay { get; }

    public long Updates { get; private set; }

    public bool IsWarm => Replay.Count >= Math.Max(this.config.WarmupTransitions, 1);

    /// <summary>The deterministic policy mu(o) for n observations, [n x 2], each row on its own (as an EV decides).</summary>
    public ReadOnlySpan<float> Act(ReadOnlySpan<float> observations, int n) => Actor.PredictRows(observations, n);

    /// <summary>One critic and one actor step on a sampled batch, then the soft target updates. Returns the critic's TD loss.</summary>
    public double Update(Random random)
    {
        int b = this.config.BatchSize;
        Replay.Sample(random, b, this.inputs, this.rewards, this.nextInputs, this.dones);
        using var scope = NewDisposeScope();
        var device = Actor.Device;
        var inputs = Rows(this.inputs, b, Width, device);
        var next = Rows(this.nextInputs, b, Width, device);
        float gamma = (float)this.config.Gamma;
        for (int i = 0; i < b; i++)
        {
            this.discounts[i] = gamma * (1f - this.dones[i]);
        }

        var rewards = Rows(this.rewards, b, 1, device);
        var discounts = Rows(this.discounts, b, 1, device);

        Tensor targets;
        using (no_grad())
        {
            var nextInputs = WithActions(next, TargetActor.Forward(next.narrow(1, 0, Observation.Size)));
            targets = rewards.addcmul(discounts, TargetCritic.Forward(nextInputs), this.one);
        }

        // Mean squared TD error, written out (no Scalar argument crosses into libtorch without an owner).
        var error = Critic.Forward(inputs).add(targets, this.minusOne);
        var loss = error.mul(error).mean();
        CriticOptimizer.ZeroGrad();
        loss.backward();
        CriticOptimizer.Step();

        // The actor's step needs dQ/da through the critic but not the critic's own parameter gradients.
        SetRequiresGrad(Critic, false);
        var actorLoss = ActorLoss(Actor, Critic, inputs);
        ActorOptimizer.ZeroGrad();
        actorLoss.backward();
        ActorOptimizer.Step();
        SetRequiresGrad(Critic, true);

        TargetActor.SoftUpdateFrom(Actor, this.config.Tau);
        TargetCritic.SoftUpdateFrom(Critic, this.config.Tau);
        Updates++;
        return loss.item<float>();
    }

    /// <summary>
    /// L = -mean_b Q(o_b, mu(o_b), ctx_b): the critic inputs <paramref name="inputs"/> [b x 71] with their action
    /// slots replaced by the actor's actions on their observation slots. Autograd differentiates it into the actor.
    /// </summary>
    internal static Tensor ActorLoss(TorchMlp actor, TorchMlp critic, Tensor inputs) =>
        critic.Forward(WithActions(inputs, actor.Forward(inputs.narrow(1, 0, Observation.Size)))).mean().neg();

    /// <summary>Critic inputs [b x 71] whose action columns (12 and 13) are <paramref name="actions"/> [b x 2].</summary>
    internal static Tensor WithActions(Tensor inputs, Tensor actions) => cat(
        [
            inputs.narrow(1, 0, Observation.Size),
            actions,
            inputs.narrow(1, CriticContext.RowSize, Width - CriticContext.RowSize),
        ],
        1);

    /// <summary>Writes every network and both optimisers to a model file, stamped with <paramref name="training"/>.</summary>
    public void Save(string path, TrainingStamp training) => ModelFile.Save(
        path,
        [(ActorName, Actor), (CriticName, Critic), (TargetActorName, TargetActor), (TargetCriticName, TargetCritic)],
        [(ActorName, ActorOptimizer), (CriticName, CriticOptimizer)],
        training);

    /// <summary>Puts back a checkpoint written by <see cref="Save"/> (shapes must match the configuration).</summary>
    public void Restore(ModelContents checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        checkpoint.RestoreNetwork(ActorName, Actor);
        checkpoint.RestoreNetwork(CriticName, Critic);
        checkpoint.RestoreNetwork(TargetActorName, TargetActor);
        checkpoint.RestoreNetwork(TargetCriticName, TargetCritic);
        checkpoint.RestoreOptimiser(ActorName, ActorOptimizer);
        checkpoint.RestoreOptimiser(CriticName, CriticOptimizer);
    }

    /// <summary>The shared actor's layer widths: observation, hidden (ReLU), action (tanh).</summary>
    public static int[] ActorShape(LearningConfig config) => Sizes(Observation.Size, config.ActorHidden, ActionMapping.Size);

    internal static int[] Sizes(int input, IReadOnlyList<int> hidden, int output) => [input, .. hidden, output];

    public void Dispose()
    {
        ActorOptimizer.Dispose();
        CriticOptimizer.Dispose();
        Actor.Dispose();
        Critic.Dispose();
        TargetActor.Dispose();
        TargetCritic.Dispose();
        this.one.Dispose();
        this.minusOne.Dispose();
    }

    private static Tensor Rows(float[] values, int rows, int columns, Device device)
    {
        var t = tensor(values, [rows, columns]);
        return device.type == DeviceType.CPU ? t : t.to(device);
    }

    private static void SetRequiresGrad(TorchMlp network, bool value)
    {
        foreach (var p in network.Module.parameters())
        {
            p.requires_grad_(value);
        }
    }
}
