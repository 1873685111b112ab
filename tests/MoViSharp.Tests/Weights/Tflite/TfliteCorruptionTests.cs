using System.Buffers.Binary;
using MoViSharp.Weights;
using MoViSharp.Weights.Tflite;

namespace MoViSharp.Tests.Weights.Tflite;

/// <summary>Corrupted copies of the reference model must fail with a specific <see cref="CheckpointFormatException"/>, never crash or hang.</summary>
public class TfliteCorruptionTests
{
    private const string Name = "model.tflite";

    private static byte[] Copy() => (byte[])TfliteReferenceFile.Bytes.Clone();

    private static CheckpointFormatException Rejects(byte[] bytes)
    {
        var ex = Assert.Throws<CheckpointFormatException>(() => TfliteModel.Parse(bytes, Name));
        Assert.StartsWith(Name + ": ", ex.Message);
        return ex;
    }

    /// <summary>Navigates to subgraph 0 with our own reader, to find the bytes to corrupt.</summary>
    private static FlatBufferTable SubGraph0(byte[] bytes)
    {
        var root = new FlatBufferReader(bytes, Name).Root("model");
        return root.GetVector(2, 4, "subgraphs")!.Value.GetTable(0, "subgraph 0");
    }

    [Fact]
    public void Pristine_Copy_Parses()
    {
        Assert.Equal(452, TfliteModel.Parse(Copy(), Name).SubGraphs[0].Tensors.Count);
    }

    [Theory]
    [InlineData(0, "too short")]
    [InlineData(3, "too short")]
    [InlineData(7, "too short")]
    public void TooShort_IsRejected(int length, string expected)
    {
        Assert.Contains(expected, Rejects(Copy()[..length]).Message);
    }

    [Fact]
    public void Truncated_AtManyLengths_IsRejected()
    {
        byte[] full = Copy();
        int[] lengths = [8, 16, 28, 64, 1000, 4096, full.Length / 2, full.Length - 4096, full.Length - 100, full.Length - 1];
        foreach (int length in lengths)
        {
            var ex = Rejects(full[..length]);
            Assert.True(ex.Message.Contains("past the end") || ex.Message.Contains("outside"), $"truncated at {length}: {ex.Message}");
        }
    }

    [Fact]
    public void RootOffset_PointingOutside_IsRejected()
    {
        byte[] bytes = Copy();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, 0xFFFFFFF0);
        Assert.Contains("root offset 4294967280 points outside", Rejects(bytes).Message);
    }

    [Fact]
    public void WrongFileIdentifier_IsRejected()
    {
        // Decision: the TFL3 identifier is required, so another FlatBuffer (or a random file) fails up front.
        byte[] bytes = Copy();
        "XXXX"u8.CopyTo(bytes.AsSpan(4));
        Assert.Equal($"{Name}: file identifier at bytes 4-7 is 'XXXX', expected 'TFL3': not a TFLite model", Rejects(bytes).Message);
    }

    [Fact]
    public void HugeVectorLength_IsRejected()
    {
        byte[] bytes = Copy();
        long lengthAt = SubGraph0(bytes).GetVector(0, 4, "tensors")!.Value.LengthPosition;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan((int)lengthAt), 0x7FFFFFFF);
        Assert.Contains("claims 2147483647 elements of 4 bytes", Rejects(bytes).Message);
    }

    [Fact]
    public void TensorBufferIndex_OutOfRange_IsRejected()
    {
        byte[] bytes = Copy();
        var tensor12 = SubGraph0(bytes).GetVector(0, 4, "tensors")!.Value.GetTable(12, "tensor 12");
        long at = tensor12.FieldPosition(2, 4);
        Assert.True(at > 0, "tensor 12 stores its buffer index explicitly");
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan((int)at), 9999);
        Assert.Equal($"{Name}: tensor 12 points to buffer 9999, but the model has 455 buffers", Rejects(bytes).Message);
    }

    [Fact]
    public void VtableOffset_PointingOutside_IsRejected()
    {
        byte[] bytes = Copy();
        long table = SubGraph0(bytes).GetVector(0, 4, "tensors")!.Value.GetTable(12, "tensor 12").Position;
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan((int)table), int.MinValue + 1);
        Assert.Contains("names a vtable at", Rejects(bytes).Message);
    }

    [Fact]
    public void OperatorInputIndex_OutOfRange_IsRejected()
    {
        byte[] bytes = Copy();
        var op = SubGraph0(bytes).GetVector(3, 4, "operators")!.Value.GetTable(14, "operator 14");
        long firstInput = op.GetVector(1, 4, "inputs")!.Value.ElementsStart;
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan((int)firstInput), 452);
        Assert.Equal($"{Name}: subgraph 0 operator 14 inputs name tensor 452, but the subgraph has 452 tensors", Rejects(bytes).Message);
    }

    [Fact]
    public void RandomByteFlips_NeverCrash()
    {
        // The FlatBuffer tables (not the weight blobs) live in the first and last few kilobytes; corrupt there.
        byte[] pristine = Copy();
        var random = new Random(1234);
        int rejected = 0;
        for (int trial = 0; trial < 400; trial++)
        {
            byte[] bytes = (byte[])pristine.Clone();
            for (int k = 0; k < 4; k++)
            {
                int at = random.Next(2) == 0 ? random.Next(0, 4096) : random.Next(bytes.Length - 65536, bytes.Length);
                bytes[at] = (byte)random.Next(256);
            }
            try
            {
                var model = TfliteModel.Parse(bytes, Name);
                _ = model.Describe();
            }
            catch (CheckpointFormatException ex)
            {
                Assert.StartsWith(Name + ": ", ex.Message);
                rejected++;
            }
        }
        Assert.True(rejected > 0, "no corruption was detected at all");
    }
}
