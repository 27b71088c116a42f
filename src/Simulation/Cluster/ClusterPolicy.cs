using Akka.Actor;
using Akka.Cluster;
using V2V.Learning;
using V2V.Learning.Actors;
using V2V.Market.Protocol;
using static V2V.Learning.Actors.LearningProtocol;

namespace V2V.Simulation.Cluster;

/// <summary>
/// Run -> every member that may hold its EVs, after <see cref="RunSpec"/>, for a run whose EVs bid with a learned
/// policy: make this run's policy on the member, an actor of <paramref name="ActorSizes"/> (observations first) that no
/// EV uses before a version arrives, and the member's policy holder that applies the versions to it. The EVs of every
/// spec in <paramref name="Specs"/> (the run's own id, or each facility's RUN/fNNN in a run of several) bid with that
/// one policy, so a version reaches a member once whatever its facilities. Answered with <see cref="PolicyHosted"/>.
/// </summary>
[ProtocolVersion(2)]
public sealed record HostPolicy(string Run, IReadOnlyList<int> ActorSizes, IReadOnlyList<string> Specs) : IProtocolMessage;

/// <summary>Member -> run: its policy holder of <paramref name="Run"/>; versions go to it.</summary>
public sealed record PolicyHosted(string Run, IActorRef Holder) : IProtocolMessage;

/// <summary>
/// How the policy versions of a learned run reach the EVs of a cluster (DESIGN step 6 across members): each agents
/// member holds one <see cref="VersionedPolicy"/> per run, which every EV of the run on that member bids with, and a
/// <see cref="PolicyHolderActor"/> that applies the versions published to it. A version crosses the network once per
/// member, not once per EV. Step 0 opens only when every member has applied the model's version, as in one process.
/// </summary>
internal static class ClusterPolicy
{
    private const string FrameSizeKey = "akka.remote.dot-netty.tcp.maximum-frame-size";

    /// <summary>
    /// Refuses, before anything is sent, a model whose version would not fit in one network frame of
    /// <paramref name="system"/> (Akka drops such a message with only a log line, and the run would wait in vain).
    /// </summary>
    public static void CheckFits(ActorSystem system, PolicyModel model)
    {
        var version = model.Publish();
        var bytes = system.Serialization.FindSerializerFor(version).ToBinary(version).Length;
        var frame = system.Settings.Config.GetByteSize(FrameSizeKey) ?? 0;
        if (bytes > frame)
        {
            throw new ClusterUnavailableException(
                $"the model {model.File} ({string.Join("-", model.ActorSizes)} actor) is {bytes / 1024.0:F0} kB on the wire; a cluster message may hold {frame / 1024.0:F0} kB ({FrameSizeKey}): a model this large runs in one process only");
        }
    }

    /// <summary>
    /// Makes <paramref name="run"/>'s policy and holder on every one of <paramref name="members"/>, for the EVs of
    /// <paramref name="specs"/>, publishes <paramref name="model"/>'s version to each holder and waits for each member to
    /// apply it. A member that does not answer within <paramref name="patience"/>, or applies another version, is a
    /// <see cref="ClusterUnavailableException"/> naming it.
    /// </summary>
    public static void PublishBeforeStepZero(
        ActorSystem system,
        string run,
        IReadOnlyList<string> specs,
        IReadOnlyList<Member> members,
        PolicyModel model,
        TimeSpan patience,
        CancellationToken cancellation)
    {
        var version = model.Publish();
        foreach (var member in members)
        {
            var name = $"{member.Address.Host}:{member.Address.Port}";
            var keeper = system.ActorSelection(new RootActorPath(member.Address) / "user" / RunSpecHolder.Name);
            PolicyApplied applied;
            try
            {
                var hosted = keeper.Ask<PolicyHosted>(new HostPolicy(run, model.ActorSizes, specs), patience, cancellation).GetAwaiter().GetResult();
                applied = hosted.Holder.Ask<PolicyApplied>(version, patience, cancellation).GetAwaiter().GetResult();
            }
            catch (AskTimeoutException)
            {
                throw new ClusterUnavailableException(
                    $"member {name} did not apply version {version.Version} of the model {model.File} within {patience.TotalSeconds:0.#} s");
            }

            if (applied.Version != version.Version)
            {
                throw new ClusterUnavailableException(
                    $"member {name} applied version {applied.Version} of the model {model.File}, not {version.Version}");
            }
        }
    }
}
