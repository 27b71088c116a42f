using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace V2V.Learning.Networks;

/// <summary>One network in a model file: its name, layer widths (inputs first) and output activation.</summary>
public sealed record NetworkRecord(string Name, IReadOnlyList<int> Sizes, OutputActivation Output);

/// <summary>Where a training checkpoint stands: the method, the run's seed and the next episode to train.</summary>
public sealed record TrainingStamp(string Method, int Seed, int NextEpisode);

/// <summary>
/// The identity record at the head of a model file (JSON): the format version, the training stamp (absent for a
/// bare actor), the observation layout the networks were trained on, every network's shape, which networks carry
/// optimiser state, and the SHA-256 of the weights (the state dicts), which names the trained parameters whatever
/// the rest of the file says.
/// </summary>
public sealed record ModelIdentity(
    [property: JsonPropertyName("format")] int FormatVersion,
    [property: JsonPropertyName("training")] TrainingStamp? Training,
    [property: JsonPropertyName("observation-layout")] string ObservationLayout,
    [property: JsonPropertyName("action-size")] int ActionSize,
    [property: JsonPropertyName("networks")] IReadOnlyList<NetworkRecord> Networks,
    [property: JsonPropertyName("optimisers")] IReadOnlyList<string> Optimisers,
    [property: JsonPropertyName("weights-sha256")] string WeightsSha256)
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.KebabCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    /// <summary>The flat view written into run summaries: method, seed, next-episode, weights-sha256.</summary>
    public IReadOnlyDictionary<string, string> ToMetadata()
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["weights-sha256"] = WeightsSha256 };
        if (Training is { } t)
        {
            metadata["method"] = t.Method;
            metadata["seed"] = t.Seed.ToString(CultureInfo.InvariantCulture);
            metadata["next-episode"] = t.NextEpisode.ToString(CultureInfo.InvariantCulture);
        }

        return metadata;
    }
}
