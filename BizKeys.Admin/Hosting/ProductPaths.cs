using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;

namespace BizKeys.Admin.Hosting;

/// <summary>Where BizKeys finds its settings and keeps its data and logs.</summary>
public static class ProductPaths
{
    private const string SolutionFile = "BizKeys.sln";

    /// <summary>
    /// The repository root when run from source (the folder holding BizKeys.sln), else the folder of the app's binaries.
    /// Relative data and log paths are resolved from here, so the app and the CLI share one database.
    /// </summary>
    public static string BaseDirectory { get; } = FindBaseDirectory();

    /// <summary>
    /// Adds the product's one appsettings.json (copied next to the binaries from the repository root) as the
    /// lowest-priority source, so that environment variables and command-line settings override it.
    /// </summary>
    public static void AddProductSettings(this IConfigurationBuilder configuration)
    {
        var directory = AppContext.BaseDirectory;
        configuration.Sources.Insert(0, new JsonConfigurationSource
        {
            Path = "appsettings.json",
            Optional = false,
            FileProvider = new PhysicalFileProvider(directory),
        });
    }

    private static string FindBaseDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, SolutionFile)))
                return dir.FullName;
        }
        return AppContext.BaseDirectory;
    }
}
