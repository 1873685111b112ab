namespace MoViSharp.Weights.Formats;

/// <summary>
/// A host for pickles of plain data only (numbers, strings, lists, tuples, dicts), such as the header pickles of a legacy
/// <c>torch.save</c> file: it names no global and loads no persistent id.
/// </summary>
internal sealed class PlainPickleHost(string fileName, string field) : IPickleHost
{
    public object ResolveGlobal(string module, string name) =>
        throw new CheckpointFormatException(fileName, field, $"{field}: refuses the global '{module}.{name}'; this pickle may hold plain data only (nothing in it was run).");

    public object? Call(object? callable, PickleTuple args) =>
        throw new CheckpointFormatException(fileName, field, $"{field}: cannot call a {RestrictedUnpickler.Describe(callable)}.");

    public object? PersistentLoad(object? persistentId) =>
        throw new CheckpointFormatException(fileName, field, $"{field}: holds a persistent id where plain data was expected.");
}
