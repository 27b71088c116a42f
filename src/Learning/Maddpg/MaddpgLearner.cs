using V2V.Learning.Nn;
using V2V.Market.Vehicles;

namespace V2V.Learning.Maddpg;

/// <summary>
/// SPEC 7: one shared actor, one shared centralised critic, their target networks and the replay buffer.
/// Critic: y = r + gamma (1 - done) Q'(o', mu'(o'), ctx'), minimise (Q(o, a, ctx) - y)^2. Actor: maximise
/// Q(o, mu(o), ctx) with the context as stored (the other agents' actions are the ones they took: our
/// simplification of MADDPG's joint re-evaluation, which is what lets one critic serve any N).
/// Single-threaded and seeded: the same calls give the same weights.
/// </summary>
public sealed class MaddpgLearner
{
    public const string ActorName = "actor";
    public const string CriticName = "critic";
    public const string TargetActorName = "target-actor";
    public const string TargetCriticName = "target-critic";

    private const int Width = CriticContext.CriticInputSize;
    private readonly LearningConfig _config;
    private readonly int _batch;
    private readonly float[] _inputs;
    private readonly float[] _nextInputs;
    private readonly float[] _rewards;
    private readonly float[] _dones;
    private readonly float[] _observations;
    private readonly float[] _targets;
    private readonly float[] _lossGradient;
    private readonly float[] _dInputs;
    private readonly float[] _dActions;
    private readonly float[] _dQ;

    public MaddpgLearner(LearningConfig config, int seed)
    {
        _config = config;
        var init = new Random(seed);
        Actor = Mlp<float>.Create(Sizes(Observation.Size, config.ActorHidden, ActionMapping.Size), Activation.Relu, Activation.Tanh, init);
        Critic = Mlp<float>.Create(Sizes(Width, config.CriticHidden, 1), Activation.Relu, Activation.Identity, init);
        TargetActor = Actor.Clone();
        TargetCritic = Critic.Clone();
        ActorOptimizer = new AdamOptimizer<float>(Actor, new AdamOptions(config.ActorLearningRate));
        CriticOptimizer = new AdamOptimizer<float>(Critic, new AdamOptions(config.CriticLearningRate));
        Replay = new ReplayBuffer(config.ReplayCapacity);
        _batch = config.BatchSize;
        _inputs = new float[_batch * Width];
        _nextInputs = new float[_batch * Width];
        _rewards = new float[_batch];
        _dones = new float[_batch];
        _observations = new float[_batch * Observation.Size];
        _targets = new float[_batch];
        _lossGradient = new float[_batch];
        _dInputs = new float[_batch * Width];
        _dActions = new float[_batch * ActionMapping.Size];
        _dQ = new float[_batch];
    }

    public Mlp<float> Actor { get; }

    public Mlp<float> Critic { get; }

    public Mlp<float> TargetActor { get; }

    public Mlp<float> TargetCritic { get; }

    public AdamOptimizer<float> ActorOptimizer { get; }

    public AdamOptimizer<float> CriticOptimizer { get; }

    public ReplayBuffer Replay { get; }

    public long Updates { get; private set; }

    public bool IsWarm => Replay.Count >= Math.Max(_config.WarmupTransitions, 1);

    /// <summary>The deterministic policy mu(o) for n observations; the span is the actor's buffer (copy it).</summary>
    public ReadOnlySpan<float> Act(ReadOnlySpan<float> observations, int n) => Actor.Forward(observations, n);

    /// <summary>One critic and one actor step on a sampled batch, then the soft target updates. Returns the critic's TD loss.</summary>
    public double Update(Random random)
    {
        int b = _batch;
        Replay.Sample(random, b, _inputs, _rewards, _nextInputs, _dones);

        // Targets: the target actor fills the next inputs' action slots.
        CopyObservations(_nextInputs, b);
        var nextActions = TargetActor.Forward(_observations, b);
        WriteActions(nextActions, _nextInputs, b);
        var nextQ = TargetCritic.Forward(_nextInputs, b);
        float gamma = (float)_config.Gamma;
        for (int i = 0; i < b; i++)
        {
            _targets[i] = _rewards[i] + (gamma * (1f - _dones[i]) * nextQ[i]);
        }

        Critic.ZeroGrad();
        var q = Critic.Forward(_inputs, b);
        double loss = Losses.MeanSquaredError<float>(q, _targets, _lossGradient);
        Critic.Backward(_lossGradient);
        CriticOptimizer.Step();

        AccumulateActorGradient(_inputs, b);
        ActorOptimizer.Step();

        float tau = (float)_config.Tau;
        TargetActor.SoftUpdateFrom(Actor, tau);
        TargetCritic.SoftUpdateFrom(Critic, tau);
        Updates++;
        return loss;
    }

