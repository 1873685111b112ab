namespace MoViSharp.Cli.Commands;

/// <summary>Parses "WxH" (e.g. 320x240) for options that take a frame size.</summary>
public static class FrameSizeOption
{
    public static (int Width, int Height) Parse(string text, string option)
    {
        var parts = text.Trim().ToLowerInvariant().Split('x');
        if (parts.Length == 2 && int.TryParse(parts[0], out int w) && int.TryParse(parts[1], out int h) && w > 0 && h > 0)
            return (w, h);
        throw new CliException($"{option} must be WIDTHxHEIGHT with positive numbers (e.g. 320x240), not '{text}'.");
    }
}
