using MoViSharp.Weights;
using MoViSharp.Weights.Formats;
using static TorchSharp.torch;
using static MoViSharp.Tests.Weights.Formats.LegacyTorchBytes;

namespace MoViSharp.Tests.Weights.Formats;

/// <summary>
/// The legacy torch.save stream (PyTorch &lt; 1.6): real files written by PyTorch (tools/fixtures/make_torch_fixtures.py; their
/// bit-exact values are checked with the zip fixtures from expected.json), and hand-made hostile ones.
/// </summary>
public class TorchLegacyCheckpointTests
{
    private static string Fixture(string name) => TorchCheckpointReaderTests.FixturePath(name);

    [Theory]
    [InlineData("legacy_format.pt")]
    [InlineData("legacy_dtypes.pt")]
    [InlineData("legacy_tsm_style.pt")]
    [InlineData("legacy_model_state.pyth")]
    [InlineData("legacy_protocol4.pt")]
    public void Legacy_files_are_recognised_by_their_bytes(string name)
    {
        Assert.Equal(CheckpointFormat.TorchLegacy, CheckpointFormats.Detect(Fixture(name)));
        Assert.Equal(CheckpointFormat.TorchZip, CheckpointFormats.Detect(Fixture("dtypes.pt")));
    }

    [Fact]
    public void The_first_legacy_fixture_reads_its_two_ones()
    {
        using var read = TorchCheckpointReader.Read(Fixture("legacy_format.pt"));
        Assert.Equal(["w"], read.Names);
        Assert.Equal([1f, 1f], read["w"].data<float>().ToArray());
    }

    [Fact]
    public void Views_sharing_one_storage_read_at_their_offsets_and_strides()
    {
        using var read = TorchCheckpointReader.Read(Fixture("legacy_dtypes.pt"));
        // shared = arange(20) * 0.5
        Assert.Equal([1.5f, 2f, 2.5f, 3f], read["view_offset"].data<float>().ToArray());
        Assert.Equal([4L, 3L], read["view_transposed"].shape);
        Assert.Equal([4f, 6f, 8f, 4.5f, 6.5f, 8.5f, 5f, 7f, 9f, 5.5f, 7.5f, 9.5f], read["view_transposed"].data<float>().ToArray());
        Assert.Equal([0.5f, 3.5f, 6.5f, 9.5f], read["view_strided"].data<float>().ToArray());
        Assert.Equal(ScalarType.Bool, read["bool"].dtype);
        Assert.Equal(ScalarType.BFloat16, read["bf16"].dtype);
        Assert.Equal(7L, read["i64_scalar"].item<long>());
        Assert.Equal([0L, 3L], read["empty"].shape);
    }

    [Fact]
    public void Wrappers_keep_their_key_prefixes_and_ignore_the_rest()
    {
        using (var tsm = TorchCheckpointReader.Read(Fixture("legacy_tsm_style.pt")))
        {
            Assert.Equal(["module.conv1.weight", "module.fc.bias"], tsm.Names); // the optimizer's momentum storage is skipped
            Assert.Equal([-2f, -1f, 0f, 1f, 2f, 3f], tsm["module.conv1.weight"].data<float>().ToArray());
            Assert.Equal([0.25, -0.75], tsm["module.fc.bias"].data<double>().ToArray());
        }
        using (var pyth = TorchCheckpointReader.Read(Fixture("legacy_model_state.pyth")))
            Assert.Equal(["blocks.0.conv.weight", "blocks.0.norm.num_batches_tracked"], pyth.Names);
        using (var tutorial = TorchCheckpointReader.Read(Fixture("legacy_model_state_dict.pt")))
            Assert.Equal([9, 8, 7], tutorial["only"].data<byte>().ToArray());
    }

    [Fact]
    public void A_hand_made_file_reads_back()
    {
        byte[] file = File(StateDict("w", numel: 3, offset: 1, size: [2], stride: [1]), ["0"], Storage(3, Floats(1, 2, 3)));
        using var read = TorchCheckpointReader.Read(file, "hand.pt");
        Assert.Equal([2f, 3f], read["w"].data<float>().ToArray());
    }

    private static CheckpointFormatException Refuse(byte[] file) =>
        Assert.Throws<CheckpointFormatException>(() => TorchCheckpointReader.Read(file, "old.pt").Dispose());

    [Fact]
    public void A_storage_count_that_disagrees_with_the_pickle_is_refused()
    {
        byte[] file = File(StateDict("w", 3, 0, [3], [1]), ["0"], Storage(4, Floats(1, 2, 3, 4)));
        Assert.Equal("old.pt: storage '0' holds 4 elements in the file, but the object pickle declares 3.", Refuse(file).Message);
    }

