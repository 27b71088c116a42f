using Akka.Actor;
using V2V.Learning.Maddpg;
using V2V.Market.Protocol;

namespace V2V.Simulation.Cluster;

// The messages of training on a cluster (docs/cluster.md, "Training on a cluster"): the training process drives the
// critic singleton (CriticHost) episode by episode and has every agents member make the episode's learner and policy.

/// <summary>
/// Training -> the critic singleton, before each episode: the critic of <paramref name="Training"/> starts episode
/// <paramref name="Episode"/> with a fresh critic actor. With <paramref name="Starts"/> (the training's first episode in
/// its process) the critic makes a learner of <paramref name="Learning"/> for it, replacing any other training's, and
/// the model file it starts from follows (<see cref="RestoreCriticModel"/>); without, the critic must hold the training
/// already (a critic that lost it, on another member or after a failure, refuses rather than start again from
/// nothing). <paramref name="Driver"/> (the episode's driver in the training process) hears of the critic's failure
/// (<see cref="CriticFailed"/>). Answered with <see cref="CriticEpisodeBegun"/>.
/// </summary>
public sealed record BeginCriticEpisode(string Training, int Episode, LearningConfig Learning, int Seed, IActorRef Driver, bool Starts) : IProtocolMessage;

/// <summary>
/// Critic singleton -> training: episode <paramref name="Episode"/> is open; <paramref name="Critic"/> (the singleton
/// itself) takes the learners' batches, the subscriptions and the coordinator's step boundaries.
/// </summary>
public sealed record CriticEpisodeBegun(string Training, int Episode, IActorRef Critic) : IProtocolMessage;

/// <summary>
/// Training -> critic singleton, once the last EV has left: flush every learner of the episode, store what they sent,
/// and answer <see cref="CriticEpisodeEnded"/>.
/// </summary>
public sealed record EndCriticEpisode(string Training) : IProtocolMessage;

/// <summary>Critic singleton -> training: the episode's transitions are stored; the learner's totals so far.</summary>
public sealed record CriticEpisodeEnded(string Training, long Version, long Updates, long StoredTransitions, double LossSum) : IProtocolMessage;

/// <summary>
/// Training -> critic singleton: the bytes of the critic's model file (every network and both optimisers) from
/// <paramref name="Offset"/> on; offset 0 writes a fresh copy. Answered with <see cref="CriticModelPart"/>.
/// </summary>
public sealed record FetchCriticModel(string Training, long Offset) : IProtocolMessage;

/// <summary>Critic singleton -> training: <paramref name="Bytes"/> of the model file at <paramref name="Offset"/>, of <paramref name="Length"/> in all.</summary>
public sealed record CriticModelPart(string Training, long Offset, long Length, byte[] Bytes) : IProtocolMessage;

/// <summary>
/// Training -> critic singleton, on a training's first episode in this process (after <see cref="BeginCriticEpisode"/>):
/// part of the model file (networks and optimisers) the critic's learner starts from, the training process's own (new
/// from the seed, or a resumed checkpoint). Each part is answered with <see cref="CriticModelTaken"/>; the critic
/// restores its learner from the file once it has all <paramref name="Length"/> bytes.
/// </summary>
public sealed record RestoreCriticModel(string Training, long Offset, long Length, byte[] Bytes) : IProtocolMessage;

/// <summary>Critic singleton -> training: <paramref name="Received"/> bytes of the model file taken (all of them: restored).</summary>
public sealed record CriticModelTaken(string Training, long Received) : IProtocolMessage;

/// <summary>Training -> critic singleton: the training is over (or failed); drop its learner.</summary>
public sealed record FinishCritic(string Training) : IProtocolMessage;

/// <summary>
/// Training -> every agents member, after <see cref="RunSpec"/> of the episode's run <paramref name="Run"/>: make the
/// member's policy of the run (an actor of <paramref name="ActorSizes"/>), its policy holder and its learner, which
/// sends batches of <paramref name="BatchSize"/> to <paramref name="Critic"/>. Each EV of the run on the member then
/// bids with that policy plus its own Ornstein-Uhlenbeck noise (<paramref name="OuTheta"/>, <paramref name="Sigma"/>;
/// stream from <paramref name="Seed"/>, <paramref name="Episode"/> and its id) and sends its transitions to the learner.
/// Answered with <see cref="TrainingHosted"/>.
/// </summary>
public sealed record HostTraining(
    string Run, IReadOnlyList<int> ActorSizes, IActorRef Critic, int BatchSize, int Seed, int Episode, double Sigma, double OuTheta) : IProtocolMessage;

/// <summary>Member -> training: its policy holder and its learner of <paramref name="Run"/>.</summary>
public sealed record TrainingHosted(string Run, IActorRef Holder, IActorRef Learner) : IProtocolMessage;

/// <summary>
/// Critic singleton or member -> training, instead of the answer asked for: the request cannot be done, and why (one
/// line). The training stops with it.
/// </summary>
public sealed record TrainingRefused(string Reason) : IProtocolMessage;
