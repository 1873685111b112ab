using Npgsql;

namespace MoViSharp.Tests.Server;

/// <summary>
/// The PostgreSQL the tests use: ./test.sh starts Debian's local cluster and sets MOVISHARP_TEST_POSTGRES. A test that needs
/// it fails, naming the variable, when it is unset or the database does not answer.
/// </summary>
internal static class TestPostgres
{
    public const string Variable = "MOVISHARP_TEST_POSTGRES";

    public static async Task<string> ConnectionStringAsync()
    {
        var value = Environment.GetEnvironmentVariable(Variable);
        Assert.False(string.IsNullOrEmpty(value),
            $"{Variable} is not set: run ./test.sh (it starts Debian's postgresql and creates a test database) or set it to an Npgsql connection string.");
        try
        {
            await using var connection = new NpgsqlConnection(value);
            await connection.OpenAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        }
        catch (Exception e)
        {
            var b = new NpgsqlConnectionStringBuilder(value);
            Assert.Fail($"{Variable} is set (host {b.Host}, database {b.Database}, user {b.Username}) but PostgreSQL does not answer: {e.Message}");
        }
        return value!;
    }

    /// <summary>Removes a test cluster's membership rows (its version row; the silo rows go with it), so that runs leave nothing behind.</summary>
    public static async Task ForgetClusterAsync(string connectionString, string clusterId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var forget = new NpgsqlCommand("DELETE FROM movisharp_orleans_membership_versions WHERE deployment_id = $1", connection);
        forget.Parameters.Add(new NpgsqlParameter { Value = clusterId });
        await forget.ExecuteNonQueryAsync();
    }
}
