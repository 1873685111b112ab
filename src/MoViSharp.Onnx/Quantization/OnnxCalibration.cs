using Microsoft.ML.OnnxRuntime;
using MoViSharp.Classification;
using MoViSharp.Models;
using MoViSharp.Onnx.Export;
using MoViSharp.Onnx.Graph;
using MoViSharp.Onnx.Runtime;
using static TorchSharp.torch;
using DataType = Onnx.TensorProto.Types.DataType;

namespace MoViSharp.Onnx.Quantization;

/// <summary>
/// Records the range of every float activation of an exported graph on calibration clips, by running the graph itself in ONNX
/// Runtime with every activation made an output: stream graphs frame by frame (ring form, states carried), clip graphs per clip.
/// Ring inputs take the range of the frame output they are fed from; the image input the range of the normalised frames.
/// <see cref="CalibrationMethod.MinMax"/> (the default, as ONNX Runtime's and TFLite's post-training calibrators) keeps the
/// extremes; <see cref="CalibrationMethod.AveragedMinMax"/> averages each tensor's per-step minimum and maximum, so outlying frames
/// stretch the range less (which one wins depends on the model and the clips: docs/onnx.md).
/// </summary>
public static class OnnxCalibration
{
    /// <summary>Ranges by value name. <paramref name="clips"/> are RGB in [0, 1], [1, 3, T, H, W], at the graph's frame size.</summary>
    public static Dictionary<string, ActivationRange> Collect(OnnxExport export, IEnumerable<Tensor> clips, Preprocessing preprocessing,
        CalibrationMethod method = CalibrationMethod.MinMax)
    {
        var graph = export.Graph;
        var probes = graph.Nodes.SelectMany(n => n.Outputs).Where(v => v.ElementType == DataType.Float && !graph.Outputs.Contains(v)).ToList();
        var savedOutputs = graph.Outputs.ToList();
        graph.Outputs.AddRange(probes);
        byte[] bytes;
        try { bytes = export.ToBytes(); }
        finally
        {
            graph.Outputs.Clear();
            graph.Outputs.AddRange(savedOutputs);
        }
        var ranges = new Dictionary<string, ActivationRange>(StringComparer.Ordinal);
        var sums = new Dictionary<string, (double Min, double Max, int Count)>(StringComparer.Ordinal);
        void Add(string name, ReadOnlySpan<float> values)
        {
            if (values.Length == 0) return;
            float min = float.MaxValue, max = float.MinValue;
            foreach (var v in values) { if (v < min) min = v; if (v > max) max = v; }
            var range = new ActivationRange(min, max);
            ranges[name] = ranges.TryGetValue(name, out var old) ? old.Union(range) : range;
            var (sMin, sMax, n) = sums.GetValueOrDefault(name);
            sums[name] = (sMin + min, sMax + max, n + 1);
        }

        using var session = new OnnxGraphSession(bytes, new OnnxRuntimeOptions { AllowCuda = false }, export.Info.ModelId);
        bool stream = export.Info.Form != OnnxExportForm.Clip;
        int seen = 0;
        foreach (var clip in clips)
        {
            using var scope = NewDisposeScope();
            var input = Normalization.Apply(clip.to_type(ScalarType.Float32), preprocessing);
            Add(export.Info.Input, input.contiguous().data<float>().ToArray());
            if (stream)
            {
                using var state = new OnnxStreamState(session, 1);
                foreach (var probe in probes) state.Binding.BindOutputToDevice(probe.Name, OrtMemoryInfo.DefaultInstance);
                for (int t = 0; t < input.shape[2]; t++)
                {
                    using (NewDisposeScope()) OrtTensors.CopyInto(input.select(2, t), state.Frame);
                    state.Bind();
                    session.Session.RunWithBinding(session.RunOptions, state.Binding);
                    var names = state.Binding.GetOutputNames();
                    using (var values = state.Binding.GetOutputValues())
                        for (int i = 0; i < names.Length; i++)
                            if (values.ElementAt(i).GetTensorTypeAndShape().ElementDataType == Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float)
                                Add(names[i], values.ElementAt(i).GetTensorDataAsSpan<float>());
                    state.Advance();
                }
            }
            else
            {
                using var value = OrtValue.CreateTensorValueFromMemory(input.contiguous().data<float>().ToArray(), input.shape);
                var names = probes.Select(p => p.Name).Append(OnnxModelInfo.LogitsOutput).ToArray();
                using var outputs = session.Session.Run(session.RunOptions, [export.Info.Input], [value], names);
                for (int i = 0; i < names.Length; i++) Add(names[i], outputs[i].GetTensorDataAsSpan<float>());
            }
            seen++;
        }
        if (seen == 0) throw new ArgumentException("Calibration needs at least one clip.");
        if (method == CalibrationMethod.AveragedMinMax)
            foreach (var (name, (sMin, sMax, n)) in sums) ranges[name] = new ActivationRange((float)(sMin / n), (float)(sMax / n));
        // A ring frame input holds what the frame output held one or more steps earlier.
        foreach (var state in export.Info.States.Where(s => s.Kind == OnnxStateBinding.RingKind))
            if (ranges.TryGetValue(state.Output, out var range))
                foreach (var input in state.Inputs) ranges[input] = range;
        return ranges;
    }
}

/// <summary>How <see cref="OnnxCalibration"/> turns the values a tensor took into its quantization range.</summary>
public enum CalibrationMethod
{
    /// <summary>The smallest and largest value seen.</summary>
    MinMax,
    /// <summary>The mean over calibration steps of each step's minimum and maximum.</summary>
    AveragedMinMax,
}
