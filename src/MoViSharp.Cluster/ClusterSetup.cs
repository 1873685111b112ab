using Microsoft.Extensions.DependencyInjection;
using MoViSharp.Server;
using MoViSharp.Server.Events;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;

namespace MoViSharp.Cluster;

/// <summary>What a silo needs to host stream grains, and how silos find each other.</summary>
public static class ClusterSetup
{
    /// <summary>
    /// The models, the shared event log and stream directory, the options, and the <see cref="StreamSupervisor"/> that resumes
    /// streams after a silo dies. The directory's table is created before the silo joins. The checkpoints go to the grain
    /// storage provider named <see cref="StreamGrain.StorageName"/>, which the caller adds: <see cref="UsePostgresGrainStorage"/>
    /// or <see cref="UseMemoryGrainStorage"/>.
    /// </summary>
    public static ISiloBuilder AddMoViSharpStreams(this ISiloBuilder silo, ModelCatalog models, IEventLog events, IStreamDirectory directory, StreamGrainOptions? options = null)
    {
        silo.Services.AddSingleton(models);
        silo.Services.AddSingleton(events);
        silo.Services.AddSingleton(directory);
        silo.Services.AddSingleton(options ?? new StreamGrainOptions());
        silo.Services.AddSingleton<StreamSupervisor>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<StreamSupervisor>());
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(new StartupStep("stream directory", directory.InitializeAsync));
        return silo;
    }

    /// <summary>
    /// Stream checkpoints as Orleans grain state in PostgreSQL through Orleans' ADO.NET grain storage provider
    /// (Microsoft.Orleans.Persistence.AdoNet) with Npgsql; the table and queries are created at start-up when missing
    /// (<see cref="PostgresGrainStorageSchema"/>). State is written with Orleans' own binary serializer
    /// (<see cref="OrleansGrainStorageSerializer"/>): the checkpoint is a byte array, which JSON would inflate by a third as base64.
    /// </summary>
    public static ISiloBuilder UsePostgresGrainStorage(this ISiloBuilder silo, string connectionString)
    {
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(
            new StartupStep("Orleans grain storage schema", cancel => PostgresGrainStorageSchema.EnsureAsync(connectionString, cancel)));
        return silo.AddAdoNetGrainStorage(StreamGrain.StorageName, (OptionsBuilder<AdoNetGrainStorageOptions> o) => o.Configure<Serializer>((options, serializer) =>
        {
            options.Invariant = PostgresMembershipSchema.Invariant;
            options.ConnectionString = connectionString;
            options.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
            options.DeleteStateOnClear = true;   // a stopped stream leaves no row behind
        }));
    }

    /// <summary>
    /// Stream checkpoints in Orleans' in-memory grain storage: for one silo, or a test cluster whose silos all live. Each state is
    /// held by a storage grain on some silo, so a silo that dies takes the checkpoints it held with it: a stream listed in the
    /// directory then reactivates with no state and stays idle.
    /// </summary>
    public static ISiloBuilder UseMemoryGrainStorage(this ISiloBuilder silo) => silo.AddMemoryGrainStorage(StreamGrain.StorageName);

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
