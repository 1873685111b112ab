using MoViSharp.Weights;
using MoViSharp.Weights.Formats;

namespace MoViSharp.Tests.Weights.Formats;

/// <summary>Corrupt and malicious torch.save files: each must end in a <see cref="CheckpointFormatException"/> that says what is wrong.</summary>
public class TorchCheckpointHostileInputTests
{
    private static CheckpointFormatException Refuse(byte[] file, string name = "model.pt", TorchCheckpointLimits? limits = null) =>
        Assert.Throws<CheckpointFormatException>(() => TorchCheckpointReader.Read(file, name, limits).Dispose());

    private static byte[] Floats(int count) => new byte[count * 4];

    [Fact]
    public void A_pickle_naming_os_system_is_refused_before_anything_runs()
    {
        // cos\nsystem\n X'echo pwned' TUPLE1 REDUCE STOP: what a malicious torch.save file does to run a shell command.
        byte[] pickle = new PickleBytes().Proto().Global("os", "system").Str("echo pwned > /tmp/movisharp-pwned").Tuple1().Reduce().Stop().ToArray();
        var e = Refuse(PickleBytes.Zip(pickle), "evil.pt");
        Assert.StartsWith("evil.pt: archive/data.pkl: refuses the global 'os.system'", e.Message);
        Assert.False(File.Exists("/tmp/movisharp-pwned"));
    }

    [Theory]
    [InlineData("builtins", "eval")]
    [InlineData("posix", "system")]
    [InlineData("torch", "load")]
    [InlineData("torch._utils", "_rebuild_device_tensor_from_numpy")]
    [InlineData("collections", "defaultdict")]
    public void Any_global_outside_the_allow_list_is_refused(string module, string name)
    {
        // STACK_GLOBAL (protocol 4 style), after a perfectly valid tensor entry.
        byte[] pickle = new PickleBytes().Proto().EmptyDict().Mark()
            .Str("ok").Tensor("FloatStorage", "0", 1, 0, [1], [1])
            .Str("bad").Str(module).Str(name).Op(0x93).EmptyTuple().Reduce()
            .SetItems().Stop().ToArray();
        var e = Refuse(PickleBytes.Zip(pickle, ("0", Floats(1))));
        Assert.StartsWith($"model.pt: archive/data.pkl: refuses the global '{module}.{name}'", e.Message);
    }

    [Fact]
    public void Absurd_element_count_is_refused_naming_tensor_and_storage()
    {
        byte[] pickle = PickleBytes.StateDict("blocks.b0.weight", numel: 96, offset: 0, size: [4294967296], stride: [1]);
        var e = Refuse(PickleBytes.Zip(pickle, ("0", Floats(96))));
        Assert.Equal("model.pt: tensor 'blocks.b0.weight' declares 4294967296 elements, beyond its storage of 96.", e.Message);
    }

    [Fact]
    public void Strides_reaching_past_the_storage_are_refused()
    {
        byte[] pickle = PickleBytes.StateDict("w", numel: 6, offset: 0, size: [2, 3], stride: [3, 40]);
        var e = Refuse(PickleBytes.Zip(pickle, ("0", Floats(6))));
        Assert.Equal("model.pt: tensor 'w' reaches element 83 (offset 0, size [2, 3], stride [3, 40]), beyond its storage of 6.", e.Message);
    }

    [Fact]
    public void Offset_pushing_the_last_element_out_is_refused()
    {
        byte[] pickle = PickleBytes.StateDict("w", numel: 6, offset: 1, size: [6], stride: [1]);
        var e = Refuse(PickleBytes.Zip(pickle, ("0", Floats(6))));
        Assert.Equal("model.pt: tensor 'w' reaches element 6 (offset 1, size [6], stride [1]), beyond its storage of 6.", e.Message);
    }

    [Fact]
    public void Extent_arithmetic_that_overflows_is_refused()
    {
        byte[] pickle = PickleBytes.StateDict("w", numel: 6, offset: long.MaxValue - 1, size: [2], stride: [long.MaxValue]);
        var e = Refuse(PickleBytes.Zip(pickle, ("0", Floats(6))));
        Assert.Contains("tensor 'w' reaches element beyond 2^63", e.Message);
    }

