using Akka.Actor;
using Akka.Cluster.Tools.Singleton;
using V2V.Learning.Actors;
using V2V.Learning.Maddpg;
using V2V.Learning.Networks;
using V2V.Market.Protocol;
using static V2V.Learning.Actors.LearningProtocol;

namespace V2V.Simulation.Cluster;

/// <summary>
/// The critic as a cluster singleton (DESIGN step 6 across members): one <see cref="CriticHost"/> in the whole cluster,
/// on the oldest member with the <c>learning</c> role, under a <see cref="ClusterSingletonManager"/> that every such
/// member starts. It is reached through a <see cref="ClusterSingletonProxy"/> only to begin an episode; the answer
/// names the singleton itself, which the episode's learners, policy holders and coordinator then address directly.
/// </summary>
public static class CriticSingleton
{
    /// <summary>The singleton manager's name on every learning member: the singleton is <c>/user/v2v-critic/singleton</c>.</summary>
    public const string Name = "v2v-critic";

    /// <summary>Starts this member's singleton manager (a member with the learning role may host the critic).</summary>
    public static void Start(ActorSystem system) => system.ActorOf(
        ClusterSingletonManager.Props(
            CriticHost.Props(),
            PoisonPill.Instance,
            ClusterSingletonManagerSettings.Create(system).WithRole(ClusterRoles.Learning)),
        Name);

    /// <summary>Props of a proxy to the critic singleton, from any member.</summary>
    public static Props ProxyProps(ActorSystem system) => ClusterSingletonProxy.Props(
        $"/user/{Name}", ClusterSingletonProxySettings.Create(system).WithRole(ClusterRoles.Learning));
}

/// <summary>Critic singleton -> the episode's driver: the critic actor failed; the training stops with <paramref name="Reason"/>.</summary>
public sealed record CriticFailed(string Training, string Reason) : IProtocolMessage;

/// <summary>
/// The critic singleton: it keeps one training's learner (replay buffer, networks, optimisers) and
/// <see cref="CriticTrainer"/> across episodes, and makes a fresh <see cref="CriticActor"/> child for each episode, as
/// one process does. Everything the host does not handle itself goes to that child with its sender, so the learners'
/// batches, their step flushes, the subscriptions and the coordinator's step boundaries reach it in the order they
/// reached the host. At the episode's end the host flushes every learner registered in the episode (their answers
/// come after their batches, through the host), then has the child store what is staged: the replay buffer's contents
/// do not depend on which member sent what when. The learner and trainer are read by the host only while the child
/// is idle (after the episode's end). A failed child is stopped, never restarted; the failure is reported to the
/// episode's driver, and the training's later episodes are refused.
/// </summary>
public sealed class CriticHost : ReceiveActor
{
    // The learners' flush at an episode's end: no market step has this number.
    private const int EpisodeEndFlush = -1;

    private readonly List<IActorRef> learners = [];
    private string? training;
    private MaddpgLearner? learner;
    private CriticTrainer? trainer;
    private IActorRef critic = ActorRefs.Nobody;
    private IActorRef driver = ActorRefs.Nobody;
    private IActorRef ending = ActorRefs.Nobody;
    private int flushed;
    private byte[] model = [];
    private byte[] incoming = [];
    private string? failure;

    // Children get names of their own: a stopped one's name may still be taken when the next starts.
    private long incarnation;

    public CriticHost()
    {
        Receive<BeginCriticEpisode>(Begin);
        Receive<RegisterLearner>(r =>
        {
            learners.Add(r.Learner);
            critic.Forward(r);
        });
        Receive<EndCriticEpisode>(e => Ended(e.Training));
        Receive<StepFlushed>(f => f.Step == EpisodeEndFlush, _ =>
        {
            if (++flushed == learners.Count)
            {
                critic.Tell(EpisodeEnded.Instance, Self);
            }
        });
        Receive<TrainingDone>(_ => ending != ActorRefs.Nobody, _ =>
        {
            ending.Tell(new CriticEpisodeEnded(training!, trainer!.Version, learner!.Updates, learner.Replay.Added, trainer.LossSum), Self);
            ending = ActorRefs.Nobody;
        });
        Receive<FetchCriticModel>(f => Answering(() => Fetch(f)));
        Receive<RestoreCriticModel>(r => Answering(() => Restore(r)));
        Receive<FinishCritic>(f =>
        {
            if (f.Training == training)
            {
                Drop();
            }
        });
        ReceiveAny(m => critic.Forward(m));
    }

    public static Props Props() => Akka.Actor.Props.Create(() => new CriticHost());

    // The children have stopped by now; only the learner's native memory is left to free.
    protected override void PostStop() => learner?.Dispose();

    // A failed critic is stopped, never restarted (it would go on with the failing message dropped); the episode's
    // driver fails the run with the reason.
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(cause =>
    {
        failure = $"{cause.GetType().Name}: {cause.Message.ReplaceLineEndings(" ")}";
        driver.Tell(new CriticFailed(training ?? "", failure), Self);
        return Directive.Stop;
    });

