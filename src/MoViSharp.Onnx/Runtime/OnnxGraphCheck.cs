using Microsoft.ML.OnnxRuntime;
using MoViSharp.Onnx.Export;
using MoViSharp.Weights;

namespace MoViSharp.Onnx.Runtime;

/// <summary>
/// Checks a loaded file's metadata against its graph before anything is allocated from it: sizes within bounds, every state
/// well formed (kind, dtype, shape, inputs, permutation) and of the shape the graph declares for it, the frame input and the
/// logits output as the metadata says. The buffers a stream state allocates are then those the graph itself runs on.
/// </summary>
internal static class OnnxGraphCheck
{
    /// <summary>Largest frame side and clip length a file may declare (a 4096×4096 frame is already 200 MB of floats).</summary>
    public const int MaxSide = 4096, MaxFrames = 1024;

    public const int MaxClasses = 1 << 20, MaxRank = 8;

    /// <summary>Most elements all of one stream's state buffers may hold together.</summary>
    public const long MaxStateElements = 1L << 28;

    public static void Check(InferenceSession session, OnnxModelInfo info, string source)
    {
        void Fail(string field, string problem) => throw new CheckpointFormatException(source, field, problem);
        if (info.Classes is < 1 or > MaxClasses) Fail("metadata/classes", $"classes must be 1…{MaxClasses}, not {info.Classes}");
        if (info.Height is < 1 or > MaxSide || info.Width is < 1 or > MaxSide)
            Fail("metadata/frame_height", $"the frame size must be 1…{MaxSide} on each side, not {info.Height}×{info.Width}");
        if (info.Frames is < 1 or > MaxFrames) Fail("metadata/clip_frames", $"clip_frames must be 1…{MaxFrames}, not {info.Frames}");
        if (info.Delay is < 0 or > MaxFrames) Fail("metadata/delay", $"delay must be 0…{MaxFrames}, not {info.Delay}");
        if (info.InputLayout is not ("nchw" or "nthwc")) Fail("metadata/input_layout", $"unknown input layout '{info.InputLayout}' (nchw or nthwc)");
        if (info.Labels?.Any(l => l is null) == true) Fail("metadata/labels", "a label is null");
        var p = info.Preprocessing;
        if (p.Mean.Count != 3 || p.Std.Count != 3 || p.Mean.Any(v => !float.IsFinite(v)) || p.Std.Any(v => !float.IsFinite(v) || v == 0) || !float.IsFinite(p.ValueScale))
            Fail("metadata/preprocessing", "mean and std must be 3 finite numbers each (std not 0) and value_scale finite");

        var inputs = session.InputMetadata;
        var outputs = session.OutputMetadata;
        long[] frame = info.Form == OnnxExportForm.Clip ? [-1, 3, info.Frames, info.Height, info.Width]
            : info.InputLayout == "nthwc" ? [-1, 1, info.Height, info.Width, 3] : [-1, 3, info.Height, info.Width];
        Expect(inputs, info.Input, frame, Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float, "input", source);
        // A clip graph gives [B, T′, K] (T′: one row per output frame, 1 for models that pool the clip); a step graph [B, K].
        long[] logits = info.Form == OnnxExportForm.Clip ? [-1, -1, info.Classes] : [-1, info.Classes];
        Expect(outputs, OnnxModelInfo.LogitsOutput, logits, Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float, "output", source);

        long elements = 0;
        foreach (var (s, i) in info.States.Select((s, i) => (s, i)))
        {
            string field = $"metadata/states[{i}]";
            if (s is null || s.Kind is null || s.DType is null || s.Shape is null || s.Inputs is null || s.Output is null)
                throw new CheckpointFormatException(source, field, "a state lacks its kind, dtype, shape, inputs or output");
            if (s.Kind is not (OnnxStateBinding.PlainKind or OnnxStateBinding.RingKind or OnnxStateBinding.PassthroughKind))
                Fail(field, $"unknown state kind '{s.Kind}'");
            if (s.DType is not ("float32" or "int32")) Fail(field, $"unknown state dtype '{s.DType}' (float32 or int32)");
            if (s.Shape.Length > MaxRank || s.Shape.Any(d => d is < 1 or > int.MaxValue))
                Fail(field, $"shape [{string.Join(", ", s.Shape)}] must have at most {MaxRank} sizes, each 1…{int.MaxValue}");
            bool ring = s.Kind == OnnxStateBinding.RingKind;
            if (ring && (s.Shape.Length < 2 || s.Frames < 1 || s.Frames != s.Shape[1] || s.Inputs.Length != s.Frames))
                Fail(field, $"a ring of {s.Frames} frames needs shape [C, {s.Frames}, …] and {s.Frames} inputs, has [{string.Join(", ", s.Shape)}] and {s.Inputs.Length}");
            if (!ring && s.Inputs.Length != 1) Fail(field, $"a {s.Kind} state has one input, not {s.Inputs.Length}");
            if (s.Inputs.Any(n => n is null)) Fail(field, "an input name is null");
            if (s.Kind != OnnxStateBinding.PassthroughKind && s.Key is null) Fail(field, $"a {s.Kind} state needs its key");
            if (s.OnnxShape is { } onnxShape)
            {
                if (onnxShape.Length > MaxRank || onnxShape.Any(d => d is < 1 or > int.MaxValue) || Product(onnxShape) != Product(s.Shape))
                    Fail(field, $"onnx_shape [{string.Join(", ", onnxShape)}] must hold the elements of shape [{string.Join(", ", s.Shape)}]");
            }
            if (s.Permutation is { } perm && (perm.Length != s.Shape.Length + 1 || perm[0] != 0 || !perm.Order().SequenceEqual(Enumerable.Range(0, perm.Length))))
                Fail(field, $"permutation [{string.Join(", ", perm)}] is not one of the stream axis and {s.Shape.Length} others starting with 0");
            var type = OrtTensors.ElementType(s.DType);
            long[] shape = [-1, .. s.InputShape];
            foreach (string name in s.Inputs) Expect(inputs, name, shape, type, field, source);
            Expect(outputs, s.Output, shape, type, field, source);
            elements += (ring ? s.Frames + 1 : 2) * Product(s.InputShape);
            if (elements > MaxStateElements) Fail(field, $"the states hold more than {MaxStateElements} elements per stream");
        }
    }

    // Sizes are at most int.MaxValue and ranks at most MaxRank: saturate rather than overflow.
    private static long Product(long[] shape) => shape.Aggregate(1L, (a, d) => a > MaxStateElements ? a : a * d);

    /// <summary>The graph has <paramref name="name"/> of this type and shape (the batch axis, a -1 on either side: any size).</summary>
    private static void Expect(IReadOnlyDictionary<string, NodeMetadata> values, string name, long[] shape,
        Microsoft.ML.OnnxRuntime.Tensors.TensorElementType type, string field, string source)
    {
        if (!values.TryGetValue(name, out var meta))
            throw new CheckpointFormatException(source, field, $"the graph has no {(field == "output" ? "output" : "value")} '{name}'");
        if (!meta.IsTensor || meta.ElementDataType != type)
            throw new CheckpointFormatException(source, field, $"graph value '{name}' is not a {type} tensor");
        int[] dims = meta.Dimensions;
        if (dims.Length != shape.Length || dims.Zip(shape).Skip(1).Any(d => d.First != d.Second && d.First != -1 && d.Second != -1))
            throw new CheckpointFormatException(source, field,
                $"graph value '{name}' is [{string.Join(", ", dims)}], the metadata says [{string.Join(", ", shape.Skip(1).Prepend(-1))}]");
    }
}