    /// <summary>
    /// The actor's gradient of L = -mean_b Q(o_b, mu(o_b), ctx_b) into <see cref="Mlp{T}.Gradients"/>: dQ/da through
    /// the critic (its own parameter gradients untouched), then back through the actor. <paramref name="inputs"/>
    /// are critic inputs whose action slots are overwritten with mu(o).
    /// </summary>
    internal void AccumulateActorGradient(float[] inputs, int b)
    {
        CopyObservations(inputs, b);
        Actor.ZeroGrad();
        var actions = Actor.Forward(_observations.AsSpan(0, b * Observation.Size), b);
        WriteActions(actions, inputs, b);
        Critic.Forward(inputs.AsSpan(0, b * Width), b);
        var dQ = _dQ.AsSpan(0, b);
        dQ.Fill(-1f / b);
        var dInputs = _dInputs.AsSpan(0, b * Width);
        Critic.Backward(dQ, dInputs, accumulateParameterGradients: false);
        for (int i = 0; i < b; i++)
        {
            dInputs.Slice((i * Width) + Observation.Size, ActionMapping.Size).CopyTo(_dActions.AsSpan(i * ActionMapping.Size));
        }

        Actor.Backward(_dActions.AsSpan(0, b * ActionMapping.Size));
    }

    /// <summary>Every network and both optimisers, for a checkpoint.</summary>
    public ModelCheckpoint<float> ToCheckpoint(IReadOnlyDictionary<string, string> metadata) => new(
        [
            new(ActorName, Actor, ActorOptimizer),
            new(CriticName, Critic, CriticOptimizer),
            new(TargetActorName, TargetActor),
            new(TargetCriticName, TargetCritic),
        ],
        metadata);

    /// <summary>Puts back a checkpoint written by <see cref="ToCheckpoint"/> (shapes must match the configuration).</summary>
    public void Restore(ModelCheckpoint<float> checkpoint)
    {
        checkpoint.RestoreInto(ActorName, Actor, ActorOptimizer);
        checkpoint.RestoreInto(CriticName, Critic, CriticOptimizer);
        checkpoint.RestoreInto(TargetActorName, TargetActor);
        checkpoint.RestoreInto(TargetCriticName, TargetCritic);
    }

    /// <summary>The shared actor's layers: observation, ReLU hidden layers, tanh action.</summary>
    public static LayerShape[] ActorShape(LearningConfig config)
    {
        var sizes = Sizes(Observation.Size, config.ActorHidden, ActionMapping.Size);
        var shape = new LayerShape[sizes.Length - 1];
        for (int l = 0; l < shape.Length; l++)
        {
            shape[l] = new LayerShape(sizes[l], sizes[l + 1], l == shape.Length - 1 ? Activation.Tanh : Activation.Relu);
        }

        return shape;
    }

    internal static int[] Sizes(int input, IReadOnlyList<int> hidden, int output)
    {
        var sizes = new int[hidden.Count + 2];
        sizes[0] = input;
        for (int i = 0; i < hidden.Count; i++)
        {
            sizes[i + 1] = hidden[i];
        }

        sizes[^1] = output;
        return sizes;
    }

    private void CopyObservations(float[] inputs, int b)
    {
        for (int i = 0; i < b; i++)
        {
            inputs.AsSpan(i * Width, Observation.Size).CopyTo(_observations.AsSpan(i * Observation.Size));
        }
    }

    private static void WriteActions(ReadOnlySpan<float> actions, float[] inputs, int b)
    {
        for (int i = 0; i < b; i++)
        {
            actions.Slice(i * ActionMapping.Size, ActionMapping.Size).CopyTo(inputs.AsSpan((i * Width) + Observation.Size));
        }
    }
}
