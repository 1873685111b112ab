using MoViSharp.Cluster;
using Npgsql;

namespace MoViSharp.Tests.Server;

/// <summary>Our SQL for Orleans' ADO.NET membership contract, called the way the provider calls it (named parameters, columns by name).</summary>
[Collection(ServerCollection.Name)]
public class PostgresMembershipSchemaTests
{
    [Fact]
    public async Task Membership_StaleVersionLoses_HeartbeatsKeepTheVersion_AndTheSchemaIsIdempotent()
    {
        string cs = await TestPostgres.ConnectionStringAsync();
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => PostgresMembershipSchema.EnsureAsync(cs)));   // processes starting together
        string cluster = $"test-{Guid.NewGuid():N}";
        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        async Task<object?> Run(string key, params (string Name, object? Value)[] parameters)
        {
            await using var command = new NpgsqlCommand(PostgresMembershipSchema.Queries[key], connection);
            command.Parameters.Add(new NpgsqlParameter("DeploymentId", cluster));
            foreach (var (name, value) in parameters) command.Parameters.Add(new NpgsqlParameter(name, value ?? DBNull.Value));
            return await command.ExecuteScalarAsync();
        }
        (string, object?)[] Silo(int port, int version, int status = 3) =>
        [
            ("Address", "127.0.0.1"), ("Port", port), ("Generation", 7), ("SiloName", $"silo-{port}"), ("HostName", "host"), ("Status", status),
            ("ProxyPort", port + 1), ("StartTime", DateTime.UtcNow), ("IAmAliveTime", DateTime.UtcNow), ("Version", version),
        ];
        try
        {
            Assert.True(Convert.ToBoolean(await Run("InsertMembershipVersionKey")));
            Assert.False(Convert.ToBoolean(await Run("InsertMembershipVersionKey")));   // exists already

            Assert.True(Convert.ToBoolean(await Run("InsertMembershipKey", Silo(1000, version: 0))));
            Assert.False(Convert.ToBoolean(await Run("InsertMembershipKey", Silo(2000, version: 0))));   // read version 0, table is at 1: loses
            Assert.True(Convert.ToBoolean(await Run("InsertMembershipKey", Silo(2000, version: 1))));

            await Run("UpdateIAmAlivetimeKey", ("Address", "127.0.0.1"), ("Port", 1000), ("Generation", 7), ("IAmAliveTime", DateTime.UtcNow));
            var suspect = new (string, object?)[] { ("Address", "127.0.0.1"), ("Port", 1000), ("Generation", 7), ("Status", 6), ("SuspectTimes", "S127.0.0.1:2000:7,2026-01-01 00:00:00.000 GMT"), ("IAmAliveTime", DateTime.UtcNow) };
            Assert.False(Convert.ToBoolean(await Run("UpdateMembershipKey", [.. suspect, ("Version", 1)])));
            Assert.True(Convert.ToBoolean(await Run("UpdateMembershipKey", [.. suspect, ("Version", 2)])));

            await using (var read = new NpgsqlCommand(PostgresMembershipSchema.Queries["MembershipReadAllKey"], connection))
            {
                read.Parameters.Add(new NpgsqlParameter("DeploymentId", cluster));
                await using var rows = await read.ExecuteReaderAsync();
                var seen = new List<(int Version, int Port, int Status)>();
                while (await rows.ReadAsync())
                    seen.Add((rows.GetInt32(rows.GetOrdinal("Version")), rows.GetInt32(rows.GetOrdinal("Port")), rows.GetInt32(rows.GetOrdinal("Status"))));
                Assert.Equal([(3, 1000, 6), (3, 2000, 3)], seen.OrderBy(s => s.Port));   // heartbeat did not move the version
            }
            await using (var gateways = new NpgsqlCommand(PostgresMembershipSchema.Queries["GatewaysQueryKey"], connection))
            {
                gateways.Parameters.Add(new NpgsqlParameter("DeploymentId", cluster));
                gateways.Parameters.Add(new NpgsqlParameter("Status", 3));
                await using var rows = await gateways.ExecuteReaderAsync();
                var seen = new List<(string, int)>();
                while (await rows.ReadAsync()) seen.Add((rows.GetString(rows.GetOrdinal("Address")), rows.GetInt32(rows.GetOrdinal("ProxyPort"))));
                Assert.Equal([("127.0.0.1", 2001)], seen);   // only the active silo's gateway
            }
            await Run("CleanupDefunctSiloEntriesKey", ("IAmAliveTime", DateTime.UtcNow.AddMinutes(1)));
            await using (var count = new NpgsqlCommand(PostgresMembershipSchema.Queries["MembershipReadAllKey"], connection))
            {
                count.Parameters.Add(new NpgsqlParameter("DeploymentId", cluster));
                await using var rows = await count.ExecuteReaderAsync();
                int n = 0;
                while (await rows.ReadAsync()) n++;
                Assert.Equal(1, n);   // the dead silo's row is gone, the active one stays
            }
        }
        finally
        {
            await Run("DeleteMembershipTableEntriesKey");
        }
    }
}
