using MoViSharp.Onnx.Export;

namespace MoViSharp.Onnx.Runtime;

/// <summary>How <see cref="OnnxClassifier"/> builds and runs its ONNX Runtime sessions.</summary>
public sealed record OnnxRuntimeOptions
{
    /// <summary>
    /// Intra-op threads. One by default: measured fastest and steadiest for per-frame graphs on the project's 2-core machines
    /// (docs/onnx.md, `movisharp bench`); <see cref="OnnxThreadTuner"/> measures it for a given model and machine.
    /// </summary>
    public int IntraOpThreads { get; init; } = 1;

    /// <summary>The stream form a classifier built from a model exports (the ring form: no buffer copies each step).</summary>
    public OnnxExportForm StreamForm { get; init; } = OnnxExportForm.StreamRing;

    /// <summary>Use CUDA when the GPU build and a device are present (<see cref="OnnxDevice"/>).</summary>
    public bool AllowCuda { get; init; } = true;

    /// <summary>Export options (family rules) for classifiers built from a model.</summary>
    public OnnxExportOptions Export { get; init; } = new();

    /// <summary>A rewrite of every graph exported for this classifier before it is loaded (e.g. int8 quantization).</summary>
    public Func<OnnxExport, OnnxExport>? Transform { get; init; }

    /// <summary>ONNX Runtime's spin-waiting of idle intra-op threads (only matters above one thread; off spares a shared machine).</summary>
    public bool AllowSpinning { get; init; }
}
