using MoViSharp.Weights.Formats;

namespace MoViSharp.Models;

/// <summary>
/// An upstream project's checkpoint layout for one family (e.g. the PyTorch MoViNet port, PyTorchVideo's <c>.pyth</c>): it
/// recognises the project's tensor names and loads them strictly into a model. Layouts know names and shapes, never bytes.
/// </summary>
public interface ICheckpointLayout
{
    /// <summary>A short name for messages and <c>convert --layout</c> (e.g. <c>port</c>).</summary>
    string Name { get; }

    /// <summary>True when <paramref name="tensors"/> look like this layout's (cheap: names only).</summary>
    bool Matches(NamedTensors tensors);

    /// <summary>The same, knowing what the user said of the file (a layout that loads only on request overrides this).</summary>
    bool Matches(NamedTensors tensors, Weights.CheckpointHints hints) => Matches(tensors);

    /// <summary>Builds the model the file holds, with the user's hints, and loads it strictly (eval mode).</summary>
    VideoModel Load(NamedTensors tensors, string source, Weights.CheckpointHints hints);

    /// <summary>The model's tensors under this layout's names and shapes (for writing the upstream file back).</summary>
    NamedTensors Export(VideoModel model);

    /// <summary>
    /// The key under which the upstream project's <c>torch.save</c> file holds the state dict (PyTorchVideo: <c>model_state</c>),
    /// or null for a bare state dict (torchvision).
    /// </summary>
    string? TorchWrapKey => null;
}
