using MoViSharp.Layers.Transformers;
using MoViSharp.Onnx.Graph;
using MoViSharp.Streaming;
using DataType = Onnx.TensorProto.Types.DataType;

namespace MoViSharp.Onnx.Export.Rules;

/// <summary>
/// <see cref="ContinualTransformerEncoder"/> on per-frame tokens. Stream forms: one step of the continual encoder with its state
/// as plain state tensors under the module's keys (the frame count; per layer-0 the cached keys and values, and with two or more
/// layers the retroactive sums — queries, denominators, unnormalised outputs, window inputs), the same arithmetic as the module
/// (exp without max-subtraction in the retroactive layer, keys of frames not yet seen masked). Clip form: the regular encoder on
/// every window ending at each frame (<see cref="ContinualTransformerEncoder.SlidingWindow"/>, which the clip call equals),
/// the T windows gathered from the zero-padded tokens and run as one batch.
/// </summary>
public sealed class ContinualTransformerEncoderExportRule : IOnnxExportRule
{
    public OnnxActivation? TryExport(StreamModule module, OnnxActivation input, OnnxExportContext context)
    {
        if (module is not ContinualTransformerEncoder encoder) return null;
        var s = input.Shape;
        if (s.Channels != encoder.Channels || s.Height != 1 || s.Width != 1)
            throw new OnnxExportException(encoder, $"it takes per-frame tokens [{encoder.Channels}, T, 1, 1], got {s}");
        var output = context.IsClip ? Clip(encoder, input, context) : Step(encoder, input, context);
        return input with { Value = output };
    }

    private static OnnxValue Step(ContinualTransformerEncoder encoder, OnnxActivation input, OnnxExportContext context)
    {
        var g = context.Graph;
        string hint = OnnxExportContext.Hint(encoder);
        int n = encoder.Window;
        long c = encoder.Channels;
        string Key(string local) => $"{encoder.Path}.{local}";
        var token = g.Node("Reshape", [input.Value, g.Int64s(0, 1, c)], $"{hint}.token");                       // [B, 1, C]

        var count = context.State(Key("count"), DataType.Int32, []);
        context.SetState(Key("count"), g.Node("Add", [count, g.Constant(OnnxConstant.Int32([1], []), "const_one_i32")], $"{hint}.count"));
        var seen = g.Node("Cast", [count], $"{hint}.seen", type: DataType.Float, attributes: [OnnxAttributes.Int("to", (long)DataType.Float)]);
        // Key j of the window (0 oldest … n−1 newest) is a frame seen by now: j ≥ n − min(seen + 1, n).
        var validAfter = g.Node("Min", [g.Node("Add", [seen, g.Scalar(1f, "const_one")], $"{hint}.seen1"), g.Scalar(n, $"{hint}.window")], $"{hint}.valid_after");
        var threshold = g.Node("Reshape", [g.Node("Sub", [g.Scalar(n, $"{hint}.window"), validAfter], $"{hint}.first_valid"), g.Int64s(0, 1, 1, 1)], $"{hint}.threshold");
        var positions = g.Floats(Enumerable.Range(0, n).Select(j => (float)j).ToArray(), [1, 1, 1, n], $"{hint}.key_positions");
        var valid = g.Node("GreaterOrEqual", [positions, threshold], $"{hint}.valid_keys", type: DataType.Bool);     // [B, 1, 1, n]

        var layers = encoder.Layers.Select((l, i) => new TransformerLayerGraph(context, l, $"{hint}.layers.{i}", 1)).ToList();
        OnnxValue y;
        if (layers.Count == 1)
        {
            // Single output: the newest query against the cached keys and values of the window.
            var layer = layers[0];
            var (q, k, v) = layer.Project(token, 1, "layer0");
            var keys = Shift(context, Key("layer0.k"), k, layer, n, $"{hint}.layer0.keys");
            var values = Shift(context, Key("layer0.v"), v, layer, n, $"{hint}.layer0.values");
            y = layer.Finish(token, layer.Attend(q, keys, values, valid, "layer0"), 1, "layer0");
        }
        else
        {
            var window = Retroactive(context, layers[0], token, seen, valid, n, c, Key, hint);
            for (int i = 1; i < layers.Count - 1; i++)
            {
                var (q, k, v) = layers[i].Project(window, n, $"layer{i}");
                window = layers[i].Finish(window, layers[i].Attend(q, k, v, valid, $"layer{i}"), n, $"layer{i}");
            }
            var last = layers[^1];
            string name = $"layer{layers.Count - 1}";
            var (ql, kl, vl) = last.Project(window, n, name);
            var newest = Slice(g, ql, n - 1, n, 2, $"{hint}.{name}.newest_query");
            y = last.Finish(Slice(g, window, n - 1, n, 1, $"{hint}.{name}.newest"), last.Attend(newest, kl, vl, valid, name), 1, name);
        }
        return g.Node("Reshape", [y, g.Int64s(0, c, 1, 1)], hint);
    }

