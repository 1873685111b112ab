namespace MoViSharp.Cli;

/// <summary>Disposes several objects at the end of a using block.</summary>
public sealed class Disposables(IEnumerable<IDisposable> items) : IDisposable
{
    private readonly List<IDisposable> items = items.ToList();

    public void Dispose()
    {
        foreach (var item in items) item.Dispose();
    }
}