    [Fact]
    public void Element_count_overflow_is_refused()
    {
        byte[] pickle = PickleBytes.StateDict("w", numel: 6, offset: 0, size: [1L << 40, 1L << 40], stride: [0, 0]);
        var e = Refuse(PickleBytes.Zip(pickle, ("0", Floats(6))));
        Assert.Equal("model.pt: tensor 'w' has a size [1099511627776, 1099511627776] whose element count overflows 64 bits.", e.Message);
    }

    [Theory]
    [InlineData(-1L, 2L, 1L, "has the negative storage offset -1.")]
    [InlineData(0L, -2L, 1L, "has a negative size or stride (size [-2], stride [1]).")]
    [InlineData(0L, 2L, -1L, "has a negative size or stride (size [2], stride [-1]).")]
    public void Negative_geometry_is_refused(long offset, long size, long stride, string problem)
    {
        byte[] pickle = PickleBytes.StateDict("w", numel: 6, offset, [size], [stride]);
        Assert.Equal($"model.pt: tensor 'w' {problem}", Refuse(PickleBytes.Zip(pickle, ("0", Floats(6)))).Message);
    }

    [Fact]
    public void Storage_larger_than_its_zip_entry_is_refused()
    {
        byte[] pickle = PickleBytes.StateDict("w", numel: 6, offset: 0, size: [6], stride: [1]);
        var e = Refuse(PickleBytes.Zip(pickle, ("0", Floats(5))));
        Assert.Equal("model.pt: storage '0' declares 6 float32 elements (24 bytes), but archive/data/0 holds 20 bytes.", e.Message);
    }

    [Fact]
    public void Absurd_storage_size_is_refused_before_allocating()
    {
        byte[] pickle = PickleBytes.StateDict("w", numel: 1L << 40, offset: 0, size: [6], stride: [1]);
        var e = Refuse(PickleBytes.Zip(pickle, ("0", Floats(6))));
        Assert.Equal("model.pt: storage '0' declares 1099511627776 float32 elements (4398046511104 bytes), but archive/data/0 holds 24 bytes.", e.Message);
    }

    [Fact]
    public void Missing_storage_entry_is_refused()
    {
        byte[] pickle = PickleBytes.StateDict("w", numel: 6, offset: 0, size: [6], stride: [1]);
        var e = Refuse(PickleBytes.Zip(pickle));
        Assert.Equal("model.pt: storage '0' is used, but the archive has no archive/data/0 entry.", e.Message);
    }

    [Fact]
    public void Storage_key_with_a_path_is_refused()
    {
        byte[] pickle = new PickleBytes().Proto().EmptyDict().Mark().Str("w").Tensor("FloatStorage", "../x", 1, 0, [1], [1]).SetItems().Stop().ToArray();
        Assert.Contains("invalid storage key str '../x'", Refuse(PickleBytes.Zip(pickle)).Message);
    }

    [Fact]
    public void Unknown_storage_type_is_refused_as_a_global()
    {
        byte[] pickle = PickleBytes.StateDict("w", numel: 6, offset: 0, size: [6], stride: [1], storageType: "ComplexFloatStorage");
        Assert.StartsWith("model.pt: archive/data.pkl: refuses the global 'torch.ComplexFloatStorage'", Refuse(PickleBytes.Zip(pickle)).Message);
    }

    [Fact]
    public void Truncated_zip_is_refused()
    {
        byte[] good = File.ReadAllBytes(TorchCheckpointReaderTests.FixturePath("dtypes.pt"));
        var e = Refuse(good[..(good.Length / 2)]);
        Assert.StartsWith("model.pt: not a readable zip archive (truncated or corrupt):", e.Message);
    }

    [Fact]
    public void Wrong_magic_and_empty_files_are_refused()
    {
        Assert.Equal("model.pt: not a PyTorch checkpoint (expected a zip archive starting with 'PK' or a legacy torch.save stream, found bytes 7B226122).",
            Refuse("{\"a\": 1}"u8.ToArray()).Message);
        Assert.Equal("model.pt: the file is empty.", Refuse([]).Message);
        Assert.Equal("model.pt: not a PyTorch checkpoint (expected a zip archive starting with 'PK' or a legacy torch.save stream, found bytes 504B).", Refuse("PK"u8.ToArray()).Message);
    }

    [Fact]
    public void Zip_without_data_pkl_is_refused()
    {
        var e = Refuse(PickleBytes.ZipEntries([("weights.bin", new byte[4])]));
        Assert.Equal("model.pt: the zip archive has no <folder>/data.pkl entry, so it is not a torch.save checkpoint.", e.Message);
    }

