namespace V2V.Learning.Environment;

/// <summary>Reusable float buffers of the step loops: grown (doubling) when a step has more agents, never shrunk.</summary>
public static class Buffers
{
    public static void Grow(ref float[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new float[Math.Max(length, buffer.Length * 2)];
        }
    }
}
