namespace MoViSharp.Models;

/// <summary>
/// A model family: its named configurations, the builder that turns a configuration into a <see cref="VideoModel"/>, and the
/// JSON form of its configurations (checkpoint metadata, custom architectures). A family is one folder under Families/ with a
/// public class implementing this interface and a parameterless constructor: the <see cref="ModelRegistry"/> finds it in every
/// loaded assembly that references MoViSharp, so adding a family changes no file outside its folder.
/// </summary>
public interface IModelFamily
{
    /// <summary>The family's name in checkpoints and configs (lower case, e.g. <c>movinet</c>).</summary>
    string Name { get; }

    /// <summary>The named configurations (<c>a0-stream</c>, …).</summary>
    IReadOnlyList<ModelEntry> Models { get; }

    /// <summary>A model with fresh weights for <paramref name="config"/> (which must be this family's).</summary>
    VideoModel Build(ModelConfig config);

    string WriteConfig(ModelConfig config);

    /// <summary>Reads a configuration written by <see cref="WriteConfig"/> (or by hand); errors name <paramref name="source"/>.</summary>
    ModelConfig ReadConfig(string json, string source);

    /// <summary>Checkpoint layouts of upstream projects this family loads (their key names and container), beyond MoViSharp's own.</summary>
    IReadOnlyList<ICheckpointLayout> Layouts { get; }
}
