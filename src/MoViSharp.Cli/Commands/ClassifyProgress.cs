using MoViSharp.Classification;

namespace MoViSharp.Cli.Commands;

/// <summary>
/// The running top-1 on standard error: one line rewritten in place (<c>\r</c>) on a terminal, otherwise one line every
/// <c>every</c> frames so that logs stay readable.
/// </summary>
public sealed class ClassifyProgress(int every)
{
    private readonly bool live = !Console.IsErrorRedirected;
    private int lastLength;

    public void Report(int frames, Prediction top)
    {
        string line = $"frame {frames}: {top}";
        if (live)
        {
            Console.Error.Write("\r" + line.PadRight(lastLength));
            lastLength = line.Length;
        }
        else if (frames % every == 0) Console.Error.WriteLine(line);
    }

    /// <summary>Ends the live line so that later output starts on a fresh one.</summary>
    public void Finish()
    {
        if (live && lastLength > 0) Console.Error.WriteLine();
        lastLength = 0;
    }
}
