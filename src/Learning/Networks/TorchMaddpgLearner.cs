using TorchSharp;
using TorchSharp.Modules;
using V2V.Learning.Maddpg;
using V2V.Market.Vehicles;
using static TorchSharp.torch;

namespace V2V.Learning.Networks;

/// <summary>
/// SPEC 7's Nash-MADDPG update on TorchSharp: the shared actor and the pooled centralised critic, their target
/// networks (soft updates) and Adam, with autograd doing every backward pass. The same maths as
/// <see cref="MaddpgLearner"/>: critic y = r + gamma (1 - done) Q'(o', mu'(o'), ctx'), minimise the mean of
/// (Q(o, a, ctx) - y)^2; actor maximise the mean of Q(o, mu(o), ctx) with the context as stored. Replay sampling
/// stays on the caller's seeded <see cref="Random"/> and initialisation on <see cref="NetworkInitialisation"/>, so a
/// seed fixes the weights. Not yet what `v2v train` runs: <see cref="MaddpgLearner"/> still is.
/// </summary>
public sealed class TorchMaddpgLearner : IDisposable
{
    private const int Width = CriticContext.CriticInputSize;
    private readonly LearningConfig _config;
    private readonly float[] _inputs;
    private readonly float[] _nextInputs;
    private readonly float[] _rewards;
    private readonly float[] _dones;

    public TorchMaddpgLearner(LearningConfig config, int seed, Device device)
    {
        ArgumentNullException.ThrowIfNull(config);
        _config = config;
        TorchRuntime.MakeDeterministic(seed);
        var init = new Random(seed);
        Actor = TorchMlp.Create(MaddpgLearner.Sizes(Observation.Size, config.ActorHidden, ActionMapping.Size), OutputActivation.Tanh, init, device);
        Critic = TorchMlp.Create(MaddpgLearner.Sizes(Width, config.CriticHidden, 1), OutputActivation.Identity, init, device);
        TargetActor = Actor.Clone();
        TargetCritic = Critic.Clone();
        ActorOptimizer = optim.Adam(Actor.Module.parameters(), config.ActorLearningRate);
        CriticOptimizer = optim.Adam(Critic.Module.parameters(), config.CriticLearningRate);
        Replay = new ReplayBuffer(config.ReplayCapacity);
        _inputs = new float[config.BatchSize * Width];
        _nextInputs = new float[config.BatchSize * Width];
        _rewards = new float[config.BatchSize];
        _dones = new float[config.BatchSize];
    }

    public TorchMlp Actor { get; }

    public TorchMlp Critic { get; }

    public TorchMlp TargetActor { get; }

    public TorchMlp TargetCritic { get; }

    public Adam ActorOptimizer { get; }

    public Adam CriticOptimizer { get; }

    public ReplayBuffer Replay { get; }

    public long Updates { get; private set; }

    public bool IsWarm => Replay.Count >= Math.Max(_config.WarmupTransitions, 1);

    /// <summary>The deterministic policy mu(o) for n observations, [n x 2] row-major.</summary>
    public float[] Act(ReadOnlySpan<float> observations, int n) => Actor.Predict(observations, n);

    /// <summary>One critic and one actor step on a sampled batch, then the soft target updates. Returns the critic's TD loss.</summary>
    public double Update(Random random)
    {
        int b = _config.BatchSize;
        Replay.Sample(random, b, _inputs, _rewards, _nextInputs, _dones);
        using var scope = NewDisposeScope();
        var device = Actor.Device;
        var inputs = Rows(_inputs, b, Width, device);
        var next = Rows(_nextInputs, b, Width, device);
        var rewards = Rows(_rewards, b, 1, device);
        var dones = Rows(_dones, b, 1, device);

        Tensor targets;
        using (no_grad())
        {
            var nextInputs = WithActions(next, TargetActor.Forward(next.narrow(1, 0, Observation.Size)));
            targets = rewards + ((float)_config.Gamma * (1f - dones) * TargetCritic.Forward(nextInputs));
        }

        var loss = nn.functional.mse_loss(Critic.Forward(inputs), targets);
        CriticOptimizer.zero_grad();
        loss.backward();
        CriticOptimizer.step();

        // The actor's step needs dQ/da through the critic but not the critic's own parameter gradients.
        SetRequiresGrad(Critic, false);
        var actorLoss = ActorLoss(Actor, Critic, inputs);
        ActorOptimizer.zero_grad();
        actorLoss.backward();
        ActorOptimizer.step();
        SetRequiresGrad(Critic, true);

        TargetActor.SoftUpdateFrom(Actor, _config.Tau);
        TargetCritic.SoftUpdateFrom(Critic, _config.Tau);
        Updates++;
        return loss.item<float>();
    }

    /// <summary>
    /// L = -mean_b Q(o_b, mu(o_b), ctx_b): the critic inputs <paramref name="inputs"/> [b x 71] with their action
    /// slots replaced by the actor's actions on their observation slots. Autograd differentiates it into the actor.
    /// </summary>
    internal static Tensor ActorLoss(TorchMlp actor, TorchMlp critic, Tensor inputs) =>
        -critic.Forward(WithActions(inputs, actor.Forward(inputs.narrow(1, 0, Observation.Size)))).mean();

    /// <summary>Critic inputs [b x 71] whose action columns (12 and 13) are <paramref name="actions"/> [b x 2].</summary>
    internal static Tensor WithActions(Tensor inputs, Tensor actions) => cat(
        [
            inputs.narrow(1, 0, Observation.Size),
            actions,
            inputs.narrow(1, CriticContext.RowSize, Width - CriticContext.RowSize),
        ],
        1);

    public void Dispose()
    {
        ActorOptimizer.Dispose();
        CriticOptimizer.Dispose();
        Actor.Dispose();
        Critic.Dispose();
        TargetActor.Dispose();
        TargetCritic.Dispose();
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
