using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using MoViSharp.Models;

namespace MoViSharp.Onnx.Export;

/// <summary>
/// What an exported file says about itself in its metadata properties: the model (family, id, configuration JSON), labels,
/// preprocessing, the graph's form and shapes, its state tensors and how it was quantized. <see cref="Runtime.OnnxClassifier"/>
/// runs a file from this alone.
/// </summary>
public sealed record OnnxModelInfo
{
    public const string FormatValue = "movisharp-onnx/1";
    public const string FrameInput = "frame", ClipInput = "clip", LogitsOutput = "logits";

    public required string Family { get; init; }
    public required string ModelId { get; init; }
    /// <summary>The family's configuration JSON (rebuilds the architecture), or null (a translated file).</summary>
    public string? Config { get; init; }
    public required int Classes { get; init; }
    public IReadOnlyList<string>? Labels { get; init; }
    public required Preprocessing Preprocessing { get; init; }
    public required OnnxExportForm Form { get; init; }
    public required int Height { get; init; }
    public required int Width { get; init; }
    /// <summary>Frames of the clip input (clip form), else 1.</summary>
    public int Frames { get; init; } = 1;
    public int Delay { get; init; }
    /// <summary>Why the model cannot stream (clip-only models), or null.</summary>
    public string? NotStreamableReason { get; init; }
    public IReadOnlyList<OnnxStateBinding> States { get; init; } = [];
    /// <summary>"none", "qdq-int8" (static quantization of an export) or "tflite-int8" (a translated TFLite model).</summary>
    public string Quantization { get; init; } = "none";
    /// <summary>The graph's image input: <see cref="FrameInput"/> or <see cref="ClipInput"/> (a translation may name it otherwise).</summary>
    public string Input { get; init; } = FrameInput;
    /// <summary>The input's layout: "nchw" ([B,3,H,W] / [B,3,T,H,W]) or "nthwc" (TFLite's [B,1,H,W,3]).</summary>
    public string InputLayout { get; init; } = "nchw";

    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public IEnumerable<KeyValuePair<string, string>> ToMetadata()
    {
        string I(long v) => v.ToString(CultureInfo.InvariantCulture);
        var m = new Dictionary<string, string>
        {
            ["format"] = FormatValue,
            ["family"] = Family,
            ["model"] = ModelId,
            ["classes"] = I(Classes),
            ["preprocessing"] = PreprocessingJson.Write(Preprocessing),
            ["form"] = FormName(Form),
            ["frame_height"] = I(Height),
            ["frame_width"] = I(Width),
            ["clip_frames"] = I(Frames),
            ["delay"] = I(Delay),
            ["states"] = JsonSerializer.Serialize(States, Json),
            ["quantization"] = Quantization,
            ["input"] = Input,
            ["input_layout"] = InputLayout,
        };
        if (Config is not null) m["config"] = Config;
        if (Labels is not null) m["labels"] = JsonSerializer.Serialize(Labels);
        if (NotStreamableReason is not null) m["not_streamable_reason"] = NotStreamableReason;
        return m;
    }

    /// <summary>Reads the metadata of a file written by MoViSharp; <paramref name="source"/> names it in errors.</summary>
    public static OnnxModelInfo FromMetadata(IReadOnlyDictionary<string, string> m, string source)
    {
        string Get(string key) => m.TryGetValue(key, out var v) ? v
            : throw new InvalidDataException($"{source}: the ONNX metadata lacks '{key}' (not a file written by `movisharp export --onnx`).");
        int Int(string key) => int.TryParse(Get(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v
            : throw new InvalidDataException($"{source}: ONNX metadata '{key}' is not an integer: '{Get(key)}'.");
        if (Get("format") != FormatValue) throw new InvalidDataException($"{source}: unknown MoViSharp ONNX format '{Get("format")}'.");
        try
        {
            var info = new OnnxModelInfo
            {
                Family = Get("family"),
                ModelId = Get("model"),
                Config = m.GetValueOrDefault("config"),
                Classes = Int("classes"),
                Labels = m.TryGetValue("labels", out var labels) ? JsonSerializer.Deserialize<List<string>>(labels) : null,
                Preprocessing = PreprocessingJson.Read(Get("preprocessing")),
                Form = ParseForm(Get("form"), source),
                Height = Int("frame_height"),
                Width = Int("frame_width"),
                Frames = Int("clip_frames"),
                Delay = Int("delay"),
                NotStreamableReason = m.GetValueOrDefault("not_streamable_reason"),
                States = JsonSerializer.Deserialize<List<OnnxStateBinding>>(Get("states")) ?? [],
                Quantization = Get("quantization"),
                Input = Get("input"),
                InputLayout = Get("input_layout"),
            };
            if (info.Labels is not null && info.Labels.Count != info.Classes)
                throw new InvalidDataException($"{source}: {info.Labels.Count} labels for {info.Classes} classes.");
            return info;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: malformed MoViSharp ONNX metadata ({e.Message}).");
        }
    }

    public static string FormName(OnnxExportForm form) => form switch
    {
        OnnxExportForm.Clip => "clip",
        OnnxExportForm.StreamPlain => "stream-plain",
        OnnxExportForm.StreamRing => "stream-ring",
        _ => throw new ArgumentOutOfRangeException(nameof(form)),
    };

    public static OnnxExportForm ParseForm(string text, string source) => text.Trim().ToLowerInvariant() switch
    {
        "clip" => OnnxExportForm.Clip,
        "stream-plain" or "plain" => OnnxExportForm.StreamPlain,
        "stream-ring" or "ring" => OnnxExportForm.StreamRing,
        _ => throw new InvalidDataException($"{source}: unknown ONNX form '{text}' (clip, plain or ring)."),
    };
}
