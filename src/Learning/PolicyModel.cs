using V2V.Learning.Actors;
using V2V.Learning.Maddpg;
using V2V.Learning.Networks;
using V2V.Market.Vehicles;
using static V2V.Learning.Actors.LearningProtocol;

namespace V2V.Learning;

/// <summary>
/// A model written by `v2v train`, loaded to bid with: the trained actor network and what identifies the file (its
/// full path, SHA-256 and the training metadata), so a run's results can be traced to the model that made them.
/// </summary>
public sealed class PolicyModel
{
    /// <summary>The version number a loaded model is published under: it is the first and only one of the run.</summary>
    public const long PublishedVersion = 1;

    private readonly TorchMlp actor;

    private PolicyModel(string file, string sha256, IReadOnlyDictionary<string, string> metadata, TorchMlp actor)
    {
        File = file;
        Sha256 = sha256;
        Metadata = metadata;
        this.actor = actor;
    }

    /// <summary>The model file's full path.</summary>
    public string File { get; }

    /// <summary>Lower-case hex SHA-256 of the whole file.</summary>
    public string Sha256 { get; }

    /// <summary>The model file format version (files of other versions are refused on load).</summary>
    public int FormatVersion => ModelFile.FormatVersion;

    /// <summary>The identity record's method, seed and next-episode (absent for a bare actor file) and weights-sha256.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>
    /// Loads <paramref name="path"/>: a `v2v train` output folder (its model.v2vnn) or a model file. A missing path,
    /// or a corrupt, truncated or mismatched file (an actor that is not SPEC 7's 12 observations to 2 actions
    /// included) is a <see cref="ModelFileException"/> naming the file.
    /// </summary>
    public static PolicyModel Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!Directory.Exists(path) && !System.IO.File.Exists(path))
        {
            throw new ModelFileException(path, "cannot be read: no such folder or file (expected a 'v2v train' output folder or a .v2vnn file)");
        }

        string file = Path.GetFullPath(Directory.Exists(path) ? Path.Combine(path, ModelFile.DefaultName) : path);
        var contents = ModelFile.Load(file);
        var record = contents.Network(MaddpgLearner.ActorName);
        if (record.Sizes[0] != Observation.Size || record.Sizes[^1] != ActionMapping.Size)
        {
            throw new ModelFileException(
                file,
                $"its actor maps {record.Sizes[0]} observations to {record.Sizes[^1]} actions; SPEC 7's maps {Observation.Size} to {ActionMapping.Size} (trained for another observation or action size)");
        }

        if (record.Output != OutputActivation.Tanh)
        {
            throw new ModelFileException(file, $"its actor ends in {record.Output}, not SPEC 7's tanh");
        }

        return new PolicyModel(file, contents.Sha256, contents.Identity.ToMetadata(), contents.LoadNetwork(MaddpgLearner.ActorName, TorchSharp.torch.CPU));
    }

    /// <summary>The actor's layer widths (observations first) and output activation, as recorded in the file.</summary>
    public IReadOnlyList<int> ActorSizes => this.actor.Sizes;

    /// <summary>
    /// Writes the actor as a PyTorch state dict (TorchSharp.PyBridge: the zip-of-pickles format of torch.save) that
    /// <c>torch.load</c> reads into <c>nn.Sequential(nn.Linear(12, h1), nn.ReLU(), ..., nn.Linear(hk, 2), nn.Tanh())</c>.
    /// Written to a temporary file beside <paramref name="path"/> and renamed over it.
    /// </summary>
    public void ExportActor(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        string temp = $"{full}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                TorchSharp.PyBridge.PyBridgeModuleExtensions.save_py(this.actor.Module, stream, leaveOpen: true);
                stream.Flush(flushToDisk: true);
            }

            System.IO.File.Move(temp, full, overwrite: true);
        }
        catch
        {
            System.IO.File.Delete(temp);
            throw;
        }
    }

    /// <summary>A deterministic policy over a copy of the actor.</summary>
    public LearnedPolicy Policy() => LearnedPolicy.FromActor(this.actor);

    /// <summary>An empty versioned policy of this actor's shape, for <see cref="Publish"/> to fill.</summary>
    public VersionedPolicy NewVersionedPolicy() => new(this.actor.Sizes);

    /// <summary>The actor's weights as policy version <see cref="PublishedVersion"/>.</summary>
    public PolicyPublished Publish() => new(PublishedVersion, this.actor.GetParameters(), 0, 0, double.NaN);
}
