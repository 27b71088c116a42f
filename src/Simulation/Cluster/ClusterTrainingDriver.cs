using Akka.Actor;
using Akka.Cluster;
using V2V.Learning.Maddpg;
using static V2V.Learning.Actors.LearningProtocol;

namespace V2V.Simulation.Cluster;

/// <summary>
/// One training episode on a cluster, as the training process's run member drives it (a top-level actor of the run,
/// under its guardian): before step 0 (<see cref="Prepare"/>) it opens the episode on the critic singleton, has every
/// agents member make its learner and policy holder, registers the learners with the critic and subscribes the holders
/// (each answered only once the member has applied the critic's current version), and starts the episode; once the
/// last EV has left (<see cref="Finish"/>) it has the critic flush the learners and store the episode, fetches the
/// critic's model and tells the members to drop the episode's actors. It watches the critic: a critic that fails or
/// whose member leaves fails the run at once, naming the cause.
/// </summary>
public sealed class ClusterTrainingDriver : ReceiveActor
{
    // A part of a model file per message: well under the cluster's 4 MiB frame once encoded.
    internal const int PartBytes = 1 << 20;

    private readonly TimeSpan patience;
    private IActorRef critic = ActorRefs.Nobody;
    private IReadOnlyList<Member> members = [];

    /// <param name="training">The training's id (the critic keeps one learner per id).</param>
    /// <param name="criticProxy">A proxy to the critic singleton (<see cref="CriticSingleton.ProxyProps"/>), kept on the training's member across its episodes.</param>
    /// <param name="run">The episode's run id (its spec is on every agents member).</param>
    /// <param name="last">Whether this is the training's last episode (the critic then drops its learner).</param>
    /// <param name="start">The model file the critic's learner starts from, on the training's first episode here (null after).</param>
    public ClusterTrainingDriver(
        string training, IActorRef criticProxy, string run, int episode, LearningConfig learning, int seed, double sigma, TimeSpan patience, bool last, byte[]? start)
    {
        this.patience = patience;
        var self = Self;
        ReceiveAsync<Prepare>(_ => Answer(async () =>
        {
            var begun = await Begin(criticProxy, training, episode, learning, seed, starts: start is not null);
            critic = begun.Critic;
            Context.Watch(critic);
            if (start is not null)
            {
                await SendModel(training, start);
            }

            var cluster = Akka.Cluster.Cluster.Get(Context.System);
            members = [.. cluster.State.Members.Where(m => m.Status == MemberStatus.Up && m.HasRole(ClusterRoles.Agents))];
            var sizes = MaddpgLearner.ActorShape(learning);
            foreach (var member in members)
            {
                var hosted = await Ask<TrainingHosted>(
                    TrainingMember(member), new HostTraining(run, sizes, critic, learning.BatchSize, seed, episode, sigma, learning.OuTheta), member);
                critic.Tell(new RegisterLearner(hosted.Learner), self);
                await Ask<TrainingDone>(critic, new SubscribePolicy(hosted.Holder), member);
            }

            await Ask<TrainingDone>(critic, new EpisodeStarted(episode), null);
            return new Prepared(critic);
        }));
        ReceiveAsync<Finish>(_ => Answer(async () =>
        {
            var ended = await Ask<CriticEpisodeEnded>(critic, new EndCriticEpisode(training), null);
            var model = await FetchModel(training);
            if (last)
            {
                critic.Tell(new FinishCritic(training), self);
            }

            foreach (var member in members)
            {
                TrainingMember(member).Tell(new ForgetRun(run), self);
            }

            return new Finished(ended, model);
        }));
        Receive<CriticFailed>(f => throw new InvalidOperationException($"the critic of training {f.Training} failed: {f.Reason}"));
        Receive<Terminated>(t => throw new InvalidOperationException(
            $"the critic singleton on {t.ActorRef.Path.Address} stopped (its member left the cluster); the training cannot go on"));
    }

    public static Props Props(
        string training, IActorRef criticProxy, string run, int episode, LearningConfig learning, int seed, double sigma, TimeSpan patience, bool last, byte[]? start) =>
        Akka.Actor.Props.Create(() => new ClusterTrainingDriver(training, criticProxy, run, episode, learning, seed, sigma, patience, last, start));

