using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using System.Net;
using MoViSharp.Cluster;
using MoViSharp.Inference;
using MoViSharp.Server;

namespace MoViSharp.Cli.Commands;

/// <summary>
/// `movisharp serve`: the stream server (MoViSharp.Server). With no options it serves the embedded demo model with three
/// synthetic streams on http://localhost:8080/. `--load-test FILE` instead measures how many synthetic streams it keeps up with.
/// </summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var weights = new WeightsOptions();
        var port = new Option<int>("--port") { Description = "TCP port (0: any free one)", DefaultValueFactory = _ => 8080 };
        var open = new Option<bool>("--public") { Description = "Listen on every interface (default: loopback only)" };
        var apiKey = new Option<string?>("--api-key") { Description = "Key required (X-Api-Key) to add, remove, restart or feed streams (default: $MOVISHARP_API_KEY; none: open)" };
        var cert = new Option<string?>("--cert") { Description = "PKCS#12 certificate: serve HTTPS" };
        var certPassword = new Option<string?>("--cert-password") { Description = "Password of --cert" };
        var events = new Option<string>("--events") { Description = "SQLite file of the label-change log", DefaultValueFactory = _ => "movisharp-events.db" };
        var postgres = new Option<string?>("--postgres") { Description = "PostgreSQL connection string: the event log goes there instead of SQLite" };
        var demo = new Option<int?>("--demo-streams") { Description = "Synthetic streams to start with (default: 3 with the demo model, 0 with --weights)" };
        var queue = new Option<int>("--queue") { Description = "Frames queued per stream before the oldest is dropped", DefaultValueFactory = _ => 8 };
        var maxStreams = new Option<int>("--max-streams") { Description = "Most streams at once", DefaultValueFactory = _ => 64 };
        var jsonLogs = new Option<bool>("--log-json") { Description = "Structured logs as JSON lines" };
        var loadTest = new Option<string?>("--load-test") { Description = "Run the loopback load test and write its results to this JSON file (and a .md beside it), then exit" };
        var loadStreams = new Option<string>("--load-streams") { Description = "Stream counts of the load test", DefaultValueFactory = _ => "1,2,4,8,16,24,32,48,64" };
        var loadAll = new Option<bool>("--load-all") { Description = "Measure every level of the load test, also after one that fell behind" };
        var threads = new Option<int>("--threads") { Description = "libtorch threads per model step (default 1: the scheduler batches streams; more threads pay for large models on idle cores)", DefaultValueFactory = _ => 1 };
        var loadSeconds = new Option<double>("--load-seconds") { Description = "Measured seconds per level", DefaultValueFactory = _ => 10 };
        var cluster = new Option<string?>("--cluster") { Description = "PostgreSQL connection string: host an Orleans silo of the cluster in that database (membership, checkpoints and event log there); every such process serves every stream" };
        var clusterId = new Option<string>("--cluster-id") { Description = "With --cluster: processes with the same id form one cluster", DefaultValueFactory = _ => "movisharp" };
        var siloPort = new Option<int>("--silo-port") { Description = "With --cluster: silo-to-silo TCP port (0: any free one)", DefaultValueFactory = _ => 0 };
        var gatewayPort = new Option<int>("--gateway-port") { Description = "With --cluster: Orleans client gateway port (0: any free one)", DefaultValueFactory = _ => 0 };
        var advertise = new Option<string?>("--advertise") { Description = "With --cluster: the IP address other silos reach this one at (default: loopback, or the first IPv4 address with --public)" };
        var command = new Command("serve", "Serve many live streams through one model: REST/SSE API, web page, metrics and an event log.")
        {
            port, open, apiKey, cert, certPassword, events, postgres, demo, queue, maxStreams, jsonLogs, loadTest, loadStreams, loadSeconds, threads, loadAll,
            cluster, clusterId, siloPort, gatewayPort, advertise,
        };
        weights.AddTo(command);
        command.SetAction(result => CliErrors.Run(() =>
        {
            if (result.GetValue(threads) < 1) throw new CliException("--threads must be at least 1.");
            // Spinning intra-op threads on a busy machine stall every step; one thread per step and batching is the default.
            TorchSharp.torch.set_num_threads(result.GetValue(threads));
            bool custom = result.GetValue(weights.Weights) is not null;
            var loaded = custom ? weights.Load(result) : DemoModel.Load(null);
            string name = custom ? loaded.Model.Config.Id : "demo";
            using var models = new ModelCatalog().Add(name, ModelCompiler.Classifier(loaded, result.GetValue(weights.Plain)));
            string? loadFile = result.GetValue(loadTest);
            if (result.GetValue(cluster) is { } clusterDatabase)
            {
                foreach (var (given, option) in new[] { (loadFile, "--load-test"), (result.GetValue(postgres), "--postgres"), (result.GetValue(cert), "--cert") })
                    if (given is not null) throw new CliException($"{option} does not go with --cluster (the cluster keeps its log in the --cluster database and serves plain HTTP).");
                IPAddress? advertised = result.GetValue(advertise) is { } a
                    ? IPAddress.TryParse(a, out var ip) ? ip : throw new CliException($"--advertise: '{a}' is not an IP address.")
                    : null;
                return ServeCluster(models, new ClusterNodeOptions
                {
                    ConnectionString = clusterDatabase,
                    ClusterId = result.GetValue(clusterId)!,
                    HttpPort = result.GetValue(port),
                    Public = result.GetValue(open),
                    SiloPort = result.GetValue(siloPort),
                    GatewayPort = result.GetValue(gatewayPort),
                    AdvertisedAddress = advertised,
                    ApiKey = result.GetValue(apiKey) ?? Environment.GetEnvironmentVariable("MOVISHARP_API_KEY"),
                    DemoStreams = result.GetValue(demo) ?? (custom ? 0 : 3),
                    MaxStreams = result.GetValue(maxStreams),
                }, result.GetValue(jsonLogs));
            }
            var options = new ServerOptions
            {
                Port = loadFile is null ? result.GetValue(port) : 0,
                Public = result.GetValue(open),
                ApiKey = result.GetValue(apiKey) ?? Environment.GetEnvironmentVariable("MOVISHARP_API_KEY"),
                CertificatePath = result.GetValue(cert),
                CertificatePassword = result.GetValue(certPassword),
                EventLogPath = loadFile is null ? result.GetValue(events)! : Path.Combine(Path.GetTempPath(), $"movisharp-load-{Environment.ProcessId}.db"),
                PostgresConnectionString = result.GetValue(postgres),
                DemoStreams = loadFile is null ? result.GetValue(demo) ?? (custom ? 0 : 3) : 0,
                QueueCapacity = result.GetValue(queue),
                MaxStreams = result.GetValue(maxStreams),
            };
            return loadFile is null ? Serve(models, options, result.GetValue(jsonLogs)) : Load(models, name, options, loadFile, result.GetValue(loadStreams)!, result.GetValue(loadSeconds), result.GetValue(loadAll));
        }));
        return command;
    }

    private static int Serve(ModelCatalog models, ServerOptions options, bool jsonLogs)
    {
        var server = StreamServer.StartAsync(models, options, logging => ConfigureLogs(logging, jsonLogs)).GetAwaiter().GetResult();
        Console.Error.WriteLine($"movisharp serve: {server.Address} (model {models.Default}, {options.DemoStreams} demo streams, event log {server.EventLog.Kind}" +
                                $"{(options.ApiKey is null ? ", no API key: anyone who can reach it may change streams" : "")}). Ctrl+C stops.");
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        try { server.WaitForShutdownAsync(stop.Token).GetAwaiter().GetResult(); }
        catch (OperationCanceledException) { }
        server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return 0;
    }

    private static void ConfigureLogs(ILoggingBuilder logging, bool jsonLogs)
    {
        if (jsonLogs) logging.AddJsonConsole(); else logging.AddSimpleConsole(o => o.SingleLine = true);
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.AddFilter("Orleans", LogLevel.Warning);
        logging.AddFilter("Polly", LogLevel.Warning);
    }

    private static int ServeCluster(ModelCatalog models, ClusterNodeOptions options, bool jsonLogs)
    {
        ClusterNode node;
        try { node = ClusterNode.StartAsync(models, options, logging => ConfigureLogs(logging, jsonLogs)).GetAwaiter().GetResult(); }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException) { throw new CliException(e.Message); }
        Console.Error.WriteLine($"movisharp serve --cluster: {node.Address} (silo {node.SiloAddress}, cluster '{options.ClusterId}', model {models.Default}" +
                                $"{(options.ApiKey is null ? ", no API key: anyone who can reach it may change streams" : "")}). Ctrl+C leaves the cluster.");
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        try { node.WaitForShutdownAsync(stop.Token).GetAwaiter().GetResult(); }
        catch (OperationCanceledException) { }
        node.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return 0;
    }

    private static int Load(ModelCatalog models, string name, ServerOptions options, string file, string counts, double seconds, bool all)
    {
        var levels = counts.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(c => int.TryParse(c, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : throw new CliException($"--load-streams: '{c}' is not a positive count.")).ToList();
        if (seconds is <= 0 or > 600) throw new CliException("--load-seconds must be in (0, 600].");
        var server = StreamServer.StartAsync(models, options with { MaxStreams = Math.Max(options.MaxStreams, levels.Max()) }).GetAwaiter().GetResult();
        try
        {
            var results = LoadTest.RunAsync(server, levels, 15, TimeSpan.FromSeconds(seconds), TimeSpan.FromSeconds(3), stopAtFirstMiss: !all, Console.Error).GetAwaiter().GetResult();
            LoadTest.Write(file, name, results);
            Console.Error.WriteLine($"wrote {file} and {Path.ChangeExtension(file, ".md")}");
        }
        finally
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            File.Delete(options.EventLogPath);
        }
        return 0;
    }
}
