using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;

namespace BizKeys.Admin.Hosting;

/// <summary>Where BizKeys finds its settings and keeps its data and logs.</summary>
public static class ProductPaths
{
    private const string SolutionFile = "BizKeys.sln";

    /// <summary>
    /// Where relative data and log paths start, so the app and the CLI share one database: the repository root when
    /// run from source (binaries in <c>PROJECT/bin/CONFIGURATION/FRAMEWORK</c> under the folder holding BizKeys.sln),
    /// otherwise — a published app — the folder of the app's binaries, wherever it is started from.
    /// </summary>
    public static string BaseDirectory { get; } = FindBaseDirectory(AppContext.BaseDirectory);

    /// <summary>
    /// Adds the product's one appsettings.json (copied next to the binaries from the repository root) as the
    /// lowest-priority source, so that environment variables and command-line settings override it.
    /// </summary>
    public static void AddProductSettings(this IConfigurationBuilder configuration)
    {
        // The host would also read appsettings.json from the current directory: a stray file there must not quietly
        // change settings. The product's one file, then environment variables and arguments, are the only sources.
        foreach (var stray in configuration.Sources.OfType<JsonConfigurationSource>()
                     .Where(s => s.Path?.StartsWith("appsettings", StringComparison.OrdinalIgnoreCase) == true).ToList())
            configuration.Sources.Remove(stray);
        var directory = AppContext.BaseDirectory;
        configuration.Sources.Insert(0, new JsonConfigurationSource
        {
            Path = "appsettings.json",
            Optional = false,
            FileProvider = new PhysicalFileProvider(directory),
        });
    }

    public static string SettingsFile => Path.Combine(AppContext.BaseDirectory, "appsettings.json");

    /// <summary>
    /// Where a published app finds its pages, scripts and styles: its own folder, wherever it is started from (the
    /// host's default, the current directory, served every script as an empty 200). Null from source, where the build
    /// output's static web assets are used.
    /// </summary>
    public static string? ContentRoot => BaseDirectory == Path.GetFullPath(AppContext.BaseDirectory) ? AppContext.BaseDirectory : null;

    public static string FindBaseDirectory(string binaries)
    {
        var parts = Path.TrimEndingDirectorySeparator(Path.GetFullPath(binaries)).Split(Path.DirectorySeparatorChar);
        var bin = Array.LastIndexOf(parts, "bin");
        // PROJECT/bin/CONFIGURATION/FRAMEWORK: the repository is the project's parent.
        if (bin >= 2 && parts.Length - bin == 3)
        {
            var repository = string.Join(Path.DirectorySeparatorChar, parts[..(bin - 1)]);
            if (repository.Length == 0)
                repository = Path.DirectorySeparatorChar.ToString();
            if (File.Exists(Path.Combine(repository, SolutionFile)))
                return repository;
        }
        return Path.GetFullPath(binaries);
    }
}
