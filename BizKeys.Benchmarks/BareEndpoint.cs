namespace BizKeys.Benchmarks;

/// <summary>
/// ASP.NET Core with nothing but one minimal endpoint returning the JSON that <c>GET /api/v1/me</c> returns: what
/// this machine can serve at most, the yardstick for the real app's pipeline.
/// </summary>
public static class BareEndpoint
{
    public static async Task RunAsync(string url)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(url);
        var app = builder.Build();
        var me = new Me("bk_000000000000000000000000", "Benchmark bot", "Bench Ltd", "Production", ["messages:send"], null);
        app.MapGet("/api/v1/me", () => Results.Ok(me));
        await app.RunAsync();
    }

    private sealed record Me(string Key, string Name, string Account, string Environment, IReadOnlyList<string> Permissions, DateTime? ExpiresAt);
}
