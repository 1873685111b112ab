using Microsoft.Extensions.DependencyInjection;
using MoViSharp.Server;
using MoViSharp.Server.Events;

namespace MoViSharp.Cluster;

/// <summary>What a silo needs to host stream grains: the models, the shared event log and checkpoint store, the options.</summary>
public static class ClusterSetup
{
    public static ISiloBuilder AddMoViSharpStreams(this ISiloBuilder silo, ModelCatalog models, IEventLog events, ICheckpointStore checkpoints, StreamGrainOptions? options = null)
    {
        silo.Services.AddSingleton(models);
        silo.Services.AddSingleton(events);
        silo.Services.AddSingleton(checkpoints);
        silo.Services.AddSingleton(options ?? new StreamGrainOptions());
        return silo;
    }
}
