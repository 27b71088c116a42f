using System.Globalization;
using Spectre.Console;
using V2V.Learning.Environment;

namespace V2V.Host.Train;

/// <summary>The progress display of `v2v train`: a Spectre.Console bar on a terminal, plain lines otherwise.</summary>
internal static class TrainingProgress
{
    public static void Run(TextWriter output, bool interactive, string method, int first, int last, Func<EpisodeReport> episode)
    {
        if (!interactive)
        {
            int every = Math.Max(1, (last - first) / 20);
            for (int e = first; e < last; e++)
            {
                var r = episode();
                if ((e - first + 1) % every == 0 || e == last - 1)
                {
                    output.WriteLine(Describe(method, r, last));
                }
            }

            return;
        }

        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask(Markup.Escape($"{method}: starting at episode {first}"), maxValue: last - first);
                for (int e = first; e < last; e++)
                {
                    var r = episode();
                    task.Description = Markup.Escape(Compact(r, last));
                    task.Increment(1);
                }
            });
    }

    // Short enough to leave the bar room on an 80-column terminal.
    private static string Compact(EpisodeReport r, int last) => string.Create(
        CultureInfo.InvariantCulture,
        $"ep {r.Episode + 1}/{last} r {r.MeanReward:F4} SW {r.SocialWelfareAud:F2} loss {(double.IsNaN(r.CriticLoss) ? "warm-up" : r.CriticLoss.ToString("F5", CultureInfo.InvariantCulture))}");

    private static string Describe(string method, EpisodeReport r, int last) => string.Create(
        CultureInfo.InvariantCulture,
        $"{method} episode {r.Episode + 1}/{last}  N {r.Agents,2}  mean reward {r.MeanReward,8:F4}  SW {r.SocialWelfareAud,7:F3} AUD  bid {r.MeanBidAudPerKwh:F3} ask {r.MeanAskAudPerKwh:F3} q {r.MeanQuantityFraction:F2}  critic loss {(double.IsNaN(r.CriticLoss) ? "   (warm-up)" : r.CriticLoss.ToString("F5", CultureInfo.InvariantCulture))}");
}
