using System.Text;

namespace V2V.Host.Study;

/// <summary>
/// Passes each complete line written to it on to <paramref name="target"/> with a prefix (a training's progress lines
/// on the study's stderr, named by method), and keeps the whole text for the caller to read afterwards.
/// </summary>
internal sealed class PrefixedLineWriter(TextWriter target, string prefix) : TextWriter
{
    private readonly StringBuilder all = new();
    private readonly StringBuilder line = new();

    public override Encoding Encoding => Encoding.UTF8;

    public string Text => all.ToString();

    public override void Write(char value)
    {
        all.Append(value);
        if (value == '\n')
        {
            target.WriteLine(prefix + line.ToString().TrimEnd('\r'));
            line.Clear();
        }
        else
        {
            line.Append(value);
        }
    }
}
