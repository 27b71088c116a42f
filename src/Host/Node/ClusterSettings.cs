using V2V.Host.Cli;
using V2V.Host.Configuration;
using V2V.Simulation.Cluster;

namespace V2V.Host.Node;

/// <summary>
/// Reads <c>v2v.cluster</c> (hocon/reference.conf) into a member's <see cref="ClusterOptions"/>, with the roles and the seed
/// the command line gave; every value checked, errors naming the key or the option.
/// </summary>
internal static class ClusterSettings
{
    public static ClusterOptions Bind(Config config, string seed, IReadOnlyList<string> roles, int? port = null)
    {
        var c = config.GetConfig("v2v.cluster");
        var host = c.GetString("host");
        if (host.Length == 0)
        {
            throw c.Error("host", "expected a host name or address, got an empty string");
        }

        var configuredPort = c.GetInt("port");
        if (configuredPort is < 0 or > 65535)
        {
            throw c.Error("port", $"expected a TCP port in [0, 65535], got {configuredPort}");
        }

        var timeout = c.GetDuration("join-timeout");
        if (timeout <= TimeSpan.Zero)
        {
            throw c.Error("join-timeout", $"expected a positive duration, got {timeout}");
        }

        return new ClusterOptions(host, port ?? configuredPort, seed, roles, timeout, c.GetIntAtLeast("shards", 1));
    }

    /// <summary>The configured roles of a `v2v node` member (v2v.cluster.roles), each checked.</summary>
    public static IReadOnlyList<string> ConfiguredRoles(Config config)
    {
        var roles = config.GetStringList("v2v.cluster.roles");
        var unknown = roles.FirstOrDefault(r => !ClusterRoles.All.Contains(r, StringComparer.Ordinal));
        return unknown is null && roles.Count > 0
            ? roles
            : throw config.Error("v2v.cluster.roles", $"expected a non-empty list of {string.Join(", ", ClusterRoles.All)}, got [{string.Join(", ", roles)}]");
    }

    /// <summary>--roles a,b: each one of the known roles, none twice.</summary>
    public static IReadOnlyList<string> ParseRoles(string option, string value)
    {
        var roles = value.Split(',', StringSplitOptions.TrimEntries);
        foreach (var role in roles)
        {
            if (!ClusterRoles.All.Contains(role, StringComparer.Ordinal))
            {
                throw new UsageException($"--{option}: expected a comma-separated list of {string.Join(", ", ClusterRoles.All)}, got '{role}'");
            }
        }

        return roles.Distinct(StringComparer.Ordinal).Count() == roles.Length
            ? roles
            : throw new UsageException($"--{option}: a role is listed twice in '{value}'");
    }

    /// <summary>HOST:PORT of a seed member, checked (exit 2 with one line naming the option otherwise).</summary>
    public static string ParseSeed(string option, string value)
    {
        try
        {
            ClusterOptions.ParseEndpoint($"--{option}", value);
            return value;
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }
}
