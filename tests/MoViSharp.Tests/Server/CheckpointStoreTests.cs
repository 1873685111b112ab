using MoViSharp.Cluster;
using MoViSharp.Server.Events;
using MoViSharp.Server.Streams;
using MoViSharp.Streaming;

namespace MoViSharp.Tests.Server;

/// <summary>The durable checkpoint stores (SQLite file, PostgreSQL) and the validation of a checkpoint read back.</summary>
[Collection(ServerCollection.Name)]
public class CheckpointStoreTests
{
    [Fact]
    public async Task Sqlite_CheckpointRoundTrips_ThroughAFreshStoreOnTheSameFile()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("movisharp-ckpt-").FullName, "checkpoints.db");
        await RoundTripAsync(scope => new SqliteStreamDirectory(path, scope), "sqlite-a");
    }

    [Fact]
    public async Task Postgres_CheckpointRoundTrips_ThroughAFreshStore()
    {
        string cs = await TestPostgres.ConnectionStringAsync();
        await RoundTripAsync(scope => new PostgresStreamDirectory(cs, scope), $"pg-{Guid.NewGuid():N}"[..24]);
    }

    /// <summary>
    /// A real stream checkpoint (the demo model's state after 7 frames) saved, read back by a second store on the same
    /// database, and compared tensor by tensor; then the rules every store keeps: scopes apart, newest wins, listing, delete,
    /// size bounds.
    /// </summary>
    private static async Task RoundTripAsync(Func<string, DbStreamDirectory> open, string id)
    {
        string scope = $"test-{Guid.NewGuid():N}";
        await using var store = open(scope);
        await store.InitializeAsync();
        await store.InitializeAsync();   // idempotent
        using var models = TestServer.DemoCatalog();
        var (_, classifier) = models.Get("demo");
        using var stepper = new StreamStepper(classifier, new StreamResults(id, classifier.Labels!, 10, 1, classifier.Delay));
        var frames = new SyntheticFrames(7, classifier.Preprocessing.Frames, classifier.Preprocessing.Size);
        for (long f = 0; f < 7; f++) stepper.Advance(frames.Frame(f));
        using var state = stepper.Export();
        var checkpoint = new StreamCheckpoint(new ClusterStreamSpec(7, 15, "demo", 100), "run-1", 7, stepper.Results.Detector.State, false);
        byte[] bytes = checkpoint.Serialize(state);

        Assert.Null(await store.LoadAsync(id));
        await store.SaveAsync(id, 7, false, bytes);
        await using (var foreign = open(scope + "-other"))
        {
            Assert.Null(await foreign.LoadAsync(id));
            Assert.Empty(await foreign.ListAsync());
        }
        await using (var other = open(scope))
        {
            var loaded = await other.LoadAsync(id);
            Assert.Equal(bytes, loaded);
            var (back, backState) = StreamCheckpoint.Deserialize(loaded!);
            using (backState)
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
            var listed = (await other.ListAsync()).Single(s => s.StreamId == id);
            Assert.Equal((7L, false), (listed.NextFrame, listed.Ended));
            Assert.True(Math.Abs((DateTimeOffset.UtcNow - listed.SavedAt).TotalMinutes) < 5);
        }

        // The newest checkpoint wins: a later one replaces it, an older one (a stale activation) does not.
        byte[] later = [1, 2, 3];
        await store.SaveAsync(id, 30, true, later);
        await store.SaveAsync(id, 20, false, bytes);
        Assert.Equal(later, await store.LoadAsync(id));
        Assert.Equal((30L, true), (await store.ListAsync()).Where(s => s.StreamId == id).Select(s => (s.NextFrame, s.Ended)).Single());

        // Bounds: size, id, frame.
        var tooBig = await Assert.ThrowsAsync<ArgumentException>(() => store.SaveAsync(id, 31, false, new byte[CheckpointLimits.MaxBytes + 1]));
        Assert.Contains("limit", tooBig.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => store.SaveAsync("bad id; drop table", 1, false, later));
        await Assert.ThrowsAsync<ArgumentException>(() => store.SaveAsync(id, 1, false, []));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.SaveAsync(id, -1, false, later));

        await store.DeleteAsync(id);
        Assert.Null(await store.LoadAsync(id));
        Assert.DoesNotContain(await store.ListAsync(), s => s.StreamId == id);
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