    /// <summary>
    /// The retroactive first layer: every output of the window updated from cached softmax denominators and unnormalised outputs
    /// (the leaving key's terms subtracted, the new key's added, the new query's row computed); returns the layer's outputs [B, n, C].
    /// </summary>
    private static OnnxValue Retroactive(OnnxExportContext context, TransformerLayerGraph layer, OnnxValue token, OnnxValue seen,
        OnnxValue valid, int n, long c, Func<string, string> key, string hint)
    {
        var g = context.Graph;
        long h = layer.Heads, d = layer.HeadChannels;
        string p = $"{hint}.layer0";
        var (q, k, v) = layer.Project(token, 1, "layer0");
        var oldKeys = context.State(key("layer0.k"), DataType.Float, [h, n, d]);
        var oldValues = context.State(key("layer0.v"), DataType.Float, [h, n, d]);
        var queries = context.State(key("layer0.q"), DataType.Float, [h, n - 1, d]);
        var sums = context.State(key("layer0.d"), DataType.Float, [h, n - 1]);
        var weighted = context.State(key("layer0.av"), DataType.Float, [h, n - 1, d]);
        var inputs = context.State(key("layer0.x"), DataType.Float, [n, c]);

        var leavingKey = Slice(g, oldKeys, 0, 1, 2, $"{p}.leaving_key");
        var leavingValue = Slice(g, oldValues, 0, 1, 2, $"{p}.leaving_value");
        var keys = Concat(g, [Slice(g, oldKeys, 1, n, 2, $"{p}.kept_keys"), k], 2, $"{p}.keys");
        var values = Concat(g, [Slice(g, oldValues, 1, n, 2, $"{p}.kept_values"), v], 2, $"{p}.values");
        OnnxValue Exp(OnnxValue x, string name) => g.Node("Exp", [x], $"{p}.{name}");
        OnnxValue Rows(OnnxValue x, string name) => g.Node("Reshape", [x, g.Int64s(0, h, n - 1)], $"{p}.{name}");
        // The leaving key counts only if it was a frame (the window was full before this step).
        var leftValid = g.Node("Reshape", [g.Node("Cast", [g.Node("GreaterOrEqual", [seen, g.Scalar(n, $"{hint}.window")], $"{p}.full", type: DataType.Bool)],
            $"{p}.full_f", type: DataType.Float, attributes: [OnnxAttributes.Int("to", (long)DataType.Float)]), g.Int64s(0, 1, 1)], $"{p}.left_valid");
        var left = g.Node("Mul", [Exp(Rows(layer.Scores(queries, leavingKey, "layer0.left"), "left_rows"), "left_exp"), leftValid], $"{p}.left");     // [B, H, n−1]
        var right = Exp(Rows(layer.Scores(queries, k, "layer0.right"), "right_rows"), "right");                                                   // [B, H, n−1]
        var validF = g.Node("Cast", [valid], $"{p}.valid_f", type: DataType.Float, attributes: [OnnxAttributes.Int("to", (long)DataType.Float)]);
        var bottom = g.Node("Mul", [Exp(layer.Scores(q, keys, "layer0.bottom"), "bottom_exp"), validF], $"{p}.bottom");                          // [B, H, 1, n]
        var denominators = Concat(g,
        [
            g.Node("Add", [g.Node("Sub", [sums, left], $"{p}.sums_left"), right], $"{p}.sums_updated"),
            g.Node("ReduceSum", [bottom, g.Int64s(-1)], $"{p}.bottom_sum", attributes: [OnnxAttributes.Int("keepdims", 0)]),
        ], 2, $"{p}.denominators");                                                                                                             // [B, H, n]
        OnnxValue Column(OnnxValue x, string name) => g.Node("Reshape", [x, g.Int64s(0, h, n - 1, 1)], $"{p}.{name}");
        var numerators = Concat(g,
        [
            g.Node("Add", [g.Node("Sub", [weighted, g.Node("Mul", [Column(left, "left_col"), leavingValue], $"{p}.left_av")], $"{p}.av_left"),
                g.Node("Mul", [Column(right, "right_col"), v], $"{p}.right_av")], $"{p}.av_updated"),
            g.Node("MatMul", [bottom, values], $"{p}.bottom_av"),
        ], 2, $"{p}.numerators");                                                                                                               // [B, H, n, d]
        var window = Concat(g, [Slice(g, inputs, 1, n, 1, $"{p}.kept_inputs"), token], 1, $"{p}.window");                                     // [B, n, C]

        context.SetState(key("layer0.k"), keys);
        context.SetState(key("layer0.v"), values);
        context.SetState(key("layer0.q"), Concat(g, [Slice(g, queries, 1, n - 1, 2, $"{p}.kept_queries"), q], 2, $"{p}.queries"));
        context.SetState(key("layer0.d"), Slice(g, denominators, 1, n, 2, $"{p}.next_sums"));
        context.SetState(key("layer0.av"), Slice(g, numerators, 1, n, 2, $"{p}.next_weighted"));
        context.SetState(key("layer0.x"), window);
        var attended = g.Node("Div", [numerators, g.Node("Reshape", [denominators, g.Int64s(0, h, n, 1)], $"{p}.denominator_col")], $"{p}.attended");
        return layer.Finish(window, attended, n, "layer0");
    }

