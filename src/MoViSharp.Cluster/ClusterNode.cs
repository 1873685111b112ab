using System.Net;
using System.Net.Sockets;
using System.Text.Json.Serialization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MoViSharp.Server;
using MoViSharp.Server.Events;
using Orleans.Configuration;

namespace MoViSharp.Cluster;

/// <summary>
/// One process of a cluster on PostgreSQL (`movisharp serve --cluster`): an Orleans silo that joins the cluster named by the
/// database and cluster id, hosting its share of the stream grains, and an HTTP front end whose stream endpoints go through
/// grains — so every process answers for every stream, wherever it runs. Checkpoints (grain state), the stream directory and the
/// event log are in the same database.
/// </summary>
public sealed class ClusterNode : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly PostgresStreamDirectory directory;
    private readonly PostgresEventLog events;

    public ClusterNodeOptions Options { get; }
    public Uri Address { get; private set; } = null!;
    public string SiloAddress => app.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToString();
    public IGrainFactory Grains => app.Services.GetRequiredService<IGrainFactory>();
    public IStreamDirectory Directory => directory;
    public IEventLog Events => events;

    private ClusterNode(WebApplication app, ClusterNodeOptions options, PostgresStreamDirectory directory, PostgresEventLog events)
    {
        this.app = app;
        Options = options;
        this.directory = directory;
        this.events = events;
    }

    public static async Task<ClusterNode> StartAsync(ModelCatalog models, ClusterNodeOptions options, Action<ILoggingBuilder>? logging = null)
    {
        options.Validate();
        if (models.Names.Count == 0) throw new ArgumentException("A cluster node needs at least one model.");
        var directory = new PostgresStreamDirectory(options.ConnectionString, scope: options.ClusterId);
        var events = new PostgresEventLog(options.ConnectionString);
        try
        {
            await events.InitializeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or SocketException)
        {
            await directory.DisposeAsync().ConfigureAwait(false);
            await events.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"Cannot reach the cluster's PostgreSQL ({PostgresMembershipSchema.Describe(options.ConnectionString)}): {e.Message}", e);
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (logging is not null) logging(builder.Logging);
        builder.WebHost.ConfigureKestrel(k => k.Listen(options.Public ? IPAddress.Any : IPAddress.Loopback, options.HttpPort));
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
            o.SerializerOptions.PropertyNameCaseInsensitive = true;
        });
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o => { o.ClusterId = options.ClusterId; o.ServiceId = "movisharp"; });
            var advertised = options.AdvertisedAddress ?? (options.Public ? FirstIPv4() : IPAddress.Loopback);
            silo.ConfigureEndpoints(advertised, Port(options.SiloPort), Port(options.GatewayPort), listenOnAnyHostAddress: options.Public);
            silo.UsePostgresMembership(options.ConnectionString);
            silo.UsePostgresGrainStorage(options.ConnectionString);
            silo.AddMoViSharpStreams(models, events, directory, options.Streams);
        });
        var app = builder.Build();
        var node = new ClusterNode(app, options, directory, events);
        ClusterEndpoints.Map(app, node, models);
        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch
        {
            await node.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        node.Address = new Uri(bound.Replace("[::]", "localhost").Replace("0.0.0.0", "localhost"));
        await node.EnsureDemoStreamsAsync(models).ConfigureAwait(false);
        return node;
    }

    /// <summary>demo-1…demo-N, started by whichever process gets there first; a running stream ignores a second start.</summary>
    private async Task EnsureDemoStreamsAsync(ModelCatalog models)
    {
        var existing = (await directory.ListAsync().ConfigureAwait(false)).Select(s => s.StreamId).ToHashSet();
        for (int i = 0; i < Options.DemoStreams; i++)
        {
            string id = $"demo-{i + 1}";
            if (!existing.Contains(id))
                await Grains.GetGrain<IStreamGrain>(id).Start(new ClusterStreamSpec(1000 + i, 15, models.Default, 0)).ConfigureAwait(false);
        }
    }

    private static int Port(int requested)
    {
        if (requested != 0) return requested;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static IPAddress FirstIPv4() =>
        Dns.GetHostAddresses(Dns.GetHostName()).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
        ?? throw new InvalidOperationException("This machine has no IPv4 address other silos could reach; give one with --advertise.");

    public Task WaitForShutdownAsync(CancellationToken cancel = default) => app.WaitForShutdownAsync(cancel);

    /// <summary>Leaves the cluster in order: this silo's streams move to the others (from their checkpoints) on their next supervisor pass.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await app.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token).ConfigureAwait(false);
        }
        finally
        {
            await app.DisposeAsync().ConfigureAwait(false);
            await directory.DisposeAsync().ConfigureAwait(false);
            await events.DisposeAsync().ConfigureAwait(false);
        }
    }
}
