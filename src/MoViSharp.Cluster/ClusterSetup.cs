using Microsoft.Extensions.DependencyInjection;
using MoViSharp.Server;
using MoViSharp.Server.Events;
using Orleans.Configuration;

namespace MoViSharp.Cluster;

/// <summary>What a silo needs to host stream grains, and how silos find each other.</summary>
public static class ClusterSetup
{
    /// <summary>
    /// The models, the shared event log and checkpoint store, the options, and the <see cref="StreamSupervisor"/> that resumes
    /// streams after a silo dies. The checkpoint store's table is created before the silo joins.
    /// </summary>
    public static ISiloBuilder AddMoViSharpStreams(this ISiloBuilder silo, ModelCatalog models, IEventLog events, ICheckpointStore checkpoints, StreamGrainOptions? options = null)
    {
        silo.Services.AddSingleton(models);
        silo.Services.AddSingleton(events);
        silo.Services.AddSingleton(checkpoints);
        silo.Services.AddSingleton(options ?? new StreamGrainOptions());
        silo.Services.AddSingleton<StreamSupervisor>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<StreamSupervisor>());
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(new StartupStep("checkpoint store", checkpoints.InitializeAsync));
        return silo;
    }

    /// <summary>
    /// Membership in PostgreSQL through Orleans' ADO.NET clustering provider with Npgsql: silos on any number of processes and
    /// machines that name the same database (and cluster id) form one cluster. The provider's tables and queries are created
    /// at start-up when missing (<see cref="PostgresMembershipSchema"/>).
    /// </summary>
    public static ISiloBuilder UsePostgresMembership(this ISiloBuilder silo, string connectionString)
    {
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(
            new StartupStep("Orleans membership schema", cancel => PostgresMembershipSchema.EnsureAsync(connectionString, cancel)));
        return silo.UseAdoNetClustering(o =>
        {
            o.Invariant = PostgresMembershipSchema.Invariant;
            o.ConnectionString = connectionString;
        });
    }

    /// <summary>Work done once, before anything else in the silo starts (Orleans' first lifecycle stage).</summary>
    private sealed class StartupStep(string name, Func<CancellationToken, Task> run) : ILifecycleParticipant<ISiloLifecycle>
    {
        public void Participate(ISiloLifecycle lifecycle) => lifecycle.Subscribe($"MoViSharp {name}", ServiceLifecycleStage.First, run);
    }
}
