// Measures what BizKeys costs: (1) HTTP throughput of the same small response with and without API-key
// verification (and counting) under the same wrk load, (2) the keys grid's first page for a small account
// against an account with 100,000 keys. Run: dotnet run -c Release --project BizKeys.Benchmarks [-- seconds]
// On PostgreSQL: ... -- 5 --postgres "Host=127.0.0.1;Port=5432;Username=postgres" (a database is made and dropped)
// Key identifiers alone (no server): dotnet run -c Release --project BizKeys.Benchmarks -- identifiers
// Memory per cached key: ... -- cache-memory [KEYS, default 1000000]
// Screens at scale: ... -- screens [KEYS, default 1000000] [--postgres CONN] [--flush-only]
using System.Diagnostics;
using System.Globalization;
using System.Net;
using BizKeys.Benchmarks;
using BizKeys.Core;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Data;
using BizKeys.AspNetCore;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

if (args is ["cache-memory", ..])
{
    CacheMemory.Run(args.Length > 1 && int.TryParse(args[1], CultureInfo.InvariantCulture, out var cachedKeys) ? cachedKeys : 1_000_000);
    return;
}
if (args is ["identifiers"])
{
    IdentifierBench.Run();
    return;
}
if (args is ["bare", var bareUrl])
{
    // The limit on this machine: a bare minimal endpoint answering what GET /api/v1/me answers (bench/run.sh).
    await BareEndpoint.RunAsync(bareUrl);
    return;
}
if (args is ["screens", ..] && args.Length <= 5)
{
    // The grid and support queries at scale, and a usage flush of 100,000 distinct keys (docs/performance.md).
    var keyCount = args.Length > 1 && int.TryParse(args[1], CultureInfo.InvariantCulture, out var given) ? given : 1_000_000;
    var server = Array.IndexOf(args, "--postgres") is var at and >= 0 ? args[at + 1] : null;
    await Screens.RunAsync(keyCount, server, args.Contains("--flush-only"));
    return;
}
if (args is ["basic", var pairsFile, var headersFile])
{
    // "key:secret" lines to ready Authorization header values, for bench/rotate.lua.
    await File.WriteAllLinesAsync(headersFile, File.ReadLines(pairsFile)
        .Select(pair => "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(pair))));
    return;
}
if (args is ["forged", var count, var file])
{
    // Made-up identifiers with checksum-valid secrets, one "key:secret" per line, for the flood in bench/run.sh.
    await File.WriteAllLinesAsync(file, Enumerable.Range(0, int.Parse(count, CultureInfo.InvariantCulture))
        .Select(_ => $"bk_{KeyFormat.NewSecret()[4..28]}:{KeyFormat.NewSecret()}"));
    return;
}
var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
var postgres = args.Length > 2 && args[1] == "--postgres" ? args[2] : null;
var directory = Directory.CreateTempSubdirectory("bizkeys-bench").FullName;
var database = postgres is null ? null : BenchDatabase.Create(postgres);
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
builder.Logging.ClearProviders();
builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
builder.Services.AddBizKeysCore(builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["ConnectionStrings:BizKeys"] = database?.ConnectionString ?? $"Data Source={Path.Combine(directory, "bench.db")}",
    ["Database:Provider"] = database is null ? "Sqlite" : "Postgres",
}).Build(), directory);
builder.Services.AddAuthentication().AddBizKeysApiKeys();
builder.Services.AddAuthorization();

var app = builder.Build();
await DatabaseInitializer.InitializeAsync(app.Services);
var body = new { key = "bk_000000000000000000000000", name = "Benchmark bot", account = "Bench Ltd", environment = "Production" };
app.MapGet("/open", () => Results.Ok(body));
app.MapGet("/keyed", () => Results.Ok(body)).RequireAuthorization(ApiKeyDefaults.AnyKeyPolicy);
await app.StartAsync();
var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