    /// <summary>To the driver, before step 0: ready the episode; answered with <see cref="Prepared"/>.</summary>
    public sealed record Prepare : INoSerializationVerificationNeeded
    {
        public static Prepare Instance { get; } = new();
    }

    /// <summary>The episode is ready; <paramref name="Critic"/> is the coordinator's training gate.</summary>
    public sealed record Prepared(IActorRef Critic) : INoSerializationVerificationNeeded;

    /// <summary>To the driver, once the last EV has left: store the episode; answered with <see cref="Finished"/>.</summary>
    public sealed record Finish : INoSerializationVerificationNeeded
    {
        public static Finish Instance { get; } = new();
    }

    /// <summary>The critic's counts after the episode, and its model file's bytes.</summary>
    public sealed record Finished(CriticEpisodeEnded Ended, byte[] Model) : INoSerializationVerificationNeeded;

    // The critic's member is found through the singleton proxy (which waits until the cluster knows where it is).
    private async Task<CriticEpisodeBegun> Begin(IActorRef proxy, string training, int episode, LearningConfig learning, int seed, bool starts)
    {
        var begin = new BeginCriticEpisode(training, episode, learning, seed, Self, starts);
        try
        {
            return Expect<CriticEpisodeBegun>(begin, await proxy.Ask<object>(begin, patience));
        }
        catch (AskTimeoutException)
        {
            var up = Akka.Cluster.Cluster.Get(Context.System).State.Members.Count(m => m.Status == MemberStatus.Up && m.HasRole(ClusterRoles.Learning));
            throw new ClusterUnavailableException(
                $"no critic answered within {patience.TotalSeconds:0.#} s: the cluster has {up} member(s) with role {ClusterRoles.Learning} up; training needs 1 (start one: v2v node --roles {ClusterRoles.Learning})");
        }
    }

    private async Task SendModel(string training, byte[] model)
    {
        long offset = 0;
        do
        {
            var count = (int)Math.Min(PartBytes, model.Length - offset);
            var taken = await Ask<CriticModelTaken>(critic, new RestoreCriticModel(training, offset, model.Length, model.AsSpan((int)offset, count).ToArray()), null);
            offset = taken.Received;
        }
        while (offset < model.Length);
    }

    private async Task<byte[]> FetchModel(string training)
    {
        var first = await Ask<CriticModelPart>(critic, new FetchCriticModel(training, 0), null);
        var model = new byte[first.Length];
        first.Bytes.CopyTo(model, 0);
        long offset = first.Bytes.Length;
        while (offset < model.Length)
        {
            var part = await Ask<CriticModelPart>(critic, new FetchCriticModel(training, offset), null);
            part.Bytes.CopyTo(model, offset);
            offset += part.Bytes.Length;
        }

        return model;
    }

    private ActorSelection TrainingMember(Member member) =>
        Context.ActorSelection(new RootActorPath(member.Address) / "user" / ClusterTrainingMember.Name);

    private async Task<T> Ask<T>(ICanTell to, object message, Member? member)
    {
        object answer;
        try
        {
            answer = await to.Ask<object>(message, patience);
        }
        catch (AskTimeoutException)
        {
            var who = member is null ? "the critic" : $"member {member.Address.Host}:{member.Address.Port}";
            throw new ClusterUnavailableException($"{who} did not answer {message.GetType().Name} within {patience.TotalSeconds:0.#} s");
        }

        return Expect<T>(message, answer);
    }

    private static T Expect<T>(object message, object answer) => answer switch
    {
        T expected => expected,
        TrainingRefused refused => throw new ClusterUnavailableException(refused.Reason),
        _ => throw new InvalidOperationException($"{message.GetType().Name} was answered with {answer.GetType().Name}"),
    };

    // The asker hears of a failure at once (it waits for the answer); the driver then fails, and with it the run.
    private async Task Answer(Func<Task<object>> work)
    {
        var asker = Sender;
        try
        {
            asker.Tell(await work(), Self);
        }
        catch (Exception e)
        {
            asker.Tell(new Status.Failure(e), Self);
            throw;
        }
    }
}
