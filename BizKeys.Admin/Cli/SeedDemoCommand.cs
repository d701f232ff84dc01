using System.Globalization;
using BizKeys.Core.Demo;

namespace BizKeys.Admin.Cli;

/// <summary><c>seed-demo</c>: realistic accounts, keys and usage in bulk, for demos and for measuring BizKeys at scale.</summary>
public static class SeedDemoCommand
{
    public const string Help = """
        usage: seed-demo --accounts M --keys N [--usage-days D] [--force] [--credentials FILE]
          Adds M demo accounts holding N keys in all (the first holds a tenth of them, up to 100,000), with varied names,
          environments, permissions, expiries, rotations and revocations, and D days of hourly usage (default 7) for
          one key in ten. Nobody can sign in to demo accounts and their secrets are not kept. A million keys take minutes.
          Refuses a database that holds real accounts unless --force is given. For load tests, --credentials FILE writes
          "key:secret" of every active key without an allowlist or a rate limit to a new owner-only file (nothing else
          ever keeps a demo secret).
        """;

    private static readonly string[] SeedOptions = ["accounts", "keys", "usage-days", "credentials"];
    private static readonly string[] SeedFlags = ["force"];

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var options = Options.Parse(args, SeedOptions, SeedFlags);
        var request = new DemoSeedRequest(Number(options.Required("accounts"), "accounts"), Number(options.Required("keys"), "keys"),
            options.Optional("usage-days") is { } days ? Number(days, "usage-days") : 7, options.Flag("force"),
            options.Optional("credentials") is { } file ? Path.GetFullPath(file) : null);
        try
        {
            var lastReport = DateTime.UtcNow;
            var progress = new Progress<string>(line =>
            {
                if (DateTime.UtcNow - lastReport < TimeSpan.FromSeconds(5))
                    return;
                lastReport = DateTime.UtcNow;
                output.WriteLine(line);
            });
            var result = await services.GetRequiredService<DemoSeeder>().SeedAsync(request, progress, ct);
            await output.WriteLineAsync(
                $"Seeded {result.Accounts:N0} demo accounts with {result.Keys:N0} keys ({result.KeysInUse:N0} in use, {result.UsageBuckets:N0} hourly usage rows) in {result.Took.TotalSeconds:0.0} s.");
            return 0;
        }
        catch (InvalidOperationException e)
        {
            await error.WriteLineAsync($"error: {e.Message}");
            return 1;
        }
    }

    private static int Number(string text, string option) =>
        int.TryParse(text, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? value
            : throw new UsageException($"option '--{option}' needs a whole number, not '{text}'.");
}
