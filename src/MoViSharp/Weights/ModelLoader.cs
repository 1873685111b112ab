using MoViSharp.Weights.Layouts;
using MoViSharp.Weights.Tflite;

namespace MoViSharp.Weights;

/// <summary>
/// Loads a model for inference from a weights file, choosing the format by content (then extension). Today: TFLite
/// (the mobile MoViNet stream models, see <see cref="TfliteMoViNetImporter"/>). Another format is one more branch in
/// <see cref="Load"/>.
/// </summary>
public static class ModelLoader
{
    public static IReadOnlyList<string> SupportedFormats { get; } = ["tflite"];

    /// <summary>The model in <paramref name="weightsPath"/>, with the labels of <paramref name="labelsPath"/> when given.</summary>
    public static LoadedModel Load(string weightsPath, string? labelsPath = null)
    {
        if (!File.Exists(weightsPath)) throw new FileNotFoundException($"Weights file '{weightsPath}' not found.", weightsPath);
        var labels = labelsPath is null ? null : LabelFile.Read(labelsPath);
        var format = DetectFormat(weightsPath);
        var model = format switch
        {
            "tflite" => TfliteMoViNetImporter.Load(weightsPath),
            _ => throw new InvalidDataException(
                $"'{weightsPath}' is not a model file this version can read (supported: {string.Join(", ", SupportedFormats)}; " +
                "a TFLite file has the identifier TFL3 at byte 4)."),
        };
        if (labels is not null && labels.Count != model.Config.NumClasses)
        {
            model.Dispose();
            throw new InvalidDataException($"Label file '{labelsPath}' has {labels.Count} labels but the model in '{weightsPath}' has {model.Config.NumClasses} classes.");
        }
        return new LoadedModel(model, labels, weightsPath, format);
    }

    /// <summary>"tflite" when the file carries the TFLite FlatBuffer identifier (or, failing that, the extension); otherwise null.</summary>
    public static string? DetectFormat(string path)
    {
        Span<byte> head = stackalloc byte[8];
        int read;
        using (var stream = File.OpenRead(path)) read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (read == 8 && head[4..].SequenceEqual("TFL3"u8)) return "tflite";
        return Path.GetExtension(path).Equals(".tflite", StringComparison.OrdinalIgnoreCase) ? "tflite" : null;
    }
}