    /// <summary>The cached [B, H, n, d] of <paramref name="key"/> shifted by one with <paramref name="newest"/> at the end (the new state).</summary>
    private static OnnxValue Shift(OnnxExportContext context, string key, OnnxValue newest, TransformerLayerGraph layer, int n, string hint)
    {
        var g = context.Graph;
        var stored = context.State(key, DataType.Float, [layer.Heads, n, layer.HeadChannels]);
        var shifted = Concat(g, [Slice(g, stored, 1, n, 2, $"{hint}.kept"), newest], 2, hint);
        context.SetState(key, shifted);
        return shifted;
    }

    private static OnnxValue Clip(ContinualTransformerEncoder encoder, OnnxActivation input, OnnxExportContext context)
    {
        var g = context.Graph;
        string hint = OnnxExportContext.Hint(encoder);
        int n = encoder.Window, t = (int)input.Shape.Frames;
        long c = encoder.Channels;
        var tokens = g.Node("Transpose", [g.Node("Reshape", [input.Value, g.Int64s(0, c, t)], $"{hint}.tokens_ct")], $"{hint}.tokens",
            attributes: [OnnxAttributes.Ints("perm", 0, 2, 1)]);                                                                     // [B, T, C]
        // n − 1 zero tokens before the first frame, then window i = padded tokens i … i+n−1 (the window ending at frame i).
        var padded = g.Node("Pad", [tokens, g.Int64s(0, n - 1, 0, 0, 0, 0)], $"{hint}.padded");
        var index = new long[t * n];
        for (int i = 0; i < t; i++)
            for (int j = 0; j < n; j++) index[i * n + j] = i + j;
        var windows = g.Node("Gather", [padded, g.Constant(OnnxConstant.Int64(index, [t, n]), $"{hint}.window_index")], $"{hint}.windows",
            attributes: [OnnxAttributes.Int("axis", 1)]);                                                                           // [B, T, n, C]
        // Key j of window i is a frame when j ≥ n − min(i + 1, n).
        var thresholds = g.Floats(Enumerable.Range(0, t).Select(i => (float)(n - Math.Min(i + 1, n))).ToArray(), [1, t, 1, 1, 1], $"{hint}.first_valid");
        var positions = g.Floats(Enumerable.Range(0, n).Select(j => (float)j).ToArray(), [1, 1, 1, 1, n], $"{hint}.key_positions");
        var valid = g.Node("GreaterOrEqual", [positions, thresholds], $"{hint}.valid_keys", type: DataType.Bool);                   // [1, T, 1, 1, n]
        var x = windows;
        for (int i = 0; i < encoder.Layers.Count; i++)
        {
            var layer = new TransformerLayerGraph(context, encoder.Layers[i], $"{hint}.layers.{i}", 2);
            var (q, k, v) = layer.Project(x, n, $"layer{i}");
            x = layer.Finish(x, layer.Attend(q, k, v, valid, $"layer{i}"), n, $"layer{i}");
        }
        var newest = g.Node("Reshape", [Slice(g, x, n - 1, n, 2, $"{hint}.newest"), g.Int64s(0, t, c)], $"{hint}.newest_tokens");     // [B, T, C]
        var channelsFirst = g.Node("Transpose", [newest], $"{hint}.channels_first", attributes: [OnnxAttributes.Ints("perm", 0, 2, 1)]);
        return g.Node("Reshape", [channelsFirst, g.Int64s(0, c, t, 1, 1)], hint);
    }

    private static OnnxValue Slice(OnnxGraph g, OnnxValue x, long start, long end, long axis, string hint) =>
        g.Node("Slice", [x, g.Int64s(start), g.Int64s(end), g.Int64s(axis)], hint);

    private static OnnxValue Concat(OnnxGraph g, OnnxValue[] parts, long axis, string hint) =>
        g.Node("Concat", parts, hint, attributes: [OnnxAttributes.Int("axis", axis)]);
}
