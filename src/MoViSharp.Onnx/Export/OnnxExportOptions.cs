namespace MoViSharp.Onnx.Export;

/// <summary>What <see cref="OnnxExporter"/> writes.</summary>
public sealed record OnnxExportOptions
{
    public OnnxExportForm Form { get; init; } = OnnxExportForm.StreamPlain;
    /// <summary>Frame height and width (default: the model's crop size). Stream states depend on them.</summary>
    public int? Height { get; init; }
    public int? Width { get; init; }
    /// <summary>Frames of the clip input of the clip form (default: the model's clip).</summary>
    public int? Frames { get; init; }
    /// <summary>Class names written into the metadata.</summary>
    public IReadOnlyList<string>? Labels { get; init; }
    /// <summary>Rules tried before the built-in ones (a family's own modules).</summary>
    public IReadOnlyList<IOnnxExportRule> Rules { get; init; } = [];
    /// <summary>MoViNet states under TF's official names and layouts (default); false: module-path keys in MoViSharp's layouts.</summary>
    public bool OfficialStateNames { get; init; } = true;
    /// <summary>The ring form's causal depthwise temporal convs as a (k_t, 1) Conv over the stacked frames instead of k_t
    /// multiply-adds (what int8 quantization needs: a Conv it can run on integers).</summary>
    public bool TemporalDepthwiseAsConv { get; init; }

    /// <summary>The opset written: 17, the newest that Debian's onnx checker (1.12) knows; ONNX Runtime 1.31 runs it.</summary>
    public const int Opset = 17;
}