    [Fact]
    public void A_storage_larger_than_the_rest_of_the_file_is_refused_before_allocating()
    {
        byte[] file = File(StateDict("w", 1L << 40, 0, [3], [1]), ["0"], Storage(1L << 40, Floats(1, 2, 3)));
        Assert.Equal("old.pt: storage '0' declares 1099511627776 float32 elements (4398046511104 bytes), but only 12 bytes are left in the file.", Refuse(file).Message);
    }

    [Fact]
    public void Truncated_data_and_missing_counts_are_refused()
    {
        byte[] whole = File(StateDict("w", 3, 0, [3], [1]), ["0"], Storage(3, Floats(1, 2, 3)));
        Assert.Equal("old.pt: storage '0' declares 3 float32 elements (12 bytes), but only 11 bytes are left in the file.", Refuse(whole[..^1]).Message);
        Assert.StartsWith("old.pt: the file ends at byte", Refuse(whole[..^16]).Message);
        Assert.StartsWith("old.pt: storage key pickle: pickle ends inside a 4-byte argument", Refuse(whole[..^25]).Message);
    }

    [Fact]
    public void The_key_list_must_name_declared_storages_once()
    {
        byte[] pickle = StateDict("w", 3, 0, [3], [1]);
        Assert.Equal("old.pt: the storage key list names '9', which no persistent id of the object pickle declares.",
            Refuse(File(pickle, ["9"], Storage(3, Floats(1, 2, 3)))).Message);
        Assert.Equal("old.pt: the storage key list names '0' twice.", Refuse(File(pickle, ["0", "0"], Storage(3, Floats(1, 2, 3)))).Message);
        Assert.Equal("old.pt: storage '0' is used by a tensor but its data is not in the file (not in the storage key list).",
            Refuse(File(pickle, [], Storage(3, Floats(1, 2, 3)))).Message);
    }

    [Fact]
    public void A_big_endian_writer_and_other_protocol_versions_are_not_supported()
    {
        byte[] body = [.. StateDict("w", 1, 0, [1], [1]), .. Keys("0"), .. Storage(1, Floats(1))];
        var big = Assert.Throws<CheckpointNotSupportedException>(() => TorchCheckpointReader.Read([.. Magic, .. Protocol(), .. SysInfo(littleEndian: false), .. body], "old.pt"));
        Assert.Equal("old.pt: the checkpoint was written on a big-endian machine; only little-endian checkpoints are supported.", big.Message);
        var version = Assert.Throws<CheckpointNotSupportedException>(() => TorchCheckpointReader.Read([.. Magic, .. Protocol(1002), .. SysInfo(), .. body], "old.pt"));
        Assert.Equal("old.pt: legacy torch.save protocol version 1002 is not supported (only 1001).", version.Message);
    }

    [Fact]
    public void Globals_are_refused_in_every_pickle_before_anything_runs()
    {
        byte[] evil = new PickleBytes().Proto().Global("os", "system").Str("echo pwned").Tuple1().Reduce().Stop().ToArray();
        Assert.StartsWith("old.pt: object pickle: refuses the global 'os.system'", Refuse(File(evil, [])).Message);
        Assert.StartsWith("old.pt: system info pickle: refuses the global 'os.system'", Refuse([.. Magic, .. Protocol(), .. evil]).Message);
    }

    [Fact]
    public void A_pickled_whole_module_is_not_supported()
    {
        byte[] module = new PickleBytes().Proto().Mark().Str("module").Str("Net").Str("net.py").Str("source").Tuple().PersId().Stop().ToArray();
        var e = Assert.Throws<CheckpointNotSupportedException>(() => TorchCheckpointReader.Read(File(module, []), "old.pt"));
        Assert.StartsWith("old.pt: object pickle: the checkpoint pickles a whole nn.Module", e.Message);
    }

    [Fact]
    public void A_key_declared_twice_with_different_sizes_is_refused()
    {
        byte[] pickle = new PickleBytes().Proto().EmptyDict().Mark()
            .Str("a").Tensor("FloatStorage", "0", 2, 0, [2], [1], legacy: true)
            .Str("b").Tensor("FloatStorage", "0", 100, 0, [100], [1], legacy: true)
            .SetItems().Stop().ToArray();
        Assert.StartsWith("old.pt: object pickle: storage '0' is declared as 2 float32 elements and again as 100 float32 elements",
            Refuse(File(pickle, ["0"], Storage(2, Floats(1, 2)))).Message);
    }
}
