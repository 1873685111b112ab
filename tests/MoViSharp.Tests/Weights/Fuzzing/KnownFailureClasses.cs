using System.Text;
using MoViSharp.Tests.Weights.Formats;
using MoViSharp.Tests.Weights.Tflite;
using MoViSharp.Weights;
using MoViSharp.Weights.Tflite;

namespace MoViSharp.Tests.Weights.Fuzzing;

/// <summary>
/// One input per failure class an independent fuzz run found before the readers had a contract (issue 15), kept as a regression
/// file in Fixtures/fuzz/&lt;reader&gt;/ and rebuilt here, so the file and what it stands for cannot drift apart.
/// Set MOVISHARP_WRITE_KNOWN_REGRESSIONS to the source tree's Fixtures/fuzz folder to (re)write the files.
/// </summary>
public class KnownFailureClasses
{
    /// <param name="Before">What the readers did with this input before the contract.</param>
    public sealed record Case(string Reader, string File, string Before, Func<byte[]> Build, Type Expected, string MessagePart)
    {
        public override string ToString() => $"{Reader}/{File}";
    }

    private static readonly Case[] Cases =
    [
        new("tflite", "cycle_through_pass_through_ops" + TflitePatch.Extension, "import never returned (Source looped)",
            CycleBeforeStem, typeof(CheckpointFormatException), "the graph has a cycle through pass-through ops"),
        // A changed code alone cannot make the reference graph (a DAG) loop; on an op that reads its own output it does.
        new("tflite", "operator_code_changed_to_reshape_on_a_self_loop" + TflitePatch.Extension, "import never returned (Source looped)",
            () => Edit(e =>
            {
                var concat = e.FirstOperator(op => e.Kind(op) == "CONCATENATION");
                e.SetInput(concat, 0, concat.Outputs[0]);
                e.SetOpcodeIndex(concat, e.CodeIndexOf("RESHAPE"));
            }), typeof(CheckpointFormatException), "the graph has a cycle through pass-through ops"),
        new("tflite", "constant_shape_product_overflows" + TflitePatch.Extension, "OverflowException from the dequantizer's checked int",
            () => Edit(e =>
            {
                int scale = ReZeroScale(e, ReZeroMuls(e)[0]);
                e.SetTensorType(scale, TfliteTensorType.String);
                e.SetShape(scale, int.MaxValue, int.MaxValue, int.MaxValue, int.MaxValue, int.MaxValue);
            }), typeof(CheckpointFormatException), "has more elements than 64 bits can count"),
        new("tflite", "conv_weight_omitted" + TflitePatch.Extension, "ArgumentOutOfRangeException from Tensor(-1)",
            () => Edit(e => e.SetInput(Stem(e), 1, -1)), typeof(CheckpointFormatException), "has no input 1 (weight)"),
        new("tflite", "conv_with_one_input" + TflitePatch.Extension, "IndexOutOfRangeException from op.Inputs[1]",
            () => Edit(e => e.SetInputCount(Stem(e), 1)), typeof(CheckpointFormatException), "has no input 1 (weight)"),
        new("tflite", "projection_feeding_two_rezero_muls" + TflitePatch.Extension, "InvalidOperationException from LINQ SingleOrDefault",
            () => Edit(e =>
            {
                var (first, second) = (ReZeroMuls(e)[0], ReZeroMuls(e)[1]);
                int projected = first.Inputs.First(t => t != ReZeroScale(e, first));
                e.SetInput(second, Array.FindIndex(second.Inputs, t => t != ReZeroScale(e, second)), projected);
            }), typeof(CheckpointFormatException), "feeds 2 ops where one ReZero MUL is expected"),
        new("npy", "shape_product_overflows_beside_a_zero.npy", "OverflowException from NpyArray",
            () => Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4611686018427387904, 0), }\n"),
            typeof(CheckpointFormatException), "whose byte size overflows 64 bits"),
        new("safetensors", "zero_size_shape_libtorch_refuses.safetensors", "ExternalException from libtorch's empty()",
            () => SafeTensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[0,4611686018427387904,4611686018427387904],\"data_offsets\":[0,0]}}"),
            typeof(CheckpointFormatException), "whose byte size overflows 64 bits"),
        new("torch-zip", "storage_key_declared_with_two_sizes.pt", "ExternalException from libtorch's as_strided",
            () => PickleBytes.Zip(new PickleBytes().Proto().EmptyDict().Mark()
                .Str("a").Tensor("FloatStorage", "0", 2, 0, [2], [1]).Str("b").Tensor("FloatStorage", "0", 100, 0, [100], [1])
                .SetItems().Stop().ToArray(), ("0", new byte[400])),
            typeof(CheckpointFormatException), "is declared as 2 float32 elements and again as 100"),
        new("torch-zip", "zero_size_tensor_libtorch_refuses.pt", "ExternalException from libtorch's empty()",
            () => PickleBytes.Zip(PickleBytes.StateDict("w", 1, 0, [0, 1L << 62, 1L << 62], [0, 0, 0]), ("0", new byte[4])),
            typeof(CheckpointFormatException), "whose byte size overflows 64 bits"),
        new("loader", "config_stage_out_null.safetensors", "NullReferenceException from the config JSON reader",
            () => MoViSharpMetadataOnly("""{"name":"x","stem":8,"stages":[{"out":null,"layers":[[8,1,3]]}],"head":8,"hidden":8,"classes":2}"""),
            typeof(CheckpointFormatException), "gives stage 0 an 'out' or 'stride' that is not an integer"),
        new("loader", "port_classifier_is_a_scalar.pt", "IndexOutOfRangeException from shape[0]",
            () => PickleBytes.Zip(new PickleBytes().Proto().EmptyDict().Mark()
                .Str("conv1.conv_1.conv3d.weight").Tensor("FloatStorage", "0", 1, 0, [1], [1])
                .Str("classifier.3.conv_1.conv3d.weight").Tensor("FloatStorage", "0", 1, 0, [], [])
                .SetItems().Stop().ToArray(), ("0", new byte[4])),
            typeof(CheckpointFormatException), "the classifier kernel needs [classes, hidden, …]"),
    ];

    public static TheoryData<Case> All() => new(Cases);

    [Theory]
    [MemberData(nameof(All))]
    public void Each_known_failure_class_has_a_regression_file_that_now_fails_cleanly(Case c)
    {
        var target = FuzzTargets.Get(c.Reader);
        byte[] input = c.Build();
        byte[] stored = c.File.EndsWith(TflitePatch.Extension, StringComparison.Ordinal) ? TflitePatch.Encode(TfliteReferenceFile.Bytes, input) : input;
        if (Environment.GetEnvironmentVariable("MOVISHARP_WRITE_KNOWN_REGRESSIONS") is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(Path.Combine(folder, c.Reader));
            File.WriteAllBytes(Path.Combine(folder, c.Reader, c.File), stored);
        }
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "fuzz", c.Reader, c.File);
        Assert.True(File.Exists(path), $"{path} is missing (before: {c.Before})");
        Assert.Equal(stored, File.ReadAllBytes(path));

        var thrown = ReaderContract.Check(c.Reader, target.Load(path), target.InputName, target.Read, target.Allowed, target.Save);
        Assert.NotNull(thrown);
        Assert.IsType(c.Expected, thrown);
        Assert.Contains(c.MessagePart, thrown.Message);
    }

    private static TfliteOperator Stem(ReferenceModelEdits e) => e.FirstOperator(op => e.Kind(op) == "CONV_2D");

    private static bool IsConstant(ReferenceModelEdits e, int tensor) => tensor >= 0 && !e.Model.GetTensorData(e.Model.SubGraphs[0].Tensors[tensor]).IsEmpty;

    /// <summary>The MULs by a constant (the ReZero scales), in graph order.</summary>
    private static List<TfliteOperator> ReZeroMuls(ReferenceModelEdits e) =>
        e.Operators.Where(op => e.Kind(op) == "MUL" && op.Inputs.Count(t => IsConstant(e, t)) == 1).ToList();

    private static int ReZeroScale(ReferenceModelEdits e, TfliteOperator mul) => mul.Inputs.First(t => IsConstant(e, t));

    private static byte[] Edit(Action<ReferenceModelEdits> edit)
    {
        var edits = new ReferenceModelEdits();
        edit(edits);
        return edits.Bytes;
    }

    /// <summary>The pass-through ops in front of the stem read each other's outputs (or the one op its own output).</summary>
    private static byte[] CycleBeforeStem() => Edit(e =>
    {
        var last = e.WriterOf(Stem(e).Inputs[0]);
        var first = e.Operators.FirstOrDefault(op => op.Outputs.Contains(last.Inputs[0]));
        if (first is null) e.SetInput(last, 0, last.Outputs[0]);
        else e.SetInput(first, 0, last.Outputs[0]);
    });

    private static byte[] Npy(string header)
    {
        var text = Encoding.Latin1.GetBytes(header);
        return [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)text.Length, (byte)(text.Length >> 8), .. text];
    }

    private static byte[] SafeTensors(string header)
    {
        var json = Encoding.UTF8.GetBytes(header);
        return [.. BitConverter.GetBytes((ulong)json.Length), .. json];
    }

    private static byte[] MoViSharpMetadataOnly(string config)
    {
        string escaped = config.Replace("\"", "\\\"", StringComparison.Ordinal);
        return SafeTensors($"{{\"__metadata__\":{{\"format\":\"movisharp/1\",\"config\":\"{escaped}\"}}}}");
    }
}
