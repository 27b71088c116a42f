using System.Globalization;

namespace V2V.Host.Study;

/// <summary>A model's training.csv (one row per episode, as `v2v train` writes it), read by column name.</summary>
internal sealed class TrainingLog
{
    private readonly string[] header;
    private readonly double[][] rows;
    private readonly string path;

    private TrainingLog(string path, string[] header, double[][] rows)
    {
        this.path = path;
        this.header = header;
        this.rows = rows;
    }

    public IReadOnlyList<double> Episodes => Column("episode");

    public static TrainingLog Read(string path)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0)
        {
            throw new InvalidDataException($"{path}: empty (no header)");
        }

        var rows = lines.Skip(1).Where(l => l.Length > 0)
            .Select(l => l.Split(',').Select(c => c.Length == 0 ? double.NaN : double.Parse(c, CultureInfo.InvariantCulture)).ToArray())
            .ToArray();
        return new TrainingLog(path, lines[0].Split(','), rows);
    }

    public IReadOnlyList<double> Column(string name)
    {
        int i = Array.IndexOf(this.header, name);
        return i >= 0 ? [.. this.rows.Select(r => r[i])] : throw new InvalidDataException($"{this.path}: no column {name}");
    }

    /// <summary>(x, mean of y over the last <paramref name="window"/> points up to x), from the first full window on.</summary>
    public static IReadOnlyList<(double X, double Y)> TrailingMean(IReadOnlyList<double> xs, IReadOnlyList<double> ys, int window)
    {
        int w = Math.Min(window, xs.Count);
        var result = new List<(double, double)>();
        double sum = 0;
        for (int i = 0; i < xs.Count; i++)
        {
            sum += ys[i];
            if (i >= w)
            {
                sum -= ys[i - w];
            }

            if (i >= w - 1)
            {
                result.Add((xs[i], sum / w));
            }
        }

        return result;
    }
}
