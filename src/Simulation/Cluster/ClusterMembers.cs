using Akka.Actor;
using Akka.Cluster;

namespace V2V.Simulation.Cluster;

/// <summary>Waiting, bounded, for this member to join and for the members a run needs (never for ever).</summary>
public static class ClusterMembers
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    /// <summary>Returns once this member is up; throws <see cref="ClusterUnavailableException"/> after <paramref name="timeout"/>.</summary>
    public static void WaitUntilUp(ActorSystem system, string seed, TimeSpan timeout, CancellationToken cancellation = default)
    {
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Akka.Cluster.Cluster.Get(system).RegisterOnMemberUp(() => up.TrySetResult());
        if (!up.Task.Wait(timeout, cancellation))
        {
            throw new ClusterUnavailableException(
                $"could not join the cluster at seed {seed} within {Seconds(timeout)}: no member answers there (start the seed member first: v2v node --seed {seed} --port PORT)");
        }
    }

    /// <summary>
    /// Returns the members that are up with <paramref name="role"/> once there are at least <paramref name="count"/>;
    /// throws <see cref="ClusterUnavailableException"/> after <paramref name="timeout"/>, naming the role and the counts.
    /// </summary>
    public static IReadOnlyList<Member> WaitForRole(ActorSystem system, string role, int count, string seed, TimeSpan timeout, CancellationToken cancellation = default)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var members = cluster.State.Members.Where(m => m.Status == MemberStatus.Up && m.HasRole(role)).ToList();
            if (members.Count >= count)
            {
                return members;
            }

            if (clock.Elapsed >= timeout)
            {
                throw new ClusterUnavailableException(
                    $"the cluster at seed {seed} has {members.Count} member(s) with role {role} up after {Seconds(timeout)}; the run needs {count} (start more: v2v node --seed {seed} --roles {role})");
            }

            Task.Delay(Poll, cancellation).Wait(cancellation);
        }
    }

    private static string Seconds(TimeSpan t) => $"{t.TotalSeconds:0.#} s";
}
