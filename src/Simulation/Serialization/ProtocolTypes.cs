using System.Reflection;
using V2V.Market.Protocol;

namespace V2V.Simulation.Serialization;

/// <summary>
/// One protocol message type as the serializer knows it: its manifest (short name, '/', version) and, when the type
/// cannot cross a node as it stands, why (<see cref="Unsupported"/>; such a type is refused when sent or received).
/// </summary>
internal sealed record ProtocolType(Type Type, string Name, int Version, string? Unsupported)
{
    public string Manifest { get; } = $"{Name}/{Version}";
}

/// <summary>
/// Finds every protocol message type by reflection, once, when the serializer starts: the concrete types implementing
/// <see cref="IProtocolMessage"/> (nested ones included) in the V2V assemblies this one references, directly or
/// through one another, so a message type the lead adds is bound without being listed anywhere.
/// </summary>
internal static class ProtocolTypes
{
    private const string AssemblyPrefix = "V2V.";

    /// <summary>The V2V assemblies reachable from this one through their references (this one included).</summary>
    public static IReadOnlyList<Assembly> Assemblies()
    {
        var found = new Dictionary<string, Assembly>(StringComparer.Ordinal);
        var pending = new Stack<Assembly>([typeof(ProtocolTypes).Assembly, typeof(IProtocolMessage).Assembly]);
        while (pending.Count > 0)
        {
            var assembly = pending.Pop();
            if (!found.TryAdd(assembly.GetName().Name!, assembly))
            {
                continue;
            }

            foreach (var reference in assembly.GetReferencedAssemblies())
            {
                if (reference.Name!.StartsWith(AssemblyPrefix, StringComparison.Ordinal) && !found.ContainsKey(reference.Name))
                {
                    pending.Push(Assembly.Load(reference));
                }
            }
        }

        return [.. found.Values.OrderBy(a => a.GetName().Name, StringComparer.Ordinal)];
    }

    /// <summary>The protocol message types of <paramref name="assemblies"/>, ordered by full name.</summary>
    public static IReadOnlyList<Type> Discover(IEnumerable<Assembly> assemblies) =>
    [
        .. assemblies
            .SelectMany(LoadableTypes)
            .Where(t => typeof(IProtocolMessage).IsAssignableFrom(t) && !t.IsAbstract && !t.IsInterface)
            .OrderBy(t => t.FullName, StringComparer.Ordinal),
    ];

    /// <summary>
    /// The types of <paramref name="assembly"/> that load on this node. A type whose base lives in an assembly this
    /// process lacks (a network module without TorchSharp, say) cannot be created here, so it is never sent from here;
    /// should another node send one, its manifest is refused as unknown.
    /// </summary>
    private static IEnumerable<Type> LoadableTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            return e.Types.OfType<Type>();
        }
    }

    /// <summary>
    /// Names and versions <paramref name="types"/>; a generic type, a version below 1 or two types sharing a short name
    /// is a startup error (a manifest must name exactly one type on every node).
    /// </summary>
    public static IReadOnlyList<ProtocolType> Describe(IEnumerable<Type> types)
    {
        var byName = new Dictionary<string, Type>(StringComparer.Ordinal);
        var described = new List<ProtocolType>();
        foreach (var type in types)
        {
            if (type.ContainsGenericParameters)
            {
                throw new InvalidOperationException(
                    $"protocol message type {type.FullName} is generic; the serializer needs one concrete type per manifest");
            }

            if (!byName.TryAdd(type.Name, type))
            {
                throw new InvalidOperationException(
                    $"protocol message types {byName[type.Name].FullName} and {type.FullName} share the short name " +
                    $"'{type.Name}', which the manifest uses; rename one");
            }

            var version = type.GetCustomAttribute<ProtocolVersionAttribute>()?.Version ?? 1;
            if (version < 1)
            {
                throw new InvalidOperationException(
                    $"protocol message type {type.FullName} has [ProtocolVersion({version})]; a version is 1 or more");
            }

            described.Add(new ProtocolType(type, type.Name, version, WhyUnsupported(type)));
        }

        return described;
    }

    /// <summary>
    /// Null when every field of <paramref name="type"/> (through nested records, arrays and lists) is something JSON can
    /// write and rebuild on another node; otherwise the first field that is not, and why. An interface other than a
    /// collection or Akka's IActorRef (for instance the in-process runtime's actor reference) has no wire form.
    /// </summary>
    internal static string? WhyUnsupported(Type type) => WhyUnsupported(type, type.Name, []);

    private static string? WhyUnsupported(Type type, string where, HashSet<Type> visiting)
    {
        if (IsLeaf(type))
        {
            return null;
        }

        if (type.IsArray)
        {
            return WhyUnsupported(type.GetElementType()!, $"{where}[]", visiting);
        }

        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return WhyUnsupported(underlying, where, visiting);
        }

        if (type.IsGenericType && IsCollection(type.GetGenericTypeDefinition()))
        {
            return WhyUnsupported(type.GetGenericArguments()[0], $"{where}[]", visiting);
        }

        if (type.IsInterface || type.IsAbstract || type == typeof(object))
        {
            return $"{where} is a {type.FullName}, which has no wire form (only Akka's IActorRef among references)";
        }

        if (!visiting.Add(type))
        {
            return null;
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length == 0
                && WhyUnsupported(property.PropertyType, $"{where}.{property.Name}", visiting) is { } reason)
            {
                return reason;
            }
        }

        visiting.Remove(type);
        return null;
    }

    private static bool IsLeaf(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal)
        || type == typeof(Akka.Actor.IActorRef);

    private static bool IsCollection(Type definition) =>
        definition == typeof(IReadOnlyList<>) || definition == typeof(IReadOnlyCollection<>) || definition == typeof(IList<>)
        || definition == typeof(ICollection<>) || definition == typeof(IEnumerable<>) || definition == typeof(List<>);
}
