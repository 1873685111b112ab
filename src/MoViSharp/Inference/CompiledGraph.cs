namespace MoViSharp.Inference;

/// <summary>A model compiled for one frame size: the root compiled module and how many state slots its modules reserved.</summary>
internal sealed class CompiledGraph(CompiledModule root, int slotCount, int height, int width) : IDisposable
{
    public CompiledModule Root { get; } = root;
    public int SlotCount { get; } = slotCount;
    public int Height { get; } = height;
    public int Width { get; } = width;

    public CompiledState NewState(int batch)
    {
        var state = new CompiledState(this, batch);
        Root.InitState(state);
        return state;
    }

    public void Dispose() => Root.Dispose();
}