var accounts = app.Services.GetRequiredService<BizKeys.Core.Accounts.AccountService>();
async Task<BizKeys.Core.Accounts.Account> AccountAsync(string name, string owner)
{
    await accounts.CreateUserAsync(new BizKeys.Core.Accounts.CreateUserRequest
    {
        Email = owner, Password = "benchmark owner password", Kind = BizKeys.Core.Accounts.UserKind.Owner, AccountName = name,
    }, Actor.CommandLine);
    return (await accounts.FindByNameAsync(name))!;
}
var small = await AccountAsync("Small Ltd", "owner@small.example");
var keys = app.Services.GetRequiredService<ApiKeyService>();
var issued = await keys.CreateAsync(new CreateKeyRequest { AccountId = small.Id, Name = "Benchmark bot", Environment = "Production" }, Actor.CommandLine);
for (var i = 0; i < 9; i++)
    await keys.CreateAsync(new CreateKeyRequest { AccountId = small.Id, Name = $"Small {i}", Environment = "Production" }, Actor.CommandLine);

Console.WriteLine($"# BizKeys benchmarks on {(database is null ? "SQLite" : "PostgreSQL")}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, wrk -t2 -c32 -d{seconds}s, 3 s warm-up each");
var basic = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes($"{issued.Key.Key}:{issued.Secret}"));
// Warm both paths up first (JIT tiering, caches), then alternate so drift hits both alike.
Wrk.Run($"{url}/open", 3, null);
Wrk.Run($"{url}/keyed", 3, $"Authorization: Basic {basic}");
// A shared 2-core machine drifts by ±10 % between runs: pair each keyed run with the open run just before it
// and report the median of the pairs' ratios.
var ratios = new List<double>();
for (var round = 1; round <= 5; round++)
{
    var open = Wrk.Run($"{url}/open", seconds, null);
    var keyed = Wrk.Run($"{url}/keyed", seconds, $"Authorization: Basic {basic}");
    ratios.Add(keyed / open);
    Console.WriteLine($"round {round}: open {open,9:N0} req/s   keyed {keyed,9:N0} req/s   ratio {keyed / open:0.000}");
}
ratios.Sort();
Console.WriteLine($"verified/unauthenticated throughput ratio, median of 5: {ratios[2]:0.000} (target >= 0.9)");

var big = await AccountAsync("Big Ltd", "owner@big.example");
var seed = Stopwatch.StartNew();
await Seed.KeysAsync(app.Services, big.Id, 100_000);
Console.WriteLine($"seeded 100,000 keys in {seed.Elapsed.TotalSeconds:0.0} s");
var smallPage = await Timing.MedianAsync(() => keys.QueryAsync(new KeyQuery(small.Id) { PageSize = 25 }, Actor.CommandLine));
var bigPage = await Timing.MedianAsync(() => keys.QueryAsync(new KeyQuery(big.Id) { PageSize = 25 }, Actor.CommandLine));
var bigSearch = await Timing.MedianAsync(() => keys.QueryAsync(new KeyQuery(big.Id) { PageSize = 25, Search = "key 0999" }, Actor.CommandLine));
var bigLast = await Timing.MedianAsync(() => keys.QueryAsync(new KeyQuery(big.Id) { PageSize = 25, Page = 3999 }, Actor.CommandLine));
var bigCount = await Timing.MedianAsync(async () =>
{
    await using var db = await app.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<BizKeysDbContext>>().CreateDbContextAsync();
    return await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(db.ApiKeys, k => k.AccountId == big.Id);
});
Console.WriteLine($"first page, 10 keys:       {smallPage:0.00} ms (median of 30)");
Console.WriteLine($"count alone, 100,000 keys: {bigCount:0.00} ms");
Console.WriteLine($"first page, 100,000 keys:  {bigPage:0.00} ms ({bigPage / smallPage:0.0}x)");
Console.WriteLine($"search, 100,000 keys:      {bigSearch:0.00} ms ({bigSearch / smallPage:0.0}x)");
Console.WriteLine($"last page, 100,000 keys:   {bigLast:0.00} ms ({bigLast / smallPage:0.0}x)");

await app.StopAsync();
await app.DisposeAsync();
database?.Drop();
Directory.Delete(directory, recursive: true);
