using System.Security.Cryptography;
using System.Text;
using static TorchSharp.torch;

namespace V2V.Learning.Networks;

/// <summary>
/// A model file read and checked by <see cref="ModelFile.Load"/>: its identity record and the state dicts, from
/// which networks are built (<see cref="LoadNetwork"/>) or restored into networks the caller owns
/// (<see cref="RestoreNetwork"/>, <see cref="RestoreOptimiser"/>), checking shapes first.
/// </summary>
public sealed class ModelContents
{
    private readonly IReadOnlyDictionary<string, byte[]> states;

    internal ModelContents(string source, ModelIdentity identity, IReadOnlyDictionary<string, byte[]> states, string sha256)
    {
        Source = source;
        Identity = identity;
        this.states = states;
        Sha256 = sha256;
        if (identity.FormatVersion != ModelFile.FormatVersion)
        {
            throw new ModelFileException(source, $"its identity record says format {identity.FormatVersion}, the header {ModelFile.FormatVersion}");
        }

        if (identity.ObservationLayout != ModelFile.ObservationLayout)
        {
            throw new ModelFileException(source, $"was trained on the observation layout '{identity.ObservationLayout}'; this build's is '{ModelFile.ObservationLayout}'");
        }

        using var weights = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var network in identity.Networks)
        {
            weights.AppendData(State(network.Name, network.Name));
        }

        if (Convert.ToHexStringLower(weights.GetHashAndReset()) != identity.WeightsSha256)
        {
            throw new ModelFileException(source, "weights SHA-256 mismatch: the state dicts are not the ones the identity record names");
        }
    }

    /// <summary>Where it was loaded from, for messages.</summary>
    public string Source { get; }

    public ModelIdentity Identity { get; }

    /// <summary>Lower-case hex SHA-256 of the whole file.</summary>
    public string Sha256 { get; }

    public NetworkRecord Network(string name) =>
        Identity.Networks.FirstOrDefault(n => n.Name == name)
        ?? throw new ModelFileException(Source, $"has no network '{name}' (it holds: {string.Join(", ", Identity.Networks.Select(n => n.Name))})");

    /// <summary>A new network of the recorded shape holding the saved parameters.</summary>
    public TorchMlp LoadNetwork(string name, Device device)
    {
        var record = Network(name);
        var network = TorchMlp.Zeros(record.Sizes, record.Output, device);
        Load(network, name);
        return network;
    }

    /// <summary>Copies the named network's parameters into <paramref name="target"/>, which must have its shape.</summary>
    public void RestoreNetwork(string name, TorchMlp target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var record = Network(name);
        if (record.Output != target.Output || !record.Sizes.SequenceEqual(target.Sizes))
        {
            throw new ModelFileException(
                Source,
                $"shape mismatch for network '{name}': file has {string.Join("-", record.Sizes)} ({record.Output}), target is {string.Join("-", target.Sizes)} ({target.Output})");
        }

        Load(target, name);
    }

    /// <summary>Puts back the Adam state saved with the named network (step counts and both moments).</summary>
    public void RestoreOptimiser(string name, TorchAdam optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        if (!Identity.Optimisers.Contains(name))
        {
            throw new ModelFileException(Source, $"network '{name}' was saved without optimiser state");
        }

        try
        {
            using var reader = new BinaryReader(new MemoryStream(State(name + ".adam", name)), Encoding.UTF8);
            optimizer.Load(reader);
        }
        catch (Exception e) when (e is not ModelFileException)
        {
            throw new ModelFileException(Source, $"optimiser state of '{name}' does not load: {e.Message}", e);
        }
    }

    private void Load(TorchMlp target, string name)
    {
        try
        {
            target.Module.load(new MemoryStream(State(name, name)), strict: true);
        }
        catch (Exception e) when (e is not ModelFileException)
        {
            throw new ModelFileException(Source, $"network '{name}' does not load: {e.Message}", e);
        }
    }

    private byte[] State(string key, string network) =>
        this.states.TryGetValue(key, out var state) ? state : throw new ModelFileException(Source, $"has no saved state for network '{network}'");
}
