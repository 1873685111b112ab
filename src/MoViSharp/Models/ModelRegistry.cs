using System.Reflection;

namespace MoViSharp.Models;

/// <summary>
/// Every model family and its named models, in the spirit of timm's registry: <see cref="Create(string, int?)"/> builds a
/// named model, <see cref="Config(string, int?)"/> gives its configuration as data, <see cref="Family(string)"/> the family that
/// builds and (de)serialises configurations. Families register themselves: any public non-abstract <see cref="IModelFamily"/>
/// with a parameterless constructor in a loaded assembly that references MoViSharp is found on first use (and again when a
/// name is not found, for assemblies loaded later); <see cref="Register"/> adds one explicitly.
/// </summary>
public static class ModelRegistry
{
    private static readonly object Gate = new();
    private static readonly Dictionary<string, IModelFamily> Families = new(StringComparer.OrdinalIgnoreCase);
    private static Dictionary<string, ModelEntry>? entries;          // built from the families on first use after a registration
    private static readonly HashSet<string> ScannedAssemblies = [];

    /// <summary>Adds a family and its models (a later registration of the same name replaces the earlier one).</summary>
    public static void Register(IModelFamily family)
    {
        lock (Gate)
        {
            Families[family.Name] = family;
            entries = null;
        }
    }

    /// <summary>All registered families.</summary>
    public static IReadOnlyList<IModelFamily> AllFamilies
    {
        get { Scan(); lock (Gate) return Families.Values.OrderBy(f => f.Name, StringComparer.Ordinal).ToList(); }
    }

    /// <summary>All named models, family by family.</summary>
    public static IReadOnlyList<ModelEntry> Models
    {
        get { Scan(); lock (Gate) return Entries().Values.OrderBy(e => e.Family, StringComparer.Ordinal).ThenBy(e => e.Name, StringComparer.Ordinal).ToList(); }
    }

    /// <summary>
    /// Every family's entries by name. Built lazily, after registration, so a family may list entries that depend on other
    /// families (continual models of registered clip models) whatever order the families were found in.
    /// </summary>
    private static Dictionary<string, ModelEntry> Entries()
    {
        if (entries is not null) return entries;
        var built = new Dictionary<string, ModelEntry>(StringComparer.OrdinalIgnoreCase);
        foreach (var family in Families.Values)
            foreach (var entry in family.Models)
            {
                if (!string.Equals(entry.Family, family.Name, StringComparison.OrdinalIgnoreCase))
                    throw new InvalidOperationException($"Family '{family.Name}' lists '{entry.Name}' of family '{entry.Family}'.");
                built[entry.Name] = entry;
            }
        return entries = built;
    }

    public static IReadOnlyList<string> Names => Models.Select(m => m.Name).ToList();

    /// <summary>The entry named <paramref name="name"/> (case-insensitive); <paramref name="variant"/>, when given, is appended as "-variant".</summary>
    public static ModelEntry Entry(string name, string? variant = null)
    {
        string key = Key(name, variant);
        if (TryFind(key, out var entry)) return entry;
        throw new ArgumentException($"Unknown model '{key}'. Known models: {string.Join(", ", Names)}.");
    }

    public static bool TryEntry(string name, out ModelEntry entry) => TryFind(Key(name, null), out entry);

    /// <summary>The configuration of a named model, optionally with another number of classes.</summary>
    public static ModelConfig Config(string name, int? numClasses = null, string? variant = null)
    {
        var config = Entry(name, variant).Config;
        return numClasses is int classes ? config with { NumClasses = classes } : config;
    }

    /// <summary>Builds a named model with fresh weights.</summary>
    public static VideoModel Create(string name, int? numClasses = null, string? variant = null) => Build(Config(name, numClasses, variant));

    /// <summary>Builds any configuration with the family it names.</summary>
    public static VideoModel Build(ModelConfig config) => Family(config.Family).Build(config);

    /// <summary>The family named <paramref name="name"/>.</summary>
    public static IModelFamily Family(string name)
    {
        Scan();
        lock (Gate) if (Families.TryGetValue(name, out var family)) return family;
        Scan(force: true);
        lock (Gate)
            return Families.TryGetValue(name, out var family) ? family
                : throw new ArgumentException($"Unknown model family '{name}'. Known families: {string.Join(", ", Families.Keys.Order())}.");
    }

    private static string Key(string name, string? variant)
    {
        string key = name.Trim();
        return variant is null || key.EndsWith("-" + variant, StringComparison.OrdinalIgnoreCase) ? key : $"{key}-{variant.Trim()}";
    }

    private static bool TryFind(string key, out ModelEntry entry)
    {
        Scan();
        lock (Gate) if (Entries().TryGetValue(key, out entry!)) return true;
        Scan(force: true);
        lock (Gate) return Entries().TryGetValue(key, out entry!);
    }

    private static void Scan(bool force = false)
    {
        var candidates = AppDomain.CurrentDomain.GetAssemblies().Where(ReferencesUs).ToList();
        lock (Gate)
        {
            if (!force && candidates.All(a => ScannedAssemblies.Contains(a.FullName!))) return;
            foreach (var assembly in candidates)
            {
                if (!ScannedAssemblies.Add(assembly.FullName!)) continue;
                foreach (var type in LoadableTypes(assembly))
                {
                    if (!type.IsClass || type.IsAbstract || !type.IsPublic || !typeof(IModelFamily).IsAssignableFrom(type)) continue;
                    if (type.GetConstructor(Type.EmptyTypes) is null) continue;
                    var family = (IModelFamily)Activator.CreateInstance(type)!;
                    if (!Families.ContainsKey(family.Name)) Register(family);
                }
            }
        }
    }

    private static readonly string OurName = typeof(ModelRegistry).Assembly.GetName().Name!;

    private static bool ReferencesUs(Assembly assembly) =>
        !assembly.IsDynamic && (assembly.GetName().Name == OurName || assembly.GetReferencedAssemblies().Any(r => r.Name == OurName));

    private static IEnumerable<Type> LoadableTypes(Assembly assembly)
    {
        try { return assembly.GetTypes(); }
        catch (ReflectionTypeLoadException e) { return e.Types.OfType<Type>(); }
    }
}