    [Fact]
    public void Big_endian_archive_is_refused()
    {
        byte[] pickle = PickleBytes.StateDict("w", numel: 1, offset: 0, size: [1], stride: [1]);
        var e = Assert.Throws<CheckpointNotSupportedException>(() =>
            TorchCheckpointReader.Read(PickleBytes.ZipEntries([("a/data.pkl", pickle), ("a/byteorder", "big"u8.ToArray()), ("a/data/0", new byte[4])]), "model.pt"));
        Assert.Equal("model.pt: byteorder is 'big'; only little-endian checkpoints are supported.", e.Message);
    }

    [Fact]
    public void Top_level_must_be_a_dict_of_tensors()
    {
        byte[] list = new PickleBytes().Proto().Op((byte)']').Stop().ToArray();
        Assert.Equal("model.pt: the checkpoint holds a list, not a dict of tensors (save model.state_dict()).", Refuse(PickleBytes.Zip(list)).Message);

        byte[] mixed = new PickleBytes().Proto().EmptyDict().Mark().Str("epoch").Int(3).SetItems().Stop().ToArray();
        Assert.Equal("model.pt: entry 'epoch' is a int, not a tensor, and there is no 'state_dict', 'model_state_dict' or 'model_state' entry.",
            Refuse(PickleBytes.Zip(mixed)).Message);

        byte[] badWrapper = new PickleBytes().Proto().EmptyDict().Mark().Str("state_dict").EmptyDict().Mark().Str("n").Op(0x4E).SetItems().SetItems().Stop().ToArray();
        Assert.Equal("model.pt: in 'state_dict', entry 'n' is a None, not a tensor.", Refuse(PickleBytes.Zip(badWrapper)).Message);
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 0x02, 0x7D }, "pickle ends without STOP (at byte 3).")]
    [InlineData(new byte[] { 0x80, 0x02, 0x7D, 0x2E, 0x2E }, "")] // trailing bytes after STOP are ignored, like Python does
    [InlineData(new byte[] { 0x80, 0x02, 0x69, 0x2E }, "pickle opcode 0x69 is not supported (at byte 2).")] // INST
    [InlineData(new byte[] { 0x80, 0x02, 0x81, 0x2E }, "pickle opcode 0x81 is not supported (at byte 2).")] // NEWOBJ
    [InlineData(new byte[] { 0x80, 0x02, 0x68, 0x05, 0x2E }, "memo entry 5 is read before it is written (at byte 2).")]
    [InlineData(new byte[] { 0x80, 0x02, 0x7D, 0x30, 0x30, 0x2E }, "stack underflow (at byte 4).")]
    [InlineData(new byte[] { 0x80, 0x02, 0x7D, 0x7D, 0x2E }, "STOP leaves 2 values and 0 marks on the stack instead of one value (at byte 4).")]
    [InlineData(new byte[] { 0x80, 0x02, 0x58, 0xFF, 0xFF, 0xFF, 0x7F, 0x2E }, "string of 2147483647 bytes is longer than the limit of 1048576 (at byte 2).")]
    [InlineData(new byte[] { 0x80, 0x02, 0x8A, 0x09, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x2E }, "integer of 9 bytes does not fit in 64 bits (at byte 2).")]
    [InlineData(new byte[] { 0x80, 0x02, 0x8C, 0x02, 0xC3, 0x28, 0x2E }, "string is not valid UTF-8 (at byte 2).")]
    [InlineData(new byte[] { 0x80, 0x09, 0x2E }, "pickle protocol 9 is not supported (2 to 5 are) (at byte 0).")]
    [InlineData(new byte[] { 0x80, 0x02, 0x74, 0x2E }, "no MARK to pop to (at byte 2).")]
    [InlineData(new byte[] { 0x80, 0x02, 0x63, (byte)'o', (byte)'s', 0x2E }, "GLOBAL name is unterminated or longer than 256 bytes (at byte 2).")]
    [InlineData(new byte[] { 0x80, 0x02, 0x29, 0x29, 0x52, 0x2E }, "cannot call a tuple.")]
    public void Malformed_pickles_are_refused_with_their_position(byte[] pickle, string problem)
    {
        if (problem.Length == 0)
        {
            using var empty = TorchCheckpointReader.Read(PickleBytes.Zip(pickle), "model.pt");
            Assert.Empty(empty);
            return;
        }
        Assert.Equal($"model.pt: archive/data.pkl: {problem}", Refuse(PickleBytes.Zip(pickle)).Message);
    }

    [Fact]
    public void Memo_stack_and_container_limits_hold()
    {
        var limits = TorchCheckpointLimits.Default with { MaxMemoEntries = 2, MaxStackDepth = 4, MaxContainerElements = 2 };
        byte[] memo = new PickleBytes().Proto().EmptyDict().Put(0).Put(1).Put(2).Stop().ToArray();
        Assert.Equal("model.pt: archive/data.pkl: more than 2 memo entries (at byte 7).", Refuse(PickleBytes.Zip(memo), limits: limits).Message);

        byte[] deep = new PickleBytes().Proto().EmptyDict().EmptyDict().EmptyDict().EmptyDict().EmptyDict().Stop().ToArray();
        Assert.Equal("model.pt: archive/data.pkl: more than 4 values on the stack (at byte 6).", Refuse(PickleBytes.Zip(deep), limits: limits).Message);

        byte[] wide = new PickleBytes().Proto().Op((byte)']').Mark().Int(1).Int(2).Int(3).Op((byte)'e').Stop().ToArray();
        Assert.StartsWith("model.pt: archive/data.pkl: 3 items exceed the limit of 2 per container", Refuse(PickleBytes.Zip(wide), limits: limits).Message);

        byte[] big = PickleBytes.StateDict("w", numel: 6, offset: 0, size: [6], stride: [1]);
        Assert.Equal("model.pt: storages exceed the limit of 16 bytes in total.",
            Refuse(PickleBytes.Zip(big, ("0", Floats(6))), limits: TorchCheckpointLimits.Default with { MaxTotalBytes = 16 }).Message);
    }

    [Fact]
    public void Hand_written_state_dict_reads_with_shared_storage()
    {
        var floats = new byte[6 * 4];
        for (int i = 0; i < 6; i++)
            BitConverter.TryWriteBytes(floats.AsSpan(i * 4), i + 0.5f);
        byte[] pickle = new PickleBytes().Proto().EmptyDict().Mark()
            .Str("a").Tensor("FloatStorage", "0", 6, 1, [2], [2])
            .Str("b").Tensor("FloatStorage", "0", 6, 0, [3, 2], [1, 3])
            .SetItems().Stop().ToArray();
        using var read = TorchCheckpointReader.Read(PickleBytes.Zip(pickle, ("0", floats)), "model.pt");
        Assert.Equal(["a", "b"], read.Names);
        Assert.Equal([1.5f, 3.5f], read["a"].data<float>().ToArray());
        Assert.Equal([0.5f, 3.5f, 1.5f, 4.5f, 2.5f, 5.5f], read["b"].data<float>().ToArray());
    }

    [Fact]
    public void Random_corruption_never_escapes_the_error_contract()
    {
        // Byte flips inside data.pkl (re-zipped so the zip stays valid) and inside the whole file.
        var zip = System.IO.Compression.ZipFile.OpenRead(TorchCheckpointReaderTests.FixturePath("dtypes.pt"));
        var entries = zip.Entries.Select(e => (e.FullName, Bytes: ReadAll(e))).ToList();
        zip.Dispose();
        byte[] file = File.ReadAllBytes(TorchCheckpointReaderTests.FixturePath("dtypes.pt"));
        var random = new Random(1234);
        for (int round = 0; round < 300; round++)
        {
            byte[] candidate;
            if (round % 2 == 0)
            {
                var mutated = entries.Select(e => (e.FullName, Bytes: (byte[])e.Bytes.Clone())).ToList();
                var pkl = mutated.First(e => e.FullName.EndsWith("data.pkl", StringComparison.Ordinal)).Bytes;
                for (int k = 0; k < 1 + round % 4; k++)
                    pkl[random.Next(pkl.Length)] = (byte)random.Next(256);
                candidate = PickleBytes.ZipEntries(mutated);
            }
            else
            {
                candidate = (byte[])file.Clone();
                candidate[random.Next(candidate.Length)] ^= (byte)(1 << random.Next(8));
            }
            try
            {
                TorchCheckpointReader.Read(candidate, "fuzz.pt").Dispose();
            }
            catch (Exception e) when (e is CheckpointFormatException or CheckpointNotSupportedException)
            {
                Assert.StartsWith("fuzz.pt: ", e.Message);
            }
        }
    }

    private static byte[] ReadAll(System.IO.Compression.ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

}
