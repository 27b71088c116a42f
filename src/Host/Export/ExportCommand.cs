using V2V.Host.Cli;
using V2V.Learning;
using V2V.Learning.Networks;

namespace V2V.Host.Export;

/// <summary>`v2v export`: a trained model's actor as a PyTorch state dict.</summary>
public sealed class ExportCommand : ICommand
{
    public string Name => "export";

    public string Summary => "write a trained model's actor as a PyTorch state dict (.pt)";

    public string Help => """
        usage: v2v export --model DIR|FILE --to FILE.pt

        Reads the actor of a model written by `v2v train` (DIR is the training output folder, its model.v2vnn; or
        a model file) and writes it as a PyTorch state dict, keys 0.weight, 0.bias, 2.weight, ... In Python:
          actor = torch.nn.Sequential(torch.nn.Linear(12, 128), torch.nn.ReLU(), torch.nn.Linear(128, 128),
                                      torch.nn.ReLU(), torch.nn.Linear(128, 2), torch.nn.Tanh())
          actor.load_state_dict(torch.load("FILE.pt"))
        (with the hidden widths of v2v.learning.actor-hidden the model was trained with; the command prints them).
        The input is SPEC 7's 12-value observation, the output the two tanh actions (price, quantity).
        """;

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("model", "DIR|FILE", "a `v2v train` output folder or model file (required)"),
        new("to", "FILE", "the PyTorch file to write (required; its folder must exist)"),
        CommonOptions.Help,
    ];

    public int MaxPositional => 0;

    public int Execute(Arguments args, TextWriter output, TextWriter error)
    {
        var modelPath = args.Get("model") ?? throw new UsageException("--model: required (a `v2v train` output folder or model file)");
        var to = args.Get("to") ?? throw new UsageException("--to: required (the .pt file to write)");
        string? folder = Path.GetDirectoryName(Path.GetFullPath(to));
        if (folder is null || !Directory.Exists(folder))
        {
            throw new UsageException($"--to: folder '{folder}' does not exist");
        }

        if (Directory.Exists(to))
        {
            throw new UsageException($"--to: '{to}' is a folder; give a file name such as actor.pt");
        }

        PolicyModel model;
        try
        {
            model = PolicyModel.Load(modelPath);
        }
        catch (ModelFileException e)
        {
            error.WriteLine($"v2v export: --model: {e.Message}");
            return 2;
        }

        model.ExportActor(to);
        output.WriteLine($"actor {string.Join("-", model.ActorSizes)} (ReLU hidden, tanh out) of {model.File} (sha256 {model.Sha256[..16]}...) -> {Path.GetFullPath(to)}");
        return 0;
    }
}
