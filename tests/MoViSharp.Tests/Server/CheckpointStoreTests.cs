using MoViSharp.Cluster;
using MoViSharp.Server.Events;
using MoViSharp.Server.Streams;
using MoViSharp.Streaming;

namespace MoViSharp.Tests.Server;

/// <summary>The stream directories (SQLite file, PostgreSQL), the grain-state form of a checkpoint, and the validation of a checkpoint read back.</summary>
[Collection(ServerCollection.Name)]
public class CheckpointStoreTests
{
    [Fact]
    public async Task Sqlite_StreamDirectory_KeepsScopesApart_NewestWins()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("movisharp-dir-").FullName, "directory.db");
        await DirectoryRulesAsync(scope => new SqliteStreamDirectory(path, scope), "sqlite-a");
    }

    [Fact]
    public async Task Postgres_StreamDirectory_KeepsScopesApart_NewestWins()
    {
        string cs = await TestPostgres.ConnectionStringAsync();
        await DirectoryRulesAsync(scope => new PostgresStreamDirectory(cs, scope), $"pg-{Guid.NewGuid():N}"[..24]);
    }

    /// <summary>
    /// The rules every directory keeps, seen through a second directory on the same database: scopes apart, newest wins,
    /// id and frame bounds, delete.
    /// </summary>
    private static async Task DirectoryRulesAsync(Func<string, DbStreamDirectory> open, string id)
    {
        string scope = $"test-{Guid.NewGuid():N}";
        await using var directory = open(scope);
        await directory.InitializeAsync();
        await directory.InitializeAsync();   // idempotent
        Assert.DoesNotContain(await directory.ListAsync(), s => s.StreamId == id);
        await directory.RecordAsync(id, 7, false);
        await using (var foreign = open(scope + "-other"))
            Assert.Empty(await foreign.ListAsync());
        await using (var other = open(scope))
        {
            var listed = (await other.ListAsync()).Single(s => s.StreamId == id);
            Assert.Equal((7L, false), (listed.NextFrame, listed.Ended));
            Assert.True(Math.Abs((DateTimeOffset.UtcNow - listed.SavedAt).TotalMinutes) < 5);
        }

        // The newest entry wins: a later one replaces it, an older one (a stale activation) does not.
        await directory.RecordAsync(id, 30, true);
        await directory.RecordAsync(id, 20, false);
        Assert.Equal((30L, true), (await directory.ListAsync()).Where(s => s.StreamId == id).Select(s => (s.NextFrame, s.Ended)).Single());

        await Assert.ThrowsAsync<ArgumentException>(() => directory.RecordAsync("bad id; drop table", 1, false));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => directory.RecordAsync(id, -1, false));

        await directory.DeleteAsync(id);
        Assert.DoesNotContain(await directory.ListAsync(), s => s.StreamId == id);
    }

    /// <summary>A real stream checkpoint (the demo model's state after 7 frames) as grain state and back, tensor by tensor.</summary>
    [Fact]
    public void StoredCheckpoint_RoundTripsARealStreamState_AndRefusesOversizeData()
    {
        var (checkpoint, state) = TestCheckpoint("stored-a", 7);
        using (state)
        {
            var stored = StoredCheckpoint.From("stored-a", checkpoint, state);
            var (back, backState) = stored.Restore("stored-a");
            using (backState) AssertSame(checkpoint, state, back, backState);
        }
        var tooBig = Assert.Throws<InvalidDataException>(() => new StoredCheckpoint { Data = new byte[CheckpointLimits.MaxBytes + 1] }.Restore("stored-a"));
        Assert.Contains("stored-a", tooBig.Message);
        Assert.Throws<InvalidDataException>(() => new StoredCheckpoint { Data = [] }.Restore("stored-a"));
        Assert.Throws<InvalidDataException>(() => new StoredCheckpoint { Data = [1, 2, 3] }.Restore("stored-a"));
        Assert.Throws<InvalidOperationException>(() => new StoredCheckpoint().Restore("stored-a"));
    }

    /// <summary>The demo model's stream state after <paramref name="frames"/> frames and the checkpoint describing it.</summary>
    internal static (StreamCheckpoint, StreamState) TestCheckpoint(string id, long frames)
    {
        using var models = TestServer.DemoCatalog();
        var (_, classifier) = models.Get("demo");
        using var stepper = new StreamStepper(classifier, new StreamResults(id, classifier.Labels!, 10, 1, classifier.Delay));
        var source = new SyntheticFrames(7, classifier.Preprocessing.Frames, classifier.Preprocessing.Size);
        for (long f = 0; f < frames; f++) stepper.Advance(source.Frame(f));
        return (new StreamCheckpoint(new ClusterStreamSpec(7, 15, "demo", 100), "run-1", frames, stepper.Results.Detector.State, false), stepper.Export());
    }

    internal static void AssertSame(StreamCheckpoint checkpoint, StreamState state, StreamCheckpoint back, StreamState backState)
    {
        Assert.Equal(checkpoint.Spec, back.Spec);
        Assert.Equal((checkpoint.Run, checkpoint.NextFrame, checkpoint.Detector, checkpoint.Ended), (back.Run, back.NextFrame, back.Detector, back.Ended));
        Assert.Equal(state.Names, backState.Names);
        Assert.True(state.Count > 0);
        using var tensors = TorchSharp.torch.NewDisposeScope();
        foreach (var name in state.Names)
        {
            Assert.Equal(state[name].shape, backState[name].shape);
            Assert.Equal(state[name].dtype, backState[name].dtype);
            Assert.True(state[name].eq(backState[name]).all().item<bool>(), $"Tensor {name} differs after the round trip.");
        }
    }

    [Fact]
    public void Checkpoint_WithAWrongShapeDtypeOrLength_IsRefusedOnRead_NamingTheTensor()
    {
        var spec = new ClusterStreamSpec(1, 15, null, 0);
        var detector = new DetectorState(null, 0, 0, 0, 0);
        byte[] Write(Action<BinaryWriter> tensor, int count = 1)
        {
            using var buffer = new MemoryStream();
            using (var w = new BinaryWriter(buffer))
            {
                w.Write(1); w.Write(spec.Seed); w.Write(spec.Fps); w.Write(""); w.Write(spec.MaxFrames);
                w.Write("run"); w.Write(3L); w.Write(false);
                w.Write(-1); w.Write(0); w.Write(0); w.Write(0); w.Write(0L);
                w.Write(count);
                tensor(w);
            }
            return buffer.ToArray();
        }
        void Tensor(BinaryWriter w, int dtype, long[] shape, int length)
        {
            w.Write("state_x"); w.Write(dtype); w.Write(shape.Length);
            foreach (var d in shape) w.Write(d);
            w.Write(length); w.Write(new byte[Math.Max(0, Math.Min(length, 64))]);
        }
        string Refusal(byte[] data) => Assert.Throws<InvalidDataException>(() => StreamCheckpoint.Deserialize(data)).Message;

        // A well-formed one reads back: float32 [1, 4] is 16 bytes.
        var (_, ok) = StreamCheckpoint.Deserialize(Write(w => Tensor(w, (int)TorchSharp.torch.ScalarType.Float32, [1, 4], 16)));
        using (ok) Assert.Equal([1L, 4], ok["state_x"].shape);

        Assert.Contains("'state_x'", Refusal(Write(w => Tensor(w, (int)TorchSharp.torch.ScalarType.Float32, [1, 4], 12))));
        Assert.Contains("dtype code 99", Refusal(Write(w => Tensor(w, 99, [1, 4], 16))));
        Assert.Contains("rank 9", Refusal(Write(w => Tensor(w, (int)TorchSharp.torch.ScalarType.Float32, [1, 1, 1, 1, 1, 1, 1, 1, 1], 4))));
        Assert.Contains("negative", Refusal(Write(w => Tensor(w, (int)TorchSharp.torch.ScalarType.Float32, [1, -4], 16))));
        Assert.Contains("limit", Refusal(Write(w => Tensor(w, (int)TorchSharp.torch.ScalarType.Float32, [1, 1L << 40, 1L << 40], 16))));
        Assert.Contains("tensors", Refusal(Write(_ => { }, count: -3)));
        Assert.Contains("cut short", Refusal(Write(w => Tensor(w, (int)TorchSharp.torch.ScalarType.Float32, [1, 100], 400))));
    }
}
