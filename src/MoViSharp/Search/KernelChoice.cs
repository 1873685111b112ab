namespace MoViSharp.Search;

/// <summary>Depthwise kernels written as "k_t x k x k" (e.g. "5x3x3"); spatial kernels are square.</summary>
public static class KernelChoice
{
    public static (int Time, int Size) Parse(string text, string source)
    {
        var parts = text.Split('x');
        if (parts.Length != 3 || !parts.All(p => int.TryParse(p, out int v) && v > 0))
            throw new InvalidDataException($"{source}: kernel '{text}' is not of the form TxKxK with positive integers.");
        int t = int.Parse(parts[0]), h = int.Parse(parts[1]), w = int.Parse(parts[2]);
        if (h != w) throw new InvalidDataException($"{source}: kernel '{text}' is not square in space.");
        return (t, h);
    }

    public static string Format(int time, int size) => $"{time}x{size}x{size}";
}
