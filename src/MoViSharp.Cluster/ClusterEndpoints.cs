using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using MoViSharp.Server;
using MoViSharp.Server.Web;
using Orleans.Runtime;

namespace MoViSharp.Cluster;

/// <summary>
/// The REST front end of a cluster node. Stream endpoints go through the stream grains (any node answers for any stream);
/// the list of streams is the checkpoint store's (a stream has a checkpoint from its start to its stop); the event log is
/// read from the shared database. Refusals are the single-machine server's: <c>{"error", "status"}</c>, API key on changes.
/// </summary>
internal static class ClusterEndpoints
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    public static void Map(WebApplication app, ClusterNode node, ModelCatalog models)
    {
        Endpoints.AnswerRefusalsAsJson(app);
        var json = StreamServer.Json;

        app.MapGet("/health", async (IClusterMembershipService membership, CancellationToken cancel) =>
        {
            var silos = membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress.ToString()).Order().ToList();
            var streams = await node.Directory.ListAsync(cancel);
            return Results.Json(new
            {
                status = "ok",
                mode = "cluster",
                clusterId = node.Options.ClusterId,
                silo = node.SiloAddress,
                activeSilos = silos,
                streams = streams.Count,
                running = streams.Count(s => !s.Ended),
                models = models.Names,
                eventLog = node.Events.Kind,
            }, json);
        });

        app.MapGet("/models", () => Results.Json(models.Names.Select(n =>
        {
            var c = models.Get(n).Classifier;
            return new { name = n, classifier = c.Name, classes = c.NumClasses, labels = c.Labels, size = c.Preprocessing.Size, isDefault = n == models.Default };
        }), json));

        app.MapGet("/streams", async (CancellationToken cancel) =>
        {
            var listed = await node.Directory.ListAsync(cancel);
            var statuses = await Task.WhenAll(listed.Select(s => StatusAsync(node, s.StreamId)));
            return Results.Json(statuses, json);
        });

        app.MapGet("/streams/{id}", async (string id, CancellationToken cancel) =>
        {
            await RequireAsync(node, id, cancel);
            return Results.Json(await StatusAsync(node, id), json);
        });

        app.MapGet("/streams/{id}/predictions", async (string id, int? last, CancellationToken cancel) =>
        {
            int n = last ?? 20;
            if (n is < 1 or > 10_000) throw new BadRequestException($"last must be 1…10000, not {n}.");
            await RequireAsync(node, id, cancel);
            return Results.Json(await CallAsync(id, () => node.Grains.GetGrain<IStreamGrain>(id).Predictions(n)), json);
        });

        app.MapGet("/events", async (string? stream, int? limit, CancellationToken cancel) =>
        {
            int n = limit ?? 100;
            if (n is < 1 or > 10_000) throw new BadRequestException($"limit must be 1…10000, not {n}.");
            return Results.Json(await node.Events.ReadAsync(stream, n, cancel), json);
        });

        var changes = app.MapGroup("").AddEndpointFilter(async (context, next) =>
        {
            Endpoints.Authorize(context.HttpContext, node.Options.ApiKey);
            return await next(context);
        });

        changes.MapPost("/streams", async (ClusterStreamRequest? request, CancellationToken cancel) =>
        {
            if (request is null) throw new BadRequestException("POST /streams needs a JSON body, e.g. {\"kind\":\"synthetic\",\"fps\":15}.");
            var (id, spec) = request.Validate(models);
            var listed = await node.Directory.ListAsync(cancel);
            if (listed.Any(s => s.StreamId == id)) throw new BadRequestException($"Stream '{id}' exists already.", 409);
            if (listed.Count >= node.Options.MaxStreams) throw new BadRequestException($"The cluster runs {listed.Count} streams, its limit.", 429);
            await CallAsync(id, () => node.Grains.GetGrain<IStreamGrain>(id).Start(spec));
            return Results.Json(await StatusAsync(node, id), json, statusCode: 201);
        });

        changes.MapDelete("/streams/{id}", async (string id, CancellationToken cancel) =>
        {
            await RequireAsync(node, id, cancel);
            await CallAsync(id, () => node.Grains.GetGrain<IStreamGrain>(id).Stop());
            return Results.NoContent();
        });
    }

    private static async Task RequireAsync(ClusterNode node, string id, CancellationToken cancel)
    {
        CheckpointLimits.CheckId(id);
        if (!(await node.Directory.ListAsync(cancel)).Any(s => s.StreamId == id))
            throw new BadRequestException($"No stream '{id}' in this cluster.", 404);
    }

    private static Task<ClusterStreamStatus> StatusAsync(ClusterNode node, string id) => CallAsync(id, () => node.Grains.GetGrain<IStreamGrain>(id).Ping());

    /// <summary>A grain call with a bound: a stream whose silo just died answers 503 until the supervisor has moved it.</summary>
    private static async Task<T> CallAsync<T>(string id, Func<Task<T>> call)
    {
        try
        {
            return await call().WaitAsync(CallTimeout);
        }
        catch (Exception e) when (e is TimeoutException or SiloUnavailableException or OrleansMessageRejectionException)
        {
            throw new BadRequestException($"Stream '{id}' does not answer ({e.GetType().Name}): its silo may have died; it resumes on another silo within seconds.", 503);
        }
    }

    private static async Task CallAsync(string id, Func<Task> call) => await CallAsync(id, async () => { await call(); return true; });
}
