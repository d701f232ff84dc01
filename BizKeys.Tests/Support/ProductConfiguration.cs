using Microsoft.Extensions.Configuration;

namespace BizKeys.Tests.Support;

public static class ProductConfiguration
{
    /// <summary>The product's own appsettings.json (copied next to the test binaries), with test overrides on top.</summary>
    public static IConfiguration Build(IDictionary<string, string?> overrides) => new ConfigurationBuilder()
        .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: false)
        .AddInMemoryCollection(overrides)
        .Build();
}
