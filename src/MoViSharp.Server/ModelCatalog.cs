using MoViSharp.Classification;

namespace MoViSharp.Server;

/// <summary>
/// The models a server runs, by name. Each is loaded once and shared by all of its streams (they are batched through it), so a
/// stream names a model instead of bringing weights. The catalog owns and disposes the classifiers.
/// </summary>
public sealed class ModelCatalog : IDisposable
{
    private readonly Dictionary<string, IVideoClassifier> models = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The model a stream gets when it names none (the first one added).</summary>
    public string Default { get; private set; } = "";

    public IReadOnlyCollection<string> Names => models.Keys;

    public ModelCatalog Add(string name, IVideoClassifier classifier)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("A model needs a name.", nameof(name));
        if (classifier.NotStreamableReason is { } why && classifier.Preprocessing.Frames < 1)
            throw new ArgumentException($"Model '{name}' cannot serve streams: {why}");
        if (!models.TryAdd(name, classifier)) throw new ArgumentException($"Model '{name}' was added twice.", nameof(name));
        if (Default.Length == 0) Default = name;
        return this;
    }

    /// <summary>The model called <paramref name="name"/> (null: the default); throws <see cref="BadRequestException"/> naming the known ones.</summary>
    public (string Name, IVideoClassifier Classifier) Get(string? name)
    {
        name ??= Default;
        if (models.TryGetValue(name, out var classifier)) return (models.Keys.First(k => k.Equals(name, StringComparison.OrdinalIgnoreCase)), classifier);
        throw new BadRequestException($"Unknown model '{name}'; this server runs: {string.Join(", ", models.Keys)}.");
    }

    public void Dispose()
    {
        foreach (var m in models.Values) m.Dispose();
        models.Clear();
    }
}
