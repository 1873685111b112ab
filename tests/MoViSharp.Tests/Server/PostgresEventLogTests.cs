using MoViSharp.Server.Events;

namespace MoViSharp.Tests.Server;

/// <summary>The event log on PostgreSQL: ./test.sh starts Debian's local cluster and sets MOVISHARP_TEST_POSTGRES.</summary>
[Collection(ServerCollection.Name)]
public class PostgresEventLogTests
{
    private static string ConnectionString()
    {
        var value = Environment.GetEnvironmentVariable("MOVISHARP_TEST_POSTGRES");
        Assert.False(string.IsNullOrEmpty(value),
            "MOVISHARP_TEST_POSTGRES is not set: run ./test.sh (it starts Debian's postgresql and creates a test database) or set it to an Npgsql connection string.");
        return value!;
    }

    [Fact]
    public async Task Postgres_ServerLogsLabelChanges_AndAnotherServerReadsThem()
    {
        string cs = ConnectionString();
        string id = $"pg-{Guid.NewGuid():N}"[..20];
        List<string> logged;
        await using (var first = await TestServer.StartAsync(adjust: o => o with { PostgresConnectionString = cs }))
        {
            Assert.Equal("postgresql", (await first.GetJsonAsync("/health")).GetProperty("eventLog").GetString());
            await first.PostStreamAsync(new { id, kind = "synthetic", fps = 30, seed = 4 });
            await TestServer.WaitUntilAsync(() => first.Server.EventWriter.Written >= 2, "two label changes to be stored");
            logged = (await first.Server.EventLog.ReadAsync(id, 1000)).Select(e => $"{e.Seq}/{e.Label}").ToList();
        }
        await using var second = await TestServer.StartAsync(adjust: o => o with { PostgresConnectionString = cs });
        var events = await second.GetJsonAsync($"/events?stream={id}&limit=1000");
        var reread = events.EnumerateArray().Select(e => $"{e.GetProperty("seq").GetInt64()}/{e.GetProperty("label").GetString()}").ToList();
        Assert.True(logged.Count >= 2);
        Assert.Equal(logged, reread.Take(logged.Count));
    }

    [Fact]
    public async Task Postgres_SameEventTwice_IsStoredOnce()
    {
        await using var log = new PostgresEventLog(ConnectionString());
        await log.InitializeAsync();
        string id = $"pg-{Guid.NewGuid():N}"[..20];
        var e = new LabelEvent(id, "r", 0, 3, DateTimeOffset.UnixEpoch.AddDays(1), "spin", 0.75f, null);
        await log.WriteAsync([e]);
        await log.WriteAsync([e, e with { Seq = 1, Label = "bounce", Previous = "spin" }]);
        var stored = await log.ReadAsync(id, 10);
        Assert.Equal(["spin", "bounce"], stored.Select(x => x.Label));
        Assert.Equal(e, stored[0]);
    }
}