    private void Begin(BeginCriticEpisode begin)
    {
        if (failure is not null && begin.Training == training)
        {
            Refuse($"the critic of training {training} failed: {failure}");
            return;
        }

        if (begin.Training != training && !begin.Starts)
        {
            var member = Akka.Cluster.Cluster.Get(Context.System).SelfAddress;
            Refuse($"the critic singleton (now on {member.Host}:{member.Port}) does not hold training {begin.Training}: its member changed or it restarted, and the training cannot go on");
            return;
        }

        // One training at a time: a new one (the previous one finished, or died with its process) replaces the old.
        if (begin.Starts)
        {
            Drop();
            training = begin.Training;
            learner = new MaddpgLearner(begin.Learning, begin.Seed);
            trainer = new CriticTrainer(learner, begin.Seed);
        }

        if (critic != ActorRefs.Nobody)
        {
            Context.Stop(critic);
        }

        learners.Clear();
        driver = begin.Driver;
        critic = Context.ActorOf(CriticActor.Props(trainer!, begin.Learning.UpdatesPerStep), $"critic-{++incarnation}");
        Sender.Tell(new CriticEpisodeBegun(begin.Training, begin.Episode, Self), Self);
    }

    // A model file that does not save or load fails the asker's episode at once, naming the cause; the host goes on.
    private void Answering(Action handle)
    {
        try
        {
            handle();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ModelFileException)
        {
            failure = $"{e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}";
            Refuse($"the critic of training {training} failed: {failure}");
        }
    }

    // An answer the asker on another member can read (an exception in Status.Failure does not cross a node whole).
    private void Refuse(string reason) => Sender.Tell(new TrainingRefused(reason), Self);

    private void Ended(string of)
    {
        if (of != training || critic == ActorRefs.Nobody)
        {
            Refuse($"the critic has no open episode of training {of}");
            return;
        }

        ending = Sender;
        flushed = 0;
        if (learners.Count == 0)
        {
            critic.Tell(EpisodeEnded.Instance, Self);
            return;
        }

        foreach (var l in learners)
        {
            l.Tell(new StepFlush(EpisodeEndFlush), Self);
        }
    }

    private void Fetch(FetchCriticModel fetch)
    {
        if (fetch.Training != training || learner is null)
        {
            Refuse($"the critic holds no training {fetch.Training}");
            return;
        }

        if (fetch.Offset == 0)
        {
            model = Save(learner);
        }

        int offset = (int)Math.Min(fetch.Offset, model.Length);
        int count = Math.Min(ClusterTrainingDriver.PartBytes, model.Length - offset);
        Sender.Tell(new CriticModelPart(training, offset, model.Length, model.AsSpan(offset, count).ToArray()), Self);
    }

    private void Restore(RestoreCriticModel part)
    {
        if (part.Training != training || learner is null || (part.Offset != 0 && part.Offset != incoming.Length) || part.Offset + part.Bytes.Length > part.Length)
        {
            Refuse($"the critic of training {training} cannot take bytes {part.Offset}.. of a model of {part.Length} for training {part.Training}");
            return;
        }

        incoming = part.Offset == 0 ? part.Bytes : [.. incoming, .. part.Bytes];
        if (incoming.Length == part.Length)
        {
            CriticModels.Restore(learner, incoming);
            incoming = [];
        }

        Sender.Tell(new CriticModelTaken(part.Training, part.Offset + part.Bytes.Length), Self);
    }

    private static byte[] Save(MaddpgLearner learner) => CriticModels.Save(learner, new TrainingStamp("critic", 0, 0));

    private void Drop()
    {
        if (critic != ActorRefs.Nobody)
        {
            Context.Stop(critic);
            critic = ActorRefs.Nobody;
        }

        learner?.Dispose();
        learner = null;
        trainer = null;
        training = null;
        failure = null;
        model = [];
        incoming = [];
    }
}

/// <summary>A learner's model file as bytes, and back (<see cref="ModelFile"/> reads and writes files only).</summary>
internal static class CriticModels
{
    /// <summary>The bytes of the model file of <paramref name="learner"/> (every network and both optimisers).</summary>
    public static byte[] Save(MaddpgLearner learner, TrainingStamp stamp) => ThroughFile(path =>
    {
        learner.Save(path, stamp);
        return File.ReadAllBytes(path);
    });

    /// <summary>Puts the networks and optimisers of the model file <paramref name="model"/> into <paramref name="learner"/>.</summary>
    public static void Restore(MaddpgLearner learner, byte[] model) => ThroughFile(path =>
    {
        File.WriteAllBytes(path, model);
        learner.Restore(ModelFile.Load(path));
        return 0;
    });

    private static T ThroughFile<T>(Func<string, T> use)
    {
        var path = Path.Combine(Path.GetTempPath(), $"v2v-critic-{Guid.NewGuid():N}.v2vnn");
        try
        {
            return use(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
