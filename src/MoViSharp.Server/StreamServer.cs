using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MoViSharp.Server.Events;
using MoViSharp.Server.Metrics;
using MoViSharp.Server.Scheduling;
using MoViSharp.Server.Streams;
using MoViSharp.Server.Web;

namespace MoViSharp.Server;

/// <summary>
/// The running server: Kestrel with the API and the page, the stream registry, the scheduler, the event log and the live feed.
/// <see cref="StartAsync"/> returns once it listens; <see cref="DisposeAsync"/> stops the streams and flushes the log.
/// </summary>
public sealed class StreamServer : IAsyncDisposable
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private readonly WebApplication app;
    private readonly Dictionary<string, long> lastPublished = [];

    public ServerOptions Options { get; }
    public ModelCatalog Models { get; }
    public StreamRegistry Streams { get; }
    public StreamScheduler Scheduler { get; }
    public ServerMetrics Metrics { get; } = new();
    public IEventLog EventLog { get; }
    public EventLogWriter EventWriter { get; }
    public LiveFeed Feed { get; } = new();
    public Uri Address { get; private set; } = null!;
    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;
    private readonly ILogger logger;

    private StreamServer(WebApplication app, ModelCatalog models, ServerOptions options, IEventLog log)
    {
        this.app = app;
        Options = options;
        Models = models;
        EventLog = log;
        EventWriter = new EventLogWriter(log);
        logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MoViSharp.Server");
        Scheduler = new StreamScheduler(Metrics, OnLabelChange, OnStep);
        Streams = new StreamRegistry(models, Scheduler, options);
        Streams.Added += s => { Publish("added", s); logger.LogInformation("Stream {StreamId} added: {Kind} {Source}, model {Model}, {Fps} fps", s.Id, s.Spec.Kind, s.Source.Description, s.ModelName, s.Spec.Fps); };
        Streams.Removed += s => { Feed.Publish("removed", JsonSerializer.Serialize(new { id = s.Id }, Json)); logger.LogInformation("Stream {StreamId} removed", s.Id); };
        Streams.StatusChanged += s =>
        {
            Publish("status", s);
            if (s.Status == StreamStatus.Failed) logger.LogWarning("Stream {StreamId} failed: {Error}", s.Id, s.Error);
            else logger.LogInformation("Stream {StreamId} is {Status}", s.Id, s.Status);
        };
    }

    /// <summary>Starts listening; with <see cref="ServerOptions.DemoStreams"/> &gt; 0 also adds that many synthetic streams.</summary>
    public static async Task<StreamServer> StartAsync(ModelCatalog models, ServerOptions options, Action<ILoggingBuilder>? logging = null)
    {
        options.Validate();
        if (models.Names.Count == 0) throw new ArgumentException("The server needs at least one model.");
        IEventLog log = options.PostgresConnectionString is { } pg ? new PostgresEventLog(pg) : new SqliteEventLog(options.EventLogPath);
        await log.InitializeAsync().ConfigureAwait(false);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (logging is not null) logging(builder.Logging);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = options.MaxRequestBytes;
            k.Limits.MaxConcurrentConnections = 1000;
            k.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            var address = options.Public ? IPAddress.Any : IPAddress.Loopback;
            k.Listen(address, options.Port, listen =>
            {
                if (options.CertificatePath is { } cert) listen.UseHttps(cert, options.CertificatePassword);
            });
        });
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
            o.SerializerOptions.PropertyNameCaseInsensitive = true;
        });
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        var app = builder.Build();
        var server = new StreamServer(app, models, options, log);
        Endpoints.Map(app, server);
        await app.StartAsync().ConfigureAwait(false);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Address = new Uri(bound.Replace("[::]", "localhost").Replace("0.0.0.0", "localhost"));
        for (int i = 0; i < options.DemoStreams; i++)
            await server.Streams.AddAsync(new StreamSpec { Id = $"demo-{i + 1}", Kind = SourceKind.Synthetic, Seed = 1000 + i }).ConfigureAwait(false);
        return server;
    }

    public Task WaitForShutdownAsync(CancellationToken cancel = default) => app.WaitForShutdownAsync(cancel);

    internal ILogger Logger => logger;

    private void OnLabelChange(LiveStream stream, LabelEvent e)
    {
        EventWriter.Post(e);
        Feed.Publish("label", JsonSerializer.Serialize(e, Json));
        logger.LogDebug("Stream {StreamId}: {Previous} -> {Label} ({Confidence:P0}) at frame {Frame}", e.StreamId, e.Previous, e.Label, e.Confidence, e.Frame);
    }

    // At most ten updates a second per stream to listeners; the REST API always has the latest.
    private void OnStep(LiveStream stream)
    {
        long now = FrameClock.Now;
        if (lastPublished.TryGetValue(stream.Id, out long last) && FrameClock.Seconds(now - last) < 0.1) return;
        lastPublished[stream.Id] = now;
        if (Feed.Listeners > 0) Publish("prediction", stream);
    }

    private void Publish(string kind, LiveStream stream) => Feed.Publish(kind, JsonSerializer.Serialize(StreamView.Of(stream), Json));

    public async ValueTask DisposeAsync()
    {
        Streams.StopAll();
        await app.StopAsync().ConfigureAwait(false);
        Scheduler.Dispose();
        await EventWriter.DisposeAsync().ConfigureAwait(false);
        await EventLog.DisposeAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
    }
}
